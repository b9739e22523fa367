#include "monitor/scheduler.hpp"

#include <algorithm>

namespace dealstack::monitor {

namespace {

constexpr std::int64_t kMinuteMs = 60'000;
constexpr std::int64_t kDayMs = 86'400'000;
constexpr std::int64_t kRateWindowMs = 60'000;
// Times are clamped to [0, year 9999] so that adding any delay we allow cannot overflow.
constexpr std::int64_t kMaxTimeMs = 253'402'300'799'999;

std::int64_t clamp_time(std::int64_t t) { return std::clamp<std::int64_t>(t, 0, kMaxTimeMs); }

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

Result<std::string> normalized_host(std::string_view host) {
  if (host.empty()) return make_error("invalid_host", "the host is empty");
  if (host.size() > 255) return make_error("invalid_host", "the host is longer than 255 bytes");
  std::string out(host);
  for (char& c : out) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '/')
      return make_error("invalid_host", "the host has a space, control, non-ASCII or '/' byte");
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

Status validate_active_hours(const ActiveHours& h) {
  if (h.start_minute < 0 || h.start_minute > 1439)
    return make_error("invalid_active_hours", "start_minute must be 0..1439, got " + std::to_string(h.start_minute));
  if (h.end_minute < 0 || h.end_minute > 1440)
    return make_error("invalid_active_hours", "end_minute must be 0..1440, got " + std::to_string(h.end_minute));
  if (h.start_minute == h.end_minute)
    return make_error("invalid_active_hours", "start_minute and end_minute are equal: the window is empty");
  if (h.utc_offset_minutes < -840 || h.utc_offset_minutes > 840)
    return make_error("invalid_active_hours",
                      "utc_offset_minutes must be -840..840, got " + std::to_string(h.utc_offset_minutes));
  return Unit{};
}

bool in_active_hours(const ActiveHours& h, std::int64_t t_ms) {
  std::int64_t local = t_ms + std::int64_t{h.utc_offset_minutes} * kMinuteMs;
  std::int64_t minute = (local - floor_div(local, kDayMs) * kDayMs) / kMinuteMs;
  if (h.start_minute < h.end_minute) return minute >= h.start_minute && minute < h.end_minute;
  return minute >= h.start_minute || minute < h.end_minute;
}

std::int64_t next_active_start(const ActiveHours& h, std::int64_t t_ms) {
  if (in_active_hours(h, t_ms)) return t_ms;
  const std::int64_t offset = std::int64_t{h.utc_offset_minutes} * kMinuteMs;
  std::int64_t local = t_ms + offset;
  std::int64_t opens = floor_div(local, kDayMs) * kDayMs + std::int64_t{h.start_minute} * kMinuteMs;
  if (opens <= local) opens += kDayMs;  // today's opening has passed (we are after the close)
  return opens - offset;
}

Result<Scheduler> Scheduler::create(const SchedulerOptions& o) {
  auto bad = [](std::string what) { return make_error("invalid_scheduler_options", std::move(what)); };
  if (o.min_host_gap_ms < 0 || o.min_host_gap_ms > kDayMs)
    return bad("min_host_gap_ms must be 0..86400000, got " + std::to_string(o.min_host_gap_ms));
  if (o.global_rate_per_minute < 1 || o.global_rate_per_minute > 10000)
    return bad("global_rate_per_minute must be 1..10000, got " + std::to_string(o.global_rate_per_minute));
  if (o.base_backoff_ms < 1000 || o.base_backoff_ms > kMaxIntervalMs)
    return bad("base_backoff_ms must be 1000..2592000000, got " + std::to_string(o.base_backoff_ms));
  if (o.max_backoff_ms < o.base_backoff_ms || o.max_backoff_ms > kMaxIntervalMs)
    return bad("max_backoff_ms must be base_backoff_ms..2592000000, got " + std::to_string(o.max_backoff_ms));
  if (o.max_retry_after_ms < 0 || o.max_retry_after_ms > kMaxIntervalMs)
    return bad("max_retry_after_ms must be 0..2592000000, got " + std::to_string(o.max_retry_after_ms));
  if (o.jitter_percent < 0 || o.jitter_percent > 50)
    return bad("jitter_percent must be 0..50, got " + std::to_string(o.jitter_percent));
  return Scheduler(o);
}

Scheduler::QueueKey Scheduler::key_of(WatchId id, const Watch& w) const {
  return {w.manual ? 0 : 1, w.due_ms, w.seq, id};
}

void Scheduler::enqueue(WatchId id, Watch& w) { hosts_[w.host].queue.insert(key_of(id, w)); }

void Scheduler::dequeue(WatchId id, const Watch& w) {
  auto it = hosts_.find(w.host);
  if (it != hosts_.end()) it->second.queue.erase(key_of(id, w));
}

// Puts `host` in the set its state calls for: none (busy or nothing queued), ready (its front
// watch may start now), or waiting (keyed by when it may).
void Scheduler::reindex(const std::string& host) {
  auto it = hosts_.find(host);
  if (it == hosts_.end()) return;
  Host& h = it->second;
  if (h.index == Index::waiting) waiting_.erase({h.waiting_key, host});
  if (h.index == Index::ready) ready_.erase({h.ready_key, host});
  h.index = Index::none;
  if (h.busy || h.queue.empty()) return;
  const QueueKey& front = *h.queue.begin();
  std::int64_t may_start = std::max(std::get<1>(front), h.free_at);
  if (may_start <= now_) {
    h.ready_key = front;
    h.index = Index::ready;
    ready_.insert({front, host});
  } else {
    h.waiting_key = may_start;
    h.index = Index::waiting;
    waiting_.insert({may_start, host});
  }
}

// Advances the clock, moves hosts whose time has come to the ready set, and pushes a front
// watch that is now outside its active hours (held back by a gap or the cap past its window)
// to its next window, so the ready set's first entry is always startable but for the cap.
void Scheduler::settle(std::int64_t now_ms) {
  now_ = std::max(now_, clamp_time(now_ms));
  for (;;) {
    while (!waiting_.empty() && waiting_.begin()->first <= now_) {
      std::string host = waiting_.begin()->second;
      reindex(host);
    }
    if (ready_.empty()) return;
    const auto& [key, host] = *ready_.begin();
    WatchId id = std::get<3>(key);
    Watch& w = watches_.at(id);
    if (w.manual || !w.hours || in_active_hours(*w.hours, now_)) return;
    std::string host_copy = host;
    dequeue(id, w);
    w.due_ms = next_active_start(*w.hours, now_);
    enqueue(id, w);
    reindex(host_copy);
  }
}

std::int64_t Scheduler::rate_free_at() {
  while (!recent_starts_.empty() && recent_starts_.front() + kRateWindowMs <= now_) recent_starts_.pop_front();
  if (recent_starts_.size() < static_cast<std::size_t>(opt_.global_rate_per_minute)) return now_;
  return recent_starts_.front() + kRateWindowMs;
}

// splitmix64: tiny, fully specified, so a seed gives the same schedule on every platform.
std::uint64_t Scheduler::next_random() {
  std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::int64_t Scheduler::jittered(std::int64_t delay_ms) {
  std::int64_t span = delay_ms * opt_.jitter_percent / 100;  // delays are <= 30 days: no overflow
  if (span <= 0) return delay_ms;
  auto n = static_cast<std::uint64_t>(2 * span + 1);
  std::uint64_t threshold = (0 - n) % n;  // rejection sampling: no modulo bias
  std::uint64_t x;
  do x = next_random();
  while (x < threshold);
  return delay_ms - span + static_cast<std::int64_t>(x % n);
}

Status Scheduler::add_or_update(WatchId id, std::string_view host_in, std::int64_t interval_ms,
                                std::optional<ActiveHours> active_hours, std::optional<std::int64_t> due_ms) {
  auto host = normalized_host(host_in);
  if (!host) return host.error();
  if (interval_ms < kMinIntervalMs || interval_ms > kMaxIntervalMs)
    return make_error("invalid_interval", "interval_ms must be 120000..2592000000 (2 min to 30 days), got " +
                                              std::to_string(interval_ms));
  if (active_hours)
    if (auto st = validate_active_hours(*active_hours); !st) return st;
  if (due_ms && (*due_ms < 0 || *due_ms > kMaxTimeMs))
    return make_error("invalid_time", "due_ms is outside 0..year 9999: " + std::to_string(*due_ms));

  auto it = watches_.find(id);
  if (it == watches_.end()) {
    Watch w;
    w.host = *host;
    w.interval_ms = interval_ms;
    w.hours = active_hours;
    w.due_ms = due_ms.value_or(now_);
    if (w.hours) w.due_ms = next_active_start(*w.hours, w.due_ms);
    w.seq = next_seq_++;
    Watch& stored = watches_.emplace(id, std::move(w)).first->second;
    enqueue(id, stored);
    reindex(stored.host);
    return Unit{};
  }

  Watch& w = it->second;
  if (!w.running) dequeue(id, w);
  std::string old_host = w.host;
  bool shorter = interval_ms < w.interval_ms;
  w.host = *host;
  w.interval_ms = interval_ms;
  w.hours = active_hours;
  w.removed = false;
  if (due_ms)
    w.due_ms = *due_ms;
  else if (shorter && w.last_finish_ms)
    w.due_ms = std::min(w.due_ms, *w.last_finish_ms + interval_ms);
  if (w.hours && !w.manual) w.due_ms = next_active_start(*w.hours, w.due_ms);
  if (!w.running) enqueue(id, w);
  reindex(old_host);
  if (old_host != w.host) reindex(w.host);
  return Unit{};
}

bool Scheduler::remove(WatchId id) {
  auto it = watches_.find(id);
  if (it == watches_.end() || it->second.removed) return false;
  Watch& w = it->second;
  if (w.running) {
    w.removed = true;  // finished() releases the host and forgets it
    return true;
  }
  dequeue(id, w);
  std::string host = w.host;
  watches_.erase(it);
  reindex(host);
  return true;
}

std::optional<WatchId> Scheduler::next_due(std::int64_t now_ms) {
  settle(now_ms);
  if (ready_.empty() || rate_free_at() > now_) return std::nullopt;
  return std::get<3>(ready_.begin()->first);
}

Status Scheduler::started(WatchId id, std::int64_t now_ms) {
  now_ = std::max(now_, clamp_time(now_ms));
  auto it = watches_.find(id);
  if (it == watches_.end() || it->second.removed)
    return make_error("unknown_watch", "no watch " + std::to_string(id) + " is scheduled");
  Watch& w = it->second;
  if (w.running) return make_error("already_running", "watch " + std::to_string(id) + " is already being checked");
  Host& h = hosts_[w.host];
  if (h.busy) return make_error("host_busy", "another check of " + w.host + " is running");
  if (now_ < h.free_at)
    return make_error("host_gap", "too soon for " + w.host + ": it is free at " + std::to_string(h.free_at));
  if (std::int64_t t = rate_free_at(); t > now_)
    return make_error("rate_limited", "the global rate cap is reached until " + std::to_string(t));
  dequeue(id, w);
  w.running = true;
  w.running_host = w.host;
  h.busy = true;
  reindex(w.host);
  recent_starts_.push_back(now_);
  return Unit{};
}

Result<std::int64_t> Scheduler::finished(WatchId id, std::int64_t now_ms, const Outcome& outcome) {
  now_ = std::max(now_, clamp_time(now_ms));
  auto it = watches_.find(id);
  if (it == watches_.end()) return make_error("unknown_watch", "no watch " + std::to_string(id) + " is scheduled");
  Watch& w = it->second;
  if (!w.running) return make_error("not_running", "watch " + std::to_string(id) + " was not started");

  const std::string held = w.running_host;
  Host& h = hosts_[held];
  h.busy = false;
  h.free_at = std::max(h.free_at, now_ + opt_.min_host_gap_ms);
  std::optional<std::int64_t> retry_after;
  if (outcome.kind == Outcome::Kind::http_status && (outcome.http_status == 429 || outcome.http_status == 503) &&
      outcome.retry_after_ms) {
    retry_after = std::clamp<std::int64_t>(*outcome.retry_after_ms, 0, opt_.max_retry_after_ms);
    h.free_at = std::max(h.free_at, now_ + *retry_after);  // the server asked the whole host to wait
  }
  w.running = false;
  w.manual = false;
  w.last_finish_ms = now_;
  if (w.removed) {
    watches_.erase(it);
    reindex(held);
    return make_error("unknown_watch", "watch " + std::to_string(id) + " was removed while it ran");
  }

  std::int64_t delay;
  if (outcome.kind == Outcome::Kind::ok) {
    w.failures = 0;
    delay = jittered(w.interval_ms);
  } else {
    if (w.failures < 1000000) ++w.failures;
    std::int64_t backoff = opt_.base_backoff_ms;
    for (std::int32_t i = 1; i < w.failures && backoff < opt_.max_backoff_ms; ++i) backoff *= 2;
    delay = std::min(opt_.max_backoff_ms, jittered(std::min(backoff, opt_.max_backoff_ms)));
    if (retry_after) delay = std::max(delay, *retry_after);
  }
  w.due_ms = now_ + delay;
  if (w.hours) w.due_ms = next_active_start(*w.hours, w.due_ms);
  w.seq = next_seq_++;
  enqueue(id, w);
  reindex(held);
  if (w.host != held) reindex(w.host);
  return w.due_ms;
}

std::optional<std::int64_t> Scheduler::wake_at(std::int64_t now_ms) {
  settle(now_ms);
  std::optional<std::int64_t> t;
  if (!ready_.empty())
    t = now_;
  else if (!waiting_.empty())
    t = waiting_.begin()->first;
  if (!t) return std::nullopt;
  return std::max(*t, rate_free_at());
}

Status Scheduler::check_now(WatchId id) {
  auto it = watches_.find(id);
  if (it == watches_.end() || it->second.removed)
    return make_error("unknown_watch", "no watch " + std::to_string(id) + " is scheduled");
  Watch& w = it->second;
  if (w.running) return Unit{};
  dequeue(id, w);
  w.manual = true;
  w.due_ms = now_;
  w.seq = next_seq_++;  // manual requests are served in the order they came
  enqueue(id, w);
  reindex(w.host);
  return Unit{};
}

bool Scheduler::contains(WatchId id) const {
  auto it = watches_.find(id);
  return it != watches_.end() && !it->second.removed;
}

bool Scheduler::is_running(WatchId id) const {
  auto it = watches_.find(id);
  return it != watches_.end() && it->second.running;
}

std::optional<std::int64_t> Scheduler::due_at(WatchId id) const {
  auto it = watches_.find(id);
  if (it == watches_.end() || it->second.running || it->second.removed) return std::nullopt;
  return it->second.due_ms;
}

std::int32_t Scheduler::failures(WatchId id) const {
  auto it = watches_.find(id);
  return it == watches_.end() ? 0 : it->second.failures;
}

std::optional<std::int64_t> Scheduler::host_free_at(std::string_view host) const {
  auto name = normalized_host(host);
  if (!name) return std::nullopt;
  auto it = hosts_.find(*name);
  if (it == hosts_.end() || it->second.busy) return std::nullopt;
  return it->second.free_at;
}

}  // namespace dealstack::monitor
