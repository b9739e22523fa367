// Plain records the store reads and writes. Times are unix milliseconds (UTC); money is integer
// minor units of an ISO 4217 currency (never floating point).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dealstack::store {

// Limits the store enforces (inputs beyond them are refused with a clear error).
inline constexpr std::size_t kMaxUrlBytes = 2048;
inline constexpr std::size_t kMaxVariantBytes = 200;
inline constexpr std::size_t kMaxTitleBytes = 500;
inline constexpr std::size_t kMaxAlertMessageBytes = 1000;
inline constexpr std::size_t kMaxSettingKeyBytes = 100;
inline constexpr std::size_t kMaxSettingValueBytes = 64 * 1024;
inline constexpr std::int64_t kDefaultIntervalSeconds = 10800;  // 3 hours
inline constexpr std::int64_t kMinIntervalSeconds = 120;
inline constexpr std::int64_t kMaxIntervalSeconds = 30LL * 24 * 3600;  // 30 days
inline constexpr std::int64_t kMaxPriceMinor = 1'000'000'000'000'000LL;  // far above any real price

// Watch.state values.
inline constexpr std::array<std::string_view, 2> kWatchStates = {"active", "paused"};
// Observation.availability values.
inline constexpr std::array<std::string_view, 4> kAvailabilities = {"in_stock", "out_of_stock",
                                                                    "preorder", "unknown"};
// Alert.kind values. cant_tell: the page could no longer be read (never "out of stock").
inline constexpr std::array<std::string_view, 6> kAlertKinds = {
    "below_target", "drop", "restock", "all_time_low", "price_increase", "cant_tell"};
inline constexpr std::size_t kMaxMonitorRulesBytes = 16 * 1024;
inline constexpr std::size_t kMaxValidatorBytes = 1024;  // an ETag or Last-Modified kept
inline constexpr std::size_t kMaxLastErrorBytes = 500;

// The hours of the day a watch may be checked, in minutes since local midnight (0..1439), as
// the monitor interprets them. start > end wraps over midnight (22:00-06:00); start == end is
// refused (say "no active_hours" for all day).
struct ActiveHours {
  int start_minute = 0;
  int end_minute = 0;
  bool operator==(const ActiveHours&) const = default;
};

// One product page (one variant of it) the user watches, and the rules for alerts.
struct Watch {
  std::int64_t id = 0;  // assigned by add_watch
  std::string url;      // http or https, at most kMaxUrlBytes
  // The variant to watch, as the site labels it ("Blue, 256 GB"); none = the page's default.
  // Non-empty, at most kMaxVariantBytes. One watch per (url, variant).
  std::optional<std::string> variant;
  std::optional<std::string> title;  // the product's name, set by set_title; read-only here
  // Alert when the price is at or below this, in minor units of `currency`. Default: none.
  std::optional<std::int64_t> target_price;
  // ISO 4217 code of target_price and of the chart ("EUR"). Required with target_price; when
  // empty, the watch's first observation with a price sets it.
  std::string currency;
  // Alert when the price drops by at least this much, in basis points (1% = 100; 1..10000).
  // Default: none.
  std::optional<std::int32_t> drop_bp;
  bool notify_restock = true;    // alert when it comes back in stock. Default: on
  bool notify_increase = false;  // alert when the price goes up. Default: off
  // How often to check, in seconds. Default 10800 (3 h); at least 120, at most 30 days.
  std::int64_t interval_seconds = kDefaultIntervalSeconds;
  std::optional<ActiveHours> active_hours;  // default: any time of day
  std::int64_t created_at = 0;              // unix ms, set by add_watch
  std::optional<std::int64_t> last_check_at;  // unix ms of the latest recorded check
  std::string state = "active";               // one of kWatchStates. Default: "active"
};

// What one check saw. In the store's compact history a row is written only when something
// here changed, so a row's `at` is when that state was FIRST seen; it lasts until the next
// row (or the watch's last_check_at).
struct Observation {
  std::int64_t watch_id = 0;
  std::int64_t at = 0;                // unix ms, >= 0
  std::optional<std::int64_t> price;  // minor units, 0..kMaxPriceMinor; none = no price shown
  std::string currency;               // ISO 4217 of price; stored empty when there is no price
  std::string availability = "unknown";  // one of kAvailabilities
  // False when the check couldn't tell (page blocked, layout not understood): the chart then
  // carries the previously known price over this row.
  bool can_tell = true;
  bool operator==(const Observation&) const = default;
};

