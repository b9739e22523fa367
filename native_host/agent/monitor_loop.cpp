#include "agent/monitor_loop.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>

#include "http/url.hpp"
#include "sync/feeds.hpp"

namespace dealstack::agent {

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The local time zone's offset from UTC now, in minutes (DST included: re-read on every
// schedule change, so a watch's active hours follow the clock the user sees).
std::int32_t local_utc_offset_minutes(std::int64_t at_ms) {
  const time_t t = static_cast<time_t>(at_ms / 1000);
  struct tm local {};
  if (localtime_r(&t, &local) == nullptr) return 0;
  return static_cast<std::int32_t>(local.tm_gmtoff / 60);
}

std::optional<monitor::ActiveHours> hours_of(const store::Watch& w, std::int64_t now) {
  if (!w.active_hours) return std::nullopt;
  return monitor::ActiveHours{w.active_hours->start_minute, w.active_hours->end_minute,
                              local_utc_offset_minutes(now)};
}

// Re-checks a sleeping loop at least this often, so a wall clock that jumps is noticed.
constexpr std::int64_t kMaxSleepMs = 60'000;
// check_now answers at once with "shop_busy" rather than wait longer than this for a host.
constexpr std::int64_t kMaxCheckNowWaitMs = 60'000;

}  // namespace

std::string schedule_host(const std::string& url) {
  auto u = http::parse_url(url);
  if (!u) return url;
  const bool default_port = (u->scheme == "https" && u->port == 443) || (u->scheme == "http" && u->port == 80);
  return default_port ? u->host : u->host + ":" + std::to_string(u->port);
}

MonitorLoop::MonitorLoop(boost::asio::io_context& io, store::Store& store, MonitorOptions options,
                         MonitorHooks hooks)
    : io_(io),
      store_(store),
      options_(std::move(options)),
      hooks_(std::move(hooks)),
      timer_(io),
      alive_(std::make_shared<bool>(true)) {
  options_.max_in_flight = std::max<std::size_t>(1, options_.max_in_flight);
  if (!options_.rules_for_host)
    options_.rules_for_host = [db = &store](const std::string& host) -> std::optional<std::string> {
      auto pack = sync::rule_pack_for_host(*db, host);
      return pack ? *pack : std::nullopt;
    };
}

MonitorLoop::~MonitorLoop() {
  *alive_ = false;
  waiters_.clear();  // no callbacks from a destructor: their owners may be half gone
  stop();
}

std::size_t MonitorLoop::scheduled() const { return scheduler_ ? scheduler_->size() : 0; }

Status MonitorLoop::start() {
  auto made = monitor::Scheduler::create(options_.schedule);
  if (!made) return made.error();
  scheduler_.emplace(std::move(*made));
  auto watches = store_.list_watches();
  if (!watches) return watches.error();
  auto states = store_.monitor_states();
  if (!states) return states.error();
  std::map<std::int64_t, std::optional<std::int64_t>> next;
  for (const auto& [id, s] : *states) next[id] = s.next_check_at;
  const std::int64_t now = now_ms();
  for (const auto& w : *watches) {
    if (w.state != "active") continue;
    std::optional<std::int64_t> due = now;
    if (auto it = next.find(w.id); it != next.end() && it->second) due = std::max(now, *it->second);
    // A watch the scheduler refuses (a url it can't parse) is left unchecked; its next
    // edit gets the error.
    (void)scheduler_->add_or_update(w.id, schedule_host(w.url), w.interval_seconds * 1000, hours_of(w, now), due);
  }
  pump();
  return Unit{};
}

Status MonitorLoop::watch_changed(const store::Watch& w) {
  if (!scheduler_) return Unit{};
  if (w.state != "active") {
    if (!scheduler_->is_running(w.id)) scheduler_->remove(w.id);
    pump();
    return Unit{};
  }
  paused_manual_.erase(w.id);
  const std::int64_t now = now_ms();
  auto ok = scheduler_->add_or_update(w.id, schedule_host(w.url), w.interval_seconds * 1000, hours_of(w, now));
  pump();
  return ok;
}

void MonitorLoop::watch_removed(std::int64_t id) {
  if (!scheduler_) return;
  scheduler_->remove(id);
  paused_manual_.erase(id);
  fail_waiters(id, make_error("not_found", "watch " + std::to_string(id) + " was removed"));
  pump();
}

