// The agent's database: watches, their compact price history, alerts, settings, imported
// offers and the wallet, over one SQLite file (see database.hpp for the pragmas, migrations
// and error codes). Every write is one transaction: it happens whole or not at all, also when
// the disk fails or the process is killed half-way.
//
// Offers imported from a feed file and the shopper's wallet are kept as JSON text the actions
// layer validated (actions/offers_feed.hpp, actions/wallet_json.hpp).
//
// Error codes beyond database.hpp's: "not_found" (no such watch/alert), "invalid_url",
// "invalid_argument" (the message names the field and the rule), "already_watched" (a watch
// for that url and variant exists), "out_of_order" (an observation older than the watch's
// last check).
//
// Compact history: record_observation writes a row only when price, currency, availability or
// can_tell differ from the watch's latest row; otherwise it only moves the watch's
// last_check_at. A row therefore means "seen from `at` on", lasting until the next row, and
// last_check_at says how far that is known.
//
// Chart days (chart()): the history is a step function of time, and a day's min/max are over
// every price in effect at any moment of that UTC day: the one carried in from before the day
// (a day without rows carries the previous price unchanged: min == max == last) and each
// change during it. Rows whose check couldn't tell (can_tell false) or priced in another
// currency than the watch's are skipped: the previously known price carries over them. A row
// without a price (out of stock, none shown) means "no price" and ends the carried price.
// Only days where something is known are listed: from the day of the first row before or in
// the range through the day of the last check; days with state but no price have no min/max/last.
// Cost: one index seek for the carried-in row plus one range scan of that watch's rows in the
// range (clustered by (watch_id, at)), O(days + rows), independent of other watches. To time it
// at scale run `store_tests --no-skip -tc="chart at scale*"` (10,000 watches x 10 years, 9.1
// million rows, about 2 minutes to load): measured 0.8 ms per 10-year chart on the 2-core dev VM.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "store/database.hpp"
#include "store/model.hpp"

namespace dealstack::store {

using Clock = std::function<std::int64_t()>;  // now, in unix ms
std::int64_t system_clock_ms();

inline constexpr std::size_t kMaxHistoryRows = 100'000;  // default cap of one history() answer
inline constexpr std::size_t kMaxAlertsListed = 1'000;   // default cap of one list_alerts() answer
inline constexpr std::int64_t kMaxChartDays = 40'000;    // about 109 years

// "invalid_url" unless `url` is http:// or https:// with a host, at most kMaxUrlBytes, and
// free of spaces and control characters.
Status validate_url(std::string_view url);
// Checks every field add_watch/update_watch take ("invalid_url" or "invalid_argument").
Status validate_watch(const Watch& watch);

class Store {
 public:
  // Opens (creating and migrating) the database at `path`; its folder must exist. `clock`
  // stamps created_at.
  static Result<Store> open(const std::filesystem::path& path, const Database::Options& options = {},
                            Clock clock = system_clock_ms);

  // Stores a new watch; id, created_at, title and last_check_at of the argument are ignored.
  // Returns it as stored.
  Result<Watch> add_watch(const Watch& watch);
  // Replaces the rules, url, variant and state of watch `watch.id`; its history stays.
  Result<Watch> update_watch(const Watch& watch);
  // Removes the watch with its history and alerts.
  Status remove_watch(std::int64_t id);
  Result<Watch> get_watch(std::int64_t id);
  Result<std::vector<Watch>> list_watches();  // by id
  // Names the product the watch's url shows (shared by watches of other variants of it).
  Status set_title(std::int64_t watch_id, std::string_view title);

  // Records one check of the watch (`obs.watch_id` is ignored). See "Compact history" above.
  Result<Recorded> record_observation(std::int64_t watch_id, const Observation& obs);
  // The watch's latest history row, if any.
  Result<std::optional<Observation>> latest_observation(std::int64_t watch_id);
  // History rows with from_ms <= at <= to_ms, oldest first, at most `limit`.
  Result<std::vector<Observation>> history(std::int64_t watch_id, std::int64_t from_ms,
                                           std::int64_t to_ms, std::size_t limit = kMaxHistoryRows);
  // Per UTC day from the day of from_ms through the day of to_ms; see "Chart days" above.
  Result<Chart> chart(std::int64_t watch_id, std::int64_t from_ms, std::int64_t to_ms);

