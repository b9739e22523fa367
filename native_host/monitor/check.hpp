// One check of a watch, in three steps the agent's monitor loop runs around its fetch:
//   1. check_request: the GET to send (conditional when the page gave validators before);
//   2. read_response: what the response says (pure): an observation, or why the check failed
//      and how the scheduler should treat that (backoff, Retry-After);
//   3. store_check: the watch's rules evaluated on the observation and everything written in
//      one transaction (observation, title, rule state, validators, next check, alert), or,
//      for a failed check, the failure count and reason.
//
// "Can't tell": a page we fetched but could not read (no product, layout changed, the watched
// variant missing, a price without a currency) is an observation with can_tell = false. It
// is never reported as out of stock, and the rules raise one "cant_tell" alert for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "http/client.hpp"
#include "monitor/rules.hpp"
#include "monitor/scheduler.hpp"
#include "store/store.hpp"

namespace dealstack {
struct RulePack;  // extract/rules.hpp (not included here: its Availability would clash with the monitor's)
}  // namespace dealstack

namespace dealstack::monitor {

inline constexpr std::size_t kMaxReasonBytes = 300;

http::Request check_request(const store::Watch& watch, const store::MonitorState& state);

// What a fetch told us.
struct Reading {
  Outcome outcome;  // for the scheduler
  // Set when the page answered (200, or 304 = unchanged since the validators we sent).
  std::optional<Observation> observation;
  bool not_modified = false;                 // 304: repeat the latest stored observation
  std::optional<std::string> title;          // the product's name on the page
  std::optional<std::string> etag;           // the response's validators, to send next time
  std::optional<std::string> last_modified;
  // Why the check failed (no observation) or why it couldn't tell; for people, no secrets.
  std::string reason;
};

// Parsed rule packs kept between checks, keyed by a hash of the pack's text (the text itself
// is compared too), so a pack is parsed once however many watches and checks use it. A pack
// that fails to parse is kept with its error, so it isn't parsed again on every check. At
// most kMaxEntries packs, the least recently used dropped first. Not thread-safe: one per
// monitor loop.
class RulePackCache {
 public:
  static constexpr std::size_t kMaxEntries = 32;
  // The pack parsed from `text` (parse_rule_pack), or its error.
  std::shared_ptr<const Result<RulePack>> get(const std::string& text);
  std::size_t size() const { return entries_.size(); }
  std::size_t parses() const { return parses_; }  // texts parsed so far (misses)

 private:
  struct Entry {
    std::size_t hash = 0;
    std::string text;
    std::shared_ptr<const Result<RulePack>> pack;
    std::uint64_t used = 0;
  };
  std::vector<Entry> entries_;
  std::uint64_t clock_ = 0;
  std::size_t parses_ = 0;
};

struct ReadOptions {
  // The extraction rule pack's JSON text (docs/rules.md) for a page's host: lower case, no
  // port, the host of the URL the page was finally read from. nullopt or "": no pack. The
  // agent hands over only packs whose signature it verified. A pack that doesn't parse or
  // doesn't list the host is not used (the page is read without it). Default: no packs.
  std::function<std::optional<std::string>(const std::string& host)> rules_for_host;
  // Where parsed packs are kept; nullptr: each check parses its pack again.
  RulePackCache* rule_cache = nullptr;
};

// Pure (but for `options.rule_cache`): the same response gives the same reading.
// `watch.variant` picks the page's offer whose name, sku or attributes name it;
// `watch.currency` is assumed for a price the page shows without one.
Reading read_response(const Result<http::Response>& response, const store::Watch& watch,
                      const ReadOptions& options = {});

// The rules of a watch as the monitor reads them.
WatchRules rules_of(const store::Watch& watch);

struct CheckDone {
  store::Watch watch;                        // as stored after the check (title, last check)
  std::optional<store::Observation> observation;  // what was recorded, when the page answered
  bool changed = false;                      // a new history row was written
  std::optional<store::Alert> alert;         // the alert raised, as stored
};

// Step 3. `now_ms` stamps the observation and alert; `next_check_at` is kept for a restart.
// Errors: the store's (the check is then lost, nothing half-written), and "check_failed" with
// the reading's reason when the fetch failed (after the failure was recorded).
Result<CheckDone> store_check(store::Store& store, std::int64_t watch_id, const Reading& reading,
                              std::int64_t now_ms, std::optional<std::int64_t> next_check_at);

}  // namespace dealstack::monitor
