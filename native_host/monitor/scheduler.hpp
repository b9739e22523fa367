// When to check which watch. Pure and deterministic: time is passed in (milliseconds since
// the Unix epoch, UTC), randomness comes from a PRNG seeded by the options, no threads.
//
// Policy:
//   - each watch is due every interval_ms (120 s .. 30 days, default 3 h), jittered by
//     +-jitter_percent so checks spread out;
//   - one check at a time per host: a started check holds its host until finished();
//   - after a check ends, its host is left alone for min_host_gap_ms (measured from the end,
//     so two starts on one host are always at least the gap apart);
//   - at most global_rate_per_minute starts in any 60 s window (sliding window, exact);
//   - failures back off exponentially per watch: base_backoff_ms * 2^(failures-1), capped at
//     max_backoff_ms; a 429 or 503 with Retry-After holds the whole HOST until then (capped at
//     max_retry_after_ms) and is a floor for that watch's next check;
//   - optional active hours: a watch is only started inside its daily local window; a due
//     time outside it moves to the window's next start;
//   - check_now() puts a watch ahead of every non-manual watch; host holds and the global cap
//     still apply.
// Complexity with n watches and h hosts: add_or_update, remove, started, finished, check_now
// O(log n); next_due and wake_at O(log n) amortised (each host moves from the waiting set to
// the ready set at most once per change of its queue). Memory O(n + h + global cap).
//
// Time must not go backwards: a now_ms smaller than one seen before is taken as the latest
// one seen (a wall clock stepped back makes the scheduler wait, never break its limits).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "core/result.hpp"

namespace dealstack::monitor {

using WatchId = std::int64_t;

inline constexpr std::int64_t kMinIntervalMs = 120'000;                 // 2 min (hot restock)
inline constexpr std::int64_t kDefaultIntervalMs = 10'800'000;          // 3 h
inline constexpr std::int64_t kMaxIntervalMs = 30LL * 24 * 3600 * 1000; // 30 days

// A daily window in local time: [start_minute, end_minute), wrapping past midnight when
// end_minute < start_minute (22:00-06:00 is {1320, 360}).
struct ActiveHours {
  std::int32_t start_minute = 0;        // local minute of day the window opens, 0..1439
  std::int32_t end_minute = 1440;       // local minute of day it closes (excluded), 0..1440, != start
  std::int32_t utc_offset_minutes = 0;  // local = UTC + offset, -840..840 (the caller updates it for DST)
};

// Errors: "invalid_active_hours" naming the field.
Status validate_active_hours(const ActiveHours& h);
// Whether `t_ms` falls inside the window.
bool in_active_hours(const ActiveHours& h, std::int64_t t_ms);
// `t_ms` itself when inside the window, otherwise the window's next opening after it.
std::int64_t next_active_start(const ActiveHours& h, std::int64_t t_ms);

struct SchedulerOptions {
  std::int64_t min_host_gap_ms = 10'000;        // quiet time per host after each check. >= 0
  std::int32_t global_rate_per_minute = 30;     // starts in any 60 s window, 1..10000
  std::int64_t base_backoff_ms = 60'000;        // delay after the first failure, >= 1000
  std::int64_t max_backoff_ms = 6 * 3600'000LL; // backoff cap, >= base_backoff_ms, <= 30 days
  std::int64_t max_retry_after_ms = 24 * 3600'000LL;  // Retry-After is honoured up to this, 0..30 days
  std::int32_t jitter_percent = 10;             // +- this share of each delay, 0..50
  std::uint64_t seed = 0;                       // PRNG seed: same seed and calls, same schedule
};

// How a check ended, for the scheduler.
struct Outcome {
  enum class Kind {
    ok,            // a response we could use (even if the page could not be read)
    http_status,   // an error status (4xx/5xx): backs off
    network_error  // DNS, connect, TLS, timeout: backs off
  };
  Kind kind = Kind::ok;
  int http_status = 0;                       // for Kind::http_status
  std::optional<std::int64_t> retry_after_ms;  // Retry-After, honoured on 429 and 503 only; < 0 is taken as 0

  static Outcome success() { return {}; }
  static Outcome http(int status, std::optional<std::int64_t> retry_after_ms = std::nullopt) {
    return {Kind::http_status, status, retry_after_ms};
  }
  static Outcome network_error() { return {Kind::network_error, 0, std::nullopt}; }
};

class Scheduler {
 public:
  // Errors: "invalid_scheduler_options" naming the field.
  static Result<Scheduler> create(const SchedulerOptions& options);