  // The monitor's state of a watch (defaults when never written). Errors: "not_found".
  Result<MonitorState> monitor_state(std::int64_t watch_id);
  // Every watch's monitor state, by watch id (watches never written are left out).
  Result<std::vector<std::pair<std::int64_t, MonitorState>>> monitor_states();
  // Replaces it (after a failed check, or a reschedule). Errors: "not_found", "invalid_argument".
  Status set_monitor_state(std::int64_t watch_id, const MonitorState& state);
  // One check in one transaction: record_observation, the title, the monitor state and the
  // alert, all or nothing, so a crash can neither raise an alert twice nor lose one.
  Result<CheckStored> record_check(std::int64_t watch_id, const CheckRecord& check);

  // Stores an alert (id and acknowledged of the argument are ignored) and returns it as stored.
  Result<Alert> add_alert(const Alert& alert);
  // Newest first, at most `limit`.
  Result<std::vector<Alert>> list_alerts(bool unacknowledged_only, std::size_t limit = kMaxAlertsListed);
  Status acknowledge_alert(std::int64_t id);

  // Settings are text key/value pairs. Key: 1..kMaxSettingKeyBytes; value: up to
  // kMaxSettingValueBytes. get_setting gives none for a key never set.
  Result<std::optional<std::string>> get_setting(std::string_view key);
  Status set_setting(std::string_view key, std::string_view value);

  // Replaces every imported offer with `retailers` in one transaction (all or nothing) and
  // stamps the import with the clock; returns that time (unix ms). Errors: "invalid_argument"
  // (an empty, long or repeated retailer name, text over kMaxOfferJsonBytes or not UTF-8).
  Result<std::int64_t> replace_offers(const std::vector<RetailerOffers>& retailers);
  // The offers held for `retailer` (as stored: callers normalise the name first); none when
  // the latest import has no such retailer.
  Result<std::optional<RetailerOffers>> retailer_offers(std::string_view retailer);
  Result<OfferSummary> offer_summary();
  // When the latest import happened (unix ms); none when never.
  Result<std::optional<std::int64_t>> offers_imported_at();

  // The shopper's wallet as JSON text (the actions layer validates it); none when never set.
  Result<std::optional<std::string>> wallet();
  // Errors: "invalid_argument" (over kMaxWalletJsonBytes, not UTF-8).
  Status set_wallet(std::string_view json);

  // The watch for (url, variant), if any (variant none = the page's default).
  Result<std::optional<Watch>> find_watch(std::string_view url, const std::optional<std::string>& variant);

  // Sync (native_host/sync/, docs/sync.md). Every change made through add_watch,
  // update_watch, remove_watch, set_setting and set_wallet also writes a row to the
  // sync_outbox table in the same transaction (kind "watch" keyed by
  // watch_sync_key(url, variant), "wallet" keyed by "", "settings" keyed by the setting's
  // key; settings whose key starts with "local." stay on this machine). apply_remote runs
  // `body` in one write transaction in which those calls join the transaction and write no
  // outbox rows: changes that came from the sync server. It commits when body succeeds.
  Status apply_remote(const std::function<Status()>& body);
  bool applying_remote() const { return remote_; }

  // The connection, for checks (integrity_check) and tests.
  Database& database() { return db_; }

 private:
  Store(Database db, Clock clock) : db_(std::move(db)), clock_(std::move(clock)) {}
  Result<std::int64_t> variant_for(std::string_view url, std::string_view variant);
  Status drop_orphans(std::int64_t variant_id);
  Result<std::optional<std::int64_t>> variant_of_watch(std::int64_t watch_id);
  // The bodies of record_observation, set_title, set_monitor_state and add_alert, inside a
  // transaction the caller holds.
  Result<Recorded> record_observation_tx(std::int64_t watch_id, const Observation& obs);
  Status set_title_tx(std::int64_t watch_id, std::string_view title);
  Status set_monitor_state_tx(std::int64_t watch_id, const MonitorState& state);
  Result<Alert> add_alert_tx(const Alert& alert);

  // A write transaction of its own, or none inside apply_remote's (commit() is then a no-op).
  struct WriteTx {
    std::optional<Transaction> tx;
    Status commit() { return tx ? tx->commit() : Status(Unit{}); }
  };
  Result<WriteTx> write_tx();
  // Writes (or bumps) the outbox row of one changed thing, unless applying remote changes.
  Status note_change_tx(std::string_view kind, std::string_view key);

  Database db_;
  Clock clock_;
  bool remote_ = false;  // inside apply_remote
};

// The outbox key of a watch: its url, a newline, its variant ("" for the default).
std::string watch_sync_key(std::string_view url, const std::optional<std::string>& variant);

}  // namespace dealstack::store