// What record_observation did.
struct Recorded {
  bool changed = false;  // a new history row was written
  // The latest history row before this check (none for the watch's first observation): what
  // the monitor compares with for restock, drop and increase alerts.
  std::optional<Observation> previous;
};

// One day of a price chart.
struct ChartDay {
  std::int64_t day = 0;  // unix ms of the UTC midnight starting the day
  // Lowest and highest price in effect at any moment of the day and the price at its end (or
  // at the last check, on that day). None when no price was in effect (out of stock, no price
  // shown).
  std::optional<std::int64_t> min;
  std::optional<std::int64_t> max;
  std::optional<std::int64_t> last;
};

struct Chart {
  std::string currency;  // the watch's currency; prices in others are left out
  std::vector<ChartDay> days;
};

struct Alert {
  std::int64_t id = 0;  // assigned by add_alert
  std::int64_t watch_id = 0;
  std::string kind;                   // one of kAlertKinds: the most important rule that fired
  // Every rule that fired on that check (each one of kAlertKinds), most important first; one
  // check gives one alert. Empty is read as {kind}.
  std::vector<std::string> kinds;
  std::string message;                // for people, at most kMaxAlertMessageBytes
  std::optional<std::int64_t> price;  // minor units of `currency`, if the alert is about one
  std::string currency;               // ISO 4217; empty when there is no price
  std::int64_t at = 0;                // unix ms
  bool acknowledged = false;          // set by acknowledge_alert
};

// What the monitor carries between checks of one watch (see database.cpp, version 2). A watch
// never checked has the defaults.
struct MonitorState {
  std::string rules;  // the monitor's rule state as JSON text, opaque here; "" = fresh
  std::optional<std::string> etag;           // validators for a conditional request
  std::optional<std::string> last_modified;
  std::optional<std::int64_t> next_check_at;  // unix ms the next check was due; none = at once
  std::int32_t failures = 0;                  // consecutive failed checks, >= 0
  std::optional<std::string> last_error;      // why the latest check failed (for people)
  bool operator==(const MonitorState&) const = default;
};

// One finished check, stored whole or not at all by Store::record_check.
struct CheckRecord {
  Observation observation;             // what the page showed (watch_id ignored)
  MonitorState state;                  // the monitor's state after this check
  std::optional<Alert> alert;          // the alert it raised (watch_id, id ignored)
  std::optional<std::string> title;    // the product's name, when the page gave one
};

// Limits on what the offer and wallet tables hold (the actions layer checks the content).
inline constexpr std::size_t kMaxRetailerBytes = 300;      // a host name, with a port
inline constexpr std::size_t kMaxOfferJsonBytes = 16u << 20;  // one offer's or rules' JSON text
inline constexpr std::size_t kMaxWalletJsonBytes = 1u << 20;

// One retailer's imported offers (see database.cpp, version 3).
struct RetailerOffers {
  // The shop's host name as the feed names it once normalised: lower case, no leading
  // "www." (actions/offers_feed.hpp). Non-empty, at most kMaxRetailerBytes, unique per import.
  std::string retailer;
  // The shop's discount rules (the stacking request's `retailer` object) as JSON text; none
  // when the feed gives none (the stacker's defaults).
  std::optional<std::string> rules;
  std::vector<std::string> offers;  // each offer's JSON text, in the feed's order
  bool operator==(const RetailerOffers&) const = default;
};

// What the latest import holds.
struct OfferSummary {
  std::optional<std::int64_t> imported_at;  // unix ms of the latest import; none = never
  // Every retailer (by name) with its number of offers.
  std::vector<std::pair<std::string, std::int64_t>> retailers;
};

struct CheckStored {
  Recorded recorded;
  std::optional<Alert> alert;  // as stored (with its id)
};

}  // namespace dealstack::store