  // Adds a watch, or changes one. `host` is compared case-insensitively. A new watch is due at
  // `due_ms` (default: at once, e.g. the store's next_check_at on agent start); a changed one
  // keeps its due time unless `due_ms` is given, except that a shorter interval brings it
  // forward to (last finish + new interval). A running watch keeps running; the change applies
  // from its next check. Errors: "invalid_host", "invalid_interval", "invalid_active_hours",
  // "invalid_time".
  Status add_or_update(WatchId id, std::string_view host, std::int64_t interval_ms = kDefaultIntervalMs,
                       std::optional<ActiveHours> active_hours = std::nullopt,
                       std::optional<std::int64_t> due_ms = std::nullopt);

  // Forgets a watch; false when unknown. A running watch's host stays held until its
  // finished() call, which then just releases it.
  bool remove(WatchId id);

  // The watch to start now, if any may start: manual requests first, then by due time.
  // Does not start it: call started().
  std::optional<WatchId> next_due(std::int64_t now_ms);

  // Marks a check as begun: holds its host and counts toward the global cap. Errors:
  // "unknown_watch", "already_running", "host_busy", "host_gap" (too soon for the host),
  // "rate_limited" (global cap reached).
  Status started(WatchId id, std::int64_t now_ms);

  // Marks a check as ended and schedules the next one; returns its due time. The host is
  // released even for a watch removed while it ran (then the error is "unknown_watch").
  // Errors: "unknown_watch", "not_running".
  Result<std::int64_t> finished(WatchId id, std::int64_t now_ms, const Outcome& outcome);

  // When next_due() may next return a watch: now_ms when it would now, otherwise the earliest
  // later time; nullopt when nothing is scheduled (or every host with work is busy: finished()
  // changes that). Never earlier than now_ms.
  std::optional<std::int64_t> wake_at(std::int64_t now_ms);

  // "Check now": the watch goes ahead of every non-manual watch, outside active hours too.
  // No-op for a running watch. Errors: "unknown_watch".
  Status check_now(WatchId id);

  // Introspection (for the agent's status and for tests).
  std::size_t size() const { return watches_.size(); }
  bool contains(WatchId id) const;
  bool is_running(WatchId id) const;
  std::optional<std::int64_t> due_at(WatchId id) const;      // nullopt when unknown or running
  std::int32_t failures(WatchId id) const;                    // consecutive failed checks
  std::optional<std::int64_t> host_free_at(std::string_view host) const;  // nullopt: unknown or busy

 private:
  explicit Scheduler(const SchedulerOptions& o) : opt_(o), rng_(o.seed) {}

  // A watch's place in its host's queue: manual requests (rank 0) first, then due, then FIFO.
  using QueueKey = std::tuple<int, std::int64_t, std::uint64_t, WatchId>;
  struct Watch {
    std::string host;          // the queue it is in (or returns to)
    std::string running_host;  // the host its running check holds
    std::int64_t interval_ms = kDefaultIntervalMs;
    std::optional<ActiveHours> hours;
    std::int64_t due_ms = 0;
    std::uint64_t seq = 0;
    bool manual = false;
    bool running = false;
    bool removed = false;  // removed while running
    std::int32_t failures = 0;
    std::optional<std::int64_t> last_finish_ms;
  };
  enum class Index { none, waiting, ready };
  struct Host {
    std::set<QueueKey> queue;      // watches not running
    bool busy = false;
    std::int64_t free_at = 0;      // gap after the last check and Retry-After hold
    Index index = Index::none;
    std::int64_t waiting_key = 0;  // its key in waiting_ while index == waiting
    QueueKey ready_key{};          // its key in ready_ while index == ready
  };

  QueueKey key_of(WatchId id, const Watch& w) const;
  void enqueue(WatchId id, Watch& w);
  void dequeue(WatchId id, const Watch& w);
  void reindex(const std::string& host);
  void settle(std::int64_t now_ms);
  std::int64_t rate_free_at();
  std::int64_t jittered(std::int64_t delay_ms);
  std::uint64_t next_random();

  SchedulerOptions opt_;
  std::uint64_t rng_;
  std::uint64_t next_seq_ = 1;
  std::int64_t now_ = 0;
  std::unordered_map<WatchId, Watch> watches_;
  std::unordered_map<std::string, Host> hosts_;
  std::set<std::pair<std::int64_t, std::string>> waiting_;  // (time its front may start, host)
  std::set<std::pair<QueueKey, std::string>> ready_;        // (its front's key, host)
  std::deque<std::int64_t> recent_starts_;                  // starts in the last 60 s
};

}  // namespace dealstack::monitor