void MonitorLoop::check_now(std::int64_t id, CheckCallback done) {
  auto w = store_.get_watch(id);
  if (!w) {
    done(w.error());
    return;
  }
  if (!scheduler_ || stopped_) {
    done(make_error("agent_stopping", "the agent is stopping"));
    return;
  }
  if (!scheduler_->contains(id)) {
    // A paused watch: scheduled for this one check only.
    const std::int64_t now = now_ms();
    if (auto ok = scheduler_->add_or_update(id, schedule_host(w->url), w->interval_seconds * 1000,
                                            std::nullopt, now);
        !ok) {
      done(ok.error());
      return;
    }
    paused_manual_.insert(id);
  }
  if (auto ok = scheduler_->check_now(id); !ok) {
    done(ok.error());
    return;
  }
  // A shop that asked us to wait (Retry-After) is not asked again before that, not even on
  // request: say so now rather than keep the caller waiting for hours.
  const std::int64_t now = now_ms();
  if (auto free_at = scheduler_->host_free_at(schedule_host(w->url)); free_at && *free_at > now + kMaxCheckNowWaitMs) {
    done(make_error("shop_busy", "the shop asked us to wait; watch " + std::to_string(id) + " is checked in " +
                                     std::to_string((*free_at - now + 59'999) / 60'000) + " min"));
    pump();
    return;
  }
  waiters_[id].push_back(std::move(done));
  pump();
}

void MonitorLoop::stop() {
  stopped_ = true;
  timer_.cancel();
  // A check in flight is no longer stored: its waiters hear so now rather than never.
  auto waiting = std::move(waiters_);
  waiters_.clear();
  for (auto& [id, callbacks] : waiting)
    for (auto& cb : callbacks) cb(make_error("agent_stopping", "the agent is stopping"));
}

void MonitorLoop::fail_waiters(std::int64_t id, const Error& error) {
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  auto callbacks = std::move(it->second);
  waiters_.erase(it);
  for (auto& cb : callbacks) cb(error);
}

void MonitorLoop::pump() {
  if (stopped_ || !scheduler_) return;
  const std::int64_t now = now_ms();
  while (in_flight_ < options_.max_in_flight) {
    auto id = scheduler_->next_due(now);
    if (!id) break;
    start_check(*id, now);
  }
  arm_timer(now);
}

void MonitorLoop::arm_timer(std::int64_t now) {
  timer_.cancel();
  if (in_flight_ >= options_.max_in_flight) return;  // a finishing check pumps again
  auto wake = scheduler_->wake_at(now);
  if (!wake) return;
  const std::int64_t wait = std::clamp<std::int64_t>(*wake - now, 0, kMaxSleepMs);
  timer_.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(wait, 1)));
  std::weak_ptr<bool> alive = alive_;
  timer_.async_wait([this, alive](const boost::system::error_code& ec) {
    if (ec || alive.expired()) return;
    pump();
  });
}

void MonitorLoop::start_check(std::int64_t id, std::int64_t now) {
  auto w = store_.get_watch(id);
  auto state = w ? store_.monitor_state(id) : Result<store::MonitorState>(w.error());
  if (!w || !state) {
    scheduler_->remove(id);
    fail_waiters(id, w ? state.error() : w.error());
    return;
  }
  if (auto ok = scheduler_->started(id, now); !ok) {
    // next_due said it may start; this is a bug, but never a stuck loop.
    scheduler_->remove(id);
    fail_waiters(id, ok.error());
    return;
  }
  ++in_flight_;
  std::weak_ptr<bool> alive = alive_;
  http::async_fetch(io_, monitor::check_request(*w, *state), options_.client,
                    [this, alive, id, now](Result<http::Response> response) {
                      if (alive.expired()) return;
                      finish_check(id, response, now);
                    });
}

void MonitorLoop::finish_check(std::int64_t id, const Result<http::Response>& response, std::int64_t) {
  --in_flight_;
  if (stopped_) return;
  const std::int64_t now = now_ms();
  auto w = store_.get_watch(id);
  monitor::ReadOptions read;
  read.rules_for_host = options_.rules_for_host;
  read.rule_cache = &rule_cache_;
  const monitor::Reading reading = w ? monitor::read_response(response, *w, read) : monitor::Reading{};
  auto next = scheduler_->finished(id, now, reading.outcome);
  // Removed while its page was being fetched (from the store, or by watch_removed, which has
  // told its waiters already): nothing is stored for a watch no longer monitored.
  if (!w || (!next && next.error().code == "unknown_watch")) {
    scheduler_->remove(id);
    fail_waiters(id, w ? make_error("not_found", "watch " + std::to_string(id) + " was removed") : w.error());
    pump();
    return;
  }
  std::optional<std::int64_t> next_at;
  if (next) next_at = *next;
  // Paused: checked only on request (check_now), or paused while this check ran.
  if (paused_manual_.erase(id) > 0 || w->state != "active") {
    scheduler_->remove(id);
    next_at.reset();
  }
  auto done = monitor::store_check(store_, id, reading, now, next_at);
  if (done) {
    if (done->alert && hooks_.alert) hooks_.alert(*done->alert, done->watch);
    if (hooks_.checked) hooks_.checked(*done);
  }
  auto it = waiters_.find(id);
  if (it != waiters_.end()) {
    auto callbacks = std::move(it->second);
    waiters_.erase(it);
    for (auto& cb : callbacks) cb(done);
  }
  pump();
}

}  // namespace dealstack::agent
