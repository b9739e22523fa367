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

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "http/client.hpp"
#include "monitor/rules.hpp"
#include "monitor/scheduler.hpp"
#include "store/store.hpp"

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

// Pure: the same response gives the same reading. `watch.variant` picks the page's offer
// whose name, sku or attributes name it; `watch.currency` is assumed for a price the page
// shows without one.
Reading read_response(const Result<http::Response>& response, const store::Watch& watch);

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
