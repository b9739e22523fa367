#include "monitor/scheduler.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace dealstack;
using namespace dealstack::monitor;

namespace {

constexpr std::int64_t kSec = 1000;
constexpr std::int64_t kMin = 60 * kSec;
constexpr std::int64_t kHour = 60 * kMin;
constexpr std::int64_t kDay = 24 * kHour;
// 2024-01-01T00:00:00Z: a realistic clock with a known time of day.
constexpr std::int64_t kT0 = 1704067200000;

SchedulerOptions quiet() {
  SchedulerOptions o;
  o.min_host_gap_ms = 0;
  o.global_rate_per_minute = 10000;
  o.jitter_percent = 0;
  return o;
}

Scheduler make(const SchedulerOptions& o) {
  auto s = Scheduler::create(o);
  REQUIRE(s.ok());
  return std::move(s.value());
}

// Starts whatever is due at `now` and checks that started() agrees.
std::optional<WatchId> start_next(Scheduler& s, std::int64_t now) {
  auto id = s.next_due(now);
  if (id) {
    auto st = s.started(*id, now);
    REQUIRE_MESSAGE(st.ok(), st.error().message);
  }
  return id;
}

std::int64_t finish(Scheduler& s, WatchId id, std::int64_t now, Outcome o = Outcome::success()) {
  auto r = s.finished(id, now, o);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  return *r;
}

}  // namespace

TEST_CASE("bad options are refused, naming the field") {
  auto bad = [](auto edit, const char* field) {
    SchedulerOptions o;
    edit(o);
    auto s = Scheduler::create(o);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().code == "invalid_scheduler_options");
    CHECK(s.error().message.find(field) != std::string::npos);
  };
  bad([](SchedulerOptions& o) { o.min_host_gap_ms = -1; }, "min_host_gap_ms");
  bad([](SchedulerOptions& o) { o.global_rate_per_minute = 0; }, "global_rate_per_minute");
  bad([](SchedulerOptions& o) { o.base_backoff_ms = 10; }, "base_backoff_ms");
  bad([](SchedulerOptions& o) { o.max_backoff_ms = o.base_backoff_ms - 1; }, "max_backoff_ms");
  bad([](SchedulerOptions& o) { o.max_retry_after_ms = -5; }, "max_retry_after_ms");
  bad([](SchedulerOptions& o) { o.jitter_percent = 51; }, "jitter_percent");
  CHECK(Scheduler::create(SchedulerOptions{}).ok());
}

TEST_CASE("bad watches are refused and leave nothing scheduled") {
  auto s = make(quiet());
  CHECK(s.add_or_update(1, "", kDefaultIntervalMs).error().code == "invalid_host");
  CHECK(s.add_or_update(1, "a b.com", kDefaultIntervalMs).error().code == "invalid_host");
  CHECK(s.add_or_update(1, "a.com/x", kDefaultIntervalMs).error().code == "invalid_host");
  CHECK(s.add_or_update(1, std::string(256, 'a'), kDefaultIntervalMs).error().code == "invalid_host");
  auto e = s.add_or_update(1, "a.com", kMinIntervalMs - 1);
  CHECK(e.error().code == "invalid_interval");
  CHECK(e.error().message.find("119999") != std::string::npos);
  CHECK(s.add_or_update(1, "a.com", kMaxIntervalMs + 1).error().code == "invalid_interval");
  CHECK(s.add_or_update(1, "a.com", kMinIntervalMs, ActiveHours{600, 600, 0}).error().code == "invalid_active_hours");
  CHECK(s.add_or_update(1, "a.com", kMinIntervalMs, ActiveHours{1440, 0, 0}).error().code == "invalid_active_hours");
  CHECK(s.add_or_update(1, "a.com", kMinIntervalMs, ActiveHours{0, 60, 900}).error().message.find("utc_offset") !=
        std::string::npos);
  CHECK(s.add_or_update(1, "a.com", kMinIntervalMs, std::nullopt, -1).error().code == "invalid_time");
  CHECK(s.size() == 0);
  CHECK_FALSE(s.next_due(kT0).has_value());
  CHECK_FALSE(s.wake_at(kT0).has_value());
  CHECK(s.add_or_update(1, "a.com", kMinIntervalMs).ok());
  CHECK(s.add_or_update(2, "a.com", kMaxIntervalMs).ok());
}

TEST_CASE("a new watch is due at once, or at the due time given") {
  auto s = make(quiet());
  s.wake_at(kT0);  // the clock is at kT0
  REQUIRE(s.add_or_update(1, "a.com").ok());
  REQUIRE(s.add_or_update(2, "b.com", kDefaultIntervalMs, std::nullopt, kT0 + kHour).ok());
  CHECK(s.due_at(1) == kT0);
  CHECK(s.wake_at(kT0) == kT0);
  CHECK(start_next(s, kT0) == 1);
  CHECK_FALSE(s.next_due(kT0).has_value());
  CHECK(s.wake_at(kT0) == kT0 + kHour);
  CHECK_FALSE(s.next_due(kT0 + kHour - 1).has_value());
  CHECK(s.next_due(kT0 + kHour) == 2);
}

TEST_CASE("success schedules the interval; without jitter exactly") {
  auto s = make(quiet());
  REQUIRE(s.add_or_update(7, "a.com", 3 * kHour, std::nullopt, kT0).ok());
  REQUIRE(start_next(s, kT0) == 7);
  CHECK(s.is_running(7));
  CHECK_FALSE(s.due_at(7).has_value());
  CHECK(finish(s, 7, kT0 + 5 * kSec) == kT0 + 5 * kSec + 3 * kHour);
  CHECK(s.due_at(7) == kT0 + 5 * kSec + 3 * kHour);
  CHECK_FALSE(s.is_running(7));
}

TEST_CASE("jitter stays within bounds, spreads, and is deterministic by seed") {
  auto run = [](std::uint64_t seed) {
    SchedulerOptions o = quiet();
    o.jitter_percent = 10;
    o.seed = seed;
    auto s = make(o);
    REQUIRE(s.add_or_update(1, "a.com", kHour, std::nullopt, kT0).ok());
    std::vector<std::int64_t> delays;
    std::int64_t t = kT0;
    for (int i = 0; i < 400; ++i) {
      REQUIRE(start_next(s, t) == 1);
      std::int64_t due = finish(s, 1, t);
      delays.push_back(due - t);
      t = due;
    }
    return delays;
  };
  auto a = run(42), b = run(42), c = run(43);
  CHECK(a == b);
  CHECK(a != c);
  auto [lo, hi] = std::minmax_element(a.begin(), a.end());
  CHECK(*lo >= kHour - 6 * kMin);
  CHECK(*hi <= kHour + 6 * kMin);
  // Spread over the whole band, not stuck near the interval.
  CHECK(*lo < kHour - 5 * kMin);
  CHECK(*hi > kHour + 5 * kMin);
  CHECK(std::set<std::int64_t>(a.begin(), a.end()).size() > 390);
}

TEST_CASE("one check at a time per host; other hosts go on") {
  auto s = make(quiet());
  REQUIRE(s.add_or_update(1, "shop.example", kHour, std::nullopt, kT0).ok());
  REQUIRE(s.add_or_update(2, "SHOP.example", kHour, std::nullopt, kT0).ok());  // same host, any case
  REQUIRE(s.add_or_update(3, "other.example", kHour, std::nullopt, kT0 + 1).ok());
  CHECK(start_next(s, kT0) == 1);
  CHECK_FALSE(s.next_due(kT0).has_value());  // 2 is due but its host is busy
  auto e = s.started(2, kT0);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code == "host_busy");
  CHECK(start_next(s, kT0 + 1) == 3);
  CHECK(s.started(1, kT0 + 1).error().code == "already_running");
  CHECK_FALSE(s.wake_at(kT0 + 2).has_value());  // both hosts busy: only finished() can change that
  finish(s, 1, kT0 + 10 * kSec);
  CHECK(start_next(s, kT0 + 10 * kSec) == 2);
}

TEST_CASE("a host gets its minimum gap after each check") {
  SchedulerOptions o = quiet();
  o.min_host_gap_ms = 30 * kSec;
  auto s = make(o);
  REQUIRE(s.add_or_update(1, "a.com", kHour, std::nullopt, kT0).ok());
  REQUIRE(s.add_or_update(2, "a.com", kHour, std::nullopt, kT0).ok());
  REQUIRE(s.add_or_update(3, "b.com", kHour, std::nullopt, kT0 + 5 * kSec).ok());
  REQUIRE(start_next(s, kT0) == 1);
  finish(s, 1, kT0 + 2 * kSec);
  CHECK(s.host_free_at("a.com") == kT0 + 32 * kSec);
  CHECK(s.wake_at(kT0 + 2 * kSec) == kT0 + 5 * kSec);  // b.com first
  CHECK(start_next(s, kT0 + 5 * kSec) == 3);
  CHECK(s.wake_at(kT0 + 5 * kSec) == kT0 + 32 * kSec);
  CHECK_FALSE(s.next_due(kT0 + 32 * kSec - 1).has_value());
  CHECK(s.started(2, kT0 + 32 * kSec - 1).error().code == "host_gap");
  CHECK(start_next(s, kT0 + 32 * kSec) == 2);
}

TEST_CASE("the global cap allows at most N starts in any 60 seconds") {
  SchedulerOptions o = quiet();
  o.global_rate_per_minute = 3;
  auto s = make(o);
  for (WatchId id = 1; id <= 6; ++id)
    REQUIRE(s.add_or_update(id, "h" + std::to_string(id) + ".com", kHour, std::nullopt, kT0 + id).ok());
  std::int64_t t = kT0 + 10;
  CHECK(start_next(s, t) == 1);
  CHECK(start_next(s, t + 1000) == 2);
  CHECK(start_next(s, t + 2000) == 3);
  CHECK_FALSE(s.next_due(t + 2000).has_value());
  CHECK(s.started(4, t + 2000).error().code == "rate_limited");
  CHECK(s.wake_at(t + 2000) == t + kMin);  // when the first start leaves the window
  CHECK_FALSE(s.next_due(t + kMin - 1).has_value());
  CHECK(start_next(s, t + kMin) == 4);
  CHECK_FALSE(s.next_due(t + kMin).has_value());
  CHECK(s.wake_at(t + kMin) == t + 1000 + kMin);
  CHECK(start_next(s, t + 1000 + kMin) == 5);
}

TEST_CASE("failures back off exponentially up to the cap; success resets") {
  SchedulerOptions o = quiet();
  o.base_backoff_ms = kMin;
  o.max_backoff_ms = 8 * kMin;
  auto s = make(o);
  REQUIRE(s.add_or_update(1, "a.com", 3 * kHour, std::nullopt, kT0).ok());
  std::int64_t t = kT0;
  std::vector<std::int64_t> delays;
  for (int i = 0; i < 6; ++i) {
    REQUIRE(start_next(s, t) == 1);
    Outcome out = i % 2 ? Outcome::network_error() : Outcome::http(500);
    std::int64_t due = finish(s, 1, t, out);
    delays.push_back(due - t);
    t = due;
  }
  CHECK(delays == std::vector<std::int64_t>{kMin, 2 * kMin, 4 * kMin, 8 * kMin, 8 * kMin, 8 * kMin});
  CHECK(s.failures(1) == 6);
  REQUIRE(start_next(s, t) == 1);
  CHECK(finish(s, 1, t) == t + 3 * kHour);
  CHECK(s.failures(1) == 0);
  REQUIRE(start_next(s, t + 3 * kHour) == 1);
  CHECK(finish(s, 1, t + 3 * kHour, Outcome::network_error()) == t + 3 * kHour + kMin);
}

TEST_CASE("backoff with jitter stays under the cap") {
  SchedulerOptions o;
  o.min_host_gap_ms = 0;
  o.jitter_percent = 50;
  o.base_backoff_ms = kMin;
  o.max_backoff_ms = 4 * kMin;
  auto s = make(o);
  REQUIRE(s.add_or_update(1, "a.com", kHour, std::nullopt, kT0).ok());
  std::int64_t t = kT0;
  for (int i = 0; i < 50; ++i) {
    REQUIRE(start_next(s, t) == 1);
    std::int64_t d = finish(s, 1, t, Outcome::network_error()) - t;
    CHECK(d <= 4 * kMin);
    CHECK(d >= (i == 0 ? kMin / 2 : (i == 1 ? kMin : 2 * kMin)));
    t += d;
  }
}

TEST_CASE("Retry-After on 429 and 503 is a floor for the watch and holds the whole host") {
  SchedulerOptions o = quiet();
  o.base_backoff_ms = kMin;
  o.max_retry_after_ms = 24 * kHour;
  o.min_host_gap_ms = 10 * kSec;
  auto s = make(o);
  REQUIRE(s.add_or_update(1, "a.com", kHour, std::nullopt, kT0).ok());
  REQUIRE(s.add_or_update(2, "a.com", kHour, std::nullopt, kT0).ok());
  REQUIRE(s.add_or_update(3, "b.com", kHour, std::nullopt, kT0 + kMin).ok());
  REQUIRE(start_next(s, kT0) == 1);
  CHECK(finish(s, 1, kT0, Outcome::http(429, 2 * kHour)) == kT0 + 2 * kHour);
  CHECK(s.host_free_at("a.com") == kT0 + 2 * kHour);
  CHECK(start_next(s, kT0 + kMin) == 3);  // another host is not held
  finish(s, 3, kT0 + kMin);
  REQUIRE(s.remove(3));
  CHECK(s.wake_at(kT0 + kMin) == kT0 + 2 * kHour);
  CHECK(s.started(2, kT0 + kHour).error().code == "host_gap");
  CHECK(start_next(s, kT0 + 2 * kHour) == 2);

  // A Retry-After shorter than the backoff leaves the backoff.
  std::int64_t t = kT0 + 3 * kHour;
  CHECK(finish(s, 2, t, Outcome::http(503, 5 * kSec)) == t + kMin);
  CHECK(s.host_free_at("a.com") == t + 10 * kSec);  // the gap is the longer hold here
  // Capped at 24 h, and only on 429/503.
  REQUIRE(start_next(s, t + kHour) == 1);
  CHECK(finish(s, 1, t + kHour, Outcome::http(429, 7 * kDay)) == t + kHour + 24 * kHour);
  REQUIRE(s.add_or_update(4, "c.com", kHour, std::nullopt, t).ok());
  REQUIRE(start_next(s, t + kHour) == 4);
  CHECK(finish(s, 4, t + kHour, Outcome::http(500, 5 * kHour)) == t + kHour + kMin);
  CHECK(s.host_free_at("c.com") == t + kHour + 10 * kSec);  // the gap only: a 500 holds nothing
  REQUIRE(start_next(s, t + kHour + kMin) == 4);
  CHECK(finish(s, 4, t + kHour + kMin, Outcome::http(429, -100)) == t + kHour + kMin + 2 * kMin);
  REQUIRE(start_next(s, t + kHour + 3 * kMin) == 4);
  CHECK(finish(s, 4, t + kHour + 3 * kMin, Outcome::http(429)) == t + kHour + 3 * kMin + 4 * kMin);
}

TEST_CASE("active hours: inside, outside, wrapping midnight, with an offset") {
  ActiveHours day{9 * 60, 17 * 60, 120};  // 09:00-17:00 at UTC+2
  // kT0 is 00:00 UTC = 02:00 local: outside; opens at 09:00 local = 07:00 UTC.
  CHECK_FALSE(in_active_hours(day, kT0));
  CHECK(next_active_start(day, kT0) == kT0 + 7 * kHour);
  CHECK(in_active_hours(day, kT0 + 7 * kHour));
  CHECK(next_active_start(day, kT0 + 8 * kHour) == kT0 + 8 * kHour);
  CHECK(in_active_hours(day, kT0 + 15 * kHour - 1));
  CHECK_FALSE(in_active_hours(day, kT0 + 15 * kHour));  // 17:00 local: closed
  CHECK(next_active_start(day, kT0 + 15 * kHour) == kT0 + kDay + 7 * kHour);

  ActiveHours night{22 * 60, 6 * 60, -300};  // 22:00-06:00 at UTC-5
  // kT0 is 19:00 local the day before: outside; opens 22:00 local = 03:00 UTC.
  CHECK_FALSE(in_active_hours(night, kT0));
  CHECK(next_active_start(night, kT0) == kT0 + 3 * kHour);
  CHECK(in_active_hours(night, kT0 + 10 * kHour));  // 05:00 local
  CHECK_FALSE(in_active_hours(night, kT0 + 11 * kHour));
  CHECK(next_active_start(night, kT0 + 11 * kHour) == kT0 + 27 * kHour);

  ActiveHours to_midnight{23 * 60, 1440, 0};
  CHECK(in_active_hours(to_midnight, kT0 - 1));
  CHECK_FALSE(in_active_hours(to_midnight, kT0));
  CHECK(next_active_start(to_midnight, kT0) == kT0 + 23 * kHour);
}

TEST_CASE("a watch with active hours is scheduled to the window's next start") {
  auto s = make(quiet());
  ActiveHours h{9 * 60, 17 * 60, 0};
  s.wake_at(kT0);
  REQUIRE(s.add_or_update(1, "a.com", 3 * kHour, h).ok());  // added at 00:00 UTC
  CHECK(s.due_at(1) == kT0 + 9 * kHour);
  CHECK(s.wake_at(kT0) == kT0 + 9 * kHour);
  CHECK_FALSE(s.next_due(kT0 + 9 * kHour - 1).has_value());
  REQUIRE(start_next(s, kT0 + 9 * kHour) == 1);
  CHECK(finish(s, 1, kT0 + 9 * kHour) == kT0 + 12 * kHour);
  REQUIRE(start_next(s, kT0 + 15 * kHour) == 1);
  // 15:00 + 3 h = 18:00: outside, so the next day's 09:00.
  CHECK(finish(s, 1, kT0 + 15 * kHour) == kT0 + kDay + 9 * kHour);
}

TEST_CASE("a watch held back past its window's end waits for the next window") {
  SchedulerOptions o = quiet();
  o.min_host_gap_ms = 2 * kHour;
  auto s = make(o);
  REQUIRE(s.add_or_update(1, "a.com", kMaxIntervalMs, std::nullopt, kT0 + 15 * kHour).ok());
  REQUIRE(s.add_or_update(2, "a.com", kDefaultIntervalMs, ActiveHours{9 * 60, 17 * 60, 0}, kT0 + 16 * kHour).ok());
  REQUIRE(start_next(s, kT0 + 15 * kHour) == 1);
  finish(s, 1, kT0 + 15 * kHour);  // the host is held until 17:00, when 2's window closes
  CHECK_FALSE(s.next_due(kT0 + 17 * kHour).has_value());
  CHECK(s.due_at(2) == kT0 + kDay + 9 * kHour);
  CHECK(s.wake_at(kT0 + 17 * kHour) == kT0 + kDay + 9 * kHour);
}

TEST_CASE("check now goes ahead of due watches on its host but waits for the host's gap") {
  SchedulerOptions o = quiet();
  o.min_host_gap_ms = 20 * kSec;
  auto s = make(o);
  REQUIRE(s.add_or_update(1, "a.com", kHour, std::nullopt, kT0).ok());
  REQUIRE(s.add_or_update(2, "a.com", kHour, std::nullopt, kT0).ok());
  REQUIRE(s.add_or_update(3, "a.com", kHour, std::nullopt, kT0 + 5 * kHour).ok());
  REQUIRE(start_next(s, kT0) == 1);
  finish(s, 1, kT0 + kSec);
  REQUIRE(s.check_now(3).ok());
  CHECK_FALSE(s.next_due(kT0 + 2 * kSec).has_value());
  CHECK(s.wake_at(kT0 + 2 * kSec) == kT0 + 21 * kSec);
  CHECK(start_next(s, kT0 + 21 * kSec) == 3);  // ahead of 2, which was due since kT0
  CHECK(finish(s, 3, kT0 + 22 * kSec) == kT0 + 22 * kSec + kHour);  // back to normal afterwards
  CHECK(start_next(s, kT0 + 42 * kSec) == 2);
  CHECK(s.check_now(99).error().code == "unknown_watch");
}

TEST_CASE("check now goes ahead across hosts, in request order, and ignores active hours") {
  auto s = make(quiet());
  s.wake_at(kT0);
  REQUIRE(s.add_or_update(1, "a.com", kHour, std::nullopt, kT0 - kHour).ok());
  REQUIRE(s.add_or_update(2, "b.com", kHour, ActiveHours{9 * 60, 10 * 60, 0}).ok());
  REQUIRE(s.add_or_update(3, "c.com", kHour, std::nullopt, kT0 + kDay).ok());
  REQUIRE(s.check_now(3).ok());
  REQUIRE(s.check_now(2).ok());
  CHECK(start_next(s, kT0) == 3);
  CHECK(start_next(s, kT0) == 2);  // 00:00 is outside 2's window, but it was asked for
  CHECK(start_next(s, kT0) == 1);
  REQUIRE(s.check_now(1).ok());  // running: nothing to do
  CHECK_FALSE(s.next_due(kT0).has_value());
}

TEST_CASE("a removed watch is never due again; removing a running one releases its host on finish") {
  SchedulerOptions o = quiet();
  o.min_host_gap_ms = 5 * kSec;
  auto s = make(o);
  REQUIRE(s.add_or_update(1, "a.com", kHour, std::nullopt, kT0).ok());
  REQUIRE(s.add_or_update(2, "a.com", kHour, std::nullopt, kT0).ok());
  REQUIRE(s.add_or_update(3, "b.com", kHour, std::nullopt, kT0).ok());
  CHECK(s.remove(3));
  CHECK_FALSE(s.remove(3));
  CHECK_FALSE(s.contains(3));
  REQUIRE(start_next(s, kT0) == 1);
  CHECK(s.remove(1));
  CHECK_FALSE(s.contains(1));
  CHECK(s.started(1, kT0).error().code == "unknown_watch");
  CHECK_FALSE(s.next_due(kT0 + kMin).has_value());  // the host is still held by 1's check
  auto r = s.finished(1, kT0 + kMin, Outcome::success());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "unknown_watch");
  CHECK(s.size() == 1);
  CHECK(s.wake_at(kT0 + kMin) == kT0 + kMin + 5 * kSec);  // released, with its gap
  CHECK(start_next(s, kT0 + kMin + 5 * kSec) == 2);
  CHECK(s.finished(9, kT0, Outcome::success()).error().code == "unknown_watch");
}

TEST_CASE("finishing a watch that was not started is an error and changes nothing") {
  auto s = make(quiet());
  REQUIRE(s.add_or_update(1, "a.com", kHour, std::nullopt, kT0).ok());
  CHECK(s.finished(1, kT0, Outcome::success()).error().code == "not_running");
  CHECK(s.due_at(1) == kT0);
}

TEST_CASE("updating a watch: a shorter interval comes forward, a new host applies after the running check") {
  auto s = make(quiet());
  REQUIRE(s.add_or_update(1, "a.com", 3 * kHour, std::nullopt, kT0).ok());
  REQUIRE(start_next(s, kT0) == 1);
  REQUIRE(finish(s, 1, kT0) == kT0 + 3 * kHour);
  REQUIRE(s.add_or_update(1, "a.com", 2 * kMin).ok());  // "hot restock"
  CHECK(s.due_at(1) == kT0 + 2 * kMin);
  REQUIRE(s.add_or_update(1, "a.com", kHour).ok());  // longer: keeps its time
  CHECK(s.due_at(1) == kT0 + 2 * kMin);

  REQUIRE(s.add_or_update(2, "b.com", kHour, std::nullopt, kT0 + 2 * kMin).ok());
  REQUIRE(start_next(s, kT0 + 2 * kMin) == 1);
  REQUIRE(s.add_or_update(1, "b.com", kHour).ok());  // moves while running
  CHECK(s.is_running(1));
  CHECK(start_next(s, kT0 + 2 * kMin) == 2);  // b.com is free: 1 holds a.com
  CHECK_FALSE(s.host_free_at("a.com").has_value());
  finish(s, 1, kT0 + 3 * kMin);
  CHECK(s.host_free_at("a.com") == kT0 + 3 * kMin);
  CHECK(s.started(1, kT0 + kHour + 3 * kMin).error().code == "host_busy");  // b.com now, still running 2
  finish(s, 2, kT0 + 4 * kMin);
  CHECK(start_next(s, kT0 + kHour + 3 * kMin) == 1);
}

TEST_CASE("a clock going backwards is taken as the latest time seen") {
  SchedulerOptions o = quiet();
  o.min_host_gap_ms = kMin;
  auto s = make(o);
  REQUIRE(s.add_or_update(1, "a.com", kHour, std::nullopt, kT0).ok());
  REQUIRE(start_next(s, kT0 + kHour) == 1);
  CHECK(finish(s, 1, kT0) == kT0 + 2 * kHour);  // "now" stays at kT0 + 1 h
  CHECK(s.host_free_at("a.com") == kT0 + kHour + kMin);
  CHECK(s.wake_at(0) == kT0 + 2 * kHour);
}

TEST_CASE("10,000 watches on distinct hosts drain in due order") {
  auto s = make(quiet());
  std::vector<std::int64_t> dues(10000);
  std::mt19937_64 rng(7);
  for (std::size_t i = 0; i < dues.size(); ++i) dues[i] = kT0 + static_cast<std::int64_t>(rng() % (10 * kDay));
  for (std::size_t i = 0; i < dues.size(); ++i)
    REQUIRE(s.add_or_update(static_cast<WatchId>(i), "h" + std::to_string(i) + ".com", kMaxIntervalMs,
                            std::nullopt, dues[i])
                .ok());
  std::vector<std::pair<std::int64_t, WatchId>> order;
  std::int64_t t = kT0;
  while (order.size() < dues.size()) {
    auto w = s.wake_at(t);
    REQUIRE(w.has_value());
    t = *w;
    auto id = start_next(s, t);
    REQUIRE(id.has_value());
    CHECK(dues[static_cast<std::size_t>(*id)] == t);  // woken exactly at its due time
    order.push_back({t, *id});
    finish(s, *id, t);
  }
  CHECK(std::is_sorted(order.begin(), order.end()));
}

TEST_CASE("10,000 due watches on 50 hosts: one at a time per host, earliest due first within a host") {
  SchedulerOptions o = quiet();
  o.min_host_gap_ms = kSec;
  auto s = make(o);
  for (WatchId id = 0; id < 10000; ++id)
    REQUIRE(s.add_or_update(id, "h" + std::to_string(id % 50) + ".com", kMaxIntervalMs, std::nullopt,
                            kT0 - (id * 7919) % 100000)
                .ok());
  std::map<std::string, std::int64_t> last_due;
  std::int64_t t = kT0;
  int started = 0;
  while (started < 10000) {
    std::vector<WatchId> batch;
    while (auto id = s.next_due(t)) {
      std::int64_t due = *s.due_at(*id);
      std::string host = "h" + std::to_string(*id % 50);
      CHECK(due >= last_due[host]);
      last_due[host] = due;
      REQUIRE(s.started(*id, t).ok());
      batch.push_back(*id);
    }
    CHECK(batch.size() <= 50);
    for (WatchId id : batch) finish(s, id, t);
    started += static_cast<int>(batch.size());
    if (started == 10000) break;
    auto w = s.wake_at(t);
    REQUIRE(w.has_value());
    CHECK(*w == t + kSec);
    t = *w;
  }
  CHECK(t == kT0 + 199 * kSec);  // 200 per host, one per gap
}

// An agent-like event loop over random watches, outcomes and user actions. Invariants: never
// two running checks on one host; starts on one host at least the gap apart (counted from the
// previous finish); never more than the cap in any 60 s; next_due only offers watches inside
// their active hours unless asked for; wake_at is exact (when it says t, next_due(t) gives a
// watch unless active hours moved it).
TEST_CASE("random event sequences never break host, gap or rate limits") {
  for (std::uint64_t trial = 0; trial < 60; ++trial) {
    std::mt19937_64 rng(trial * 7 + 1);
    SchedulerOptions o;
    o.min_host_gap_ms = static_cast<std::int64_t>(rng() % 20) * kSec;
    o.global_rate_per_minute = 1 + static_cast<std::int32_t>(rng() % 12);
    o.jitter_percent = static_cast<std::int32_t>(rng() % 51);
    o.base_backoff_ms = kMin;
    o.max_backoff_ms = 30 * kMin;
    o.seed = trial;
    auto s = make(o);
    const int hosts = 1 + static_cast<int>(rng() % 6);
    std::map<WatchId, std::string> host_of;  // the host each watch is queued for
    std::map<WatchId, std::optional<ActiveHours>> hours_of;
    std::set<WatchId> manual;
    std::map<std::string, WatchId> running_on;
    std::map<WatchId, std::int64_t> finish_at;
    std::map<std::string, std::int64_t> last_finish, last_start;
    std::vector<std::int64_t> starts;
    std::int64_t t = kT0;
    auto add = [&](WatchId id) {
      std::string h = "h" + std::to_string(rng() % static_cast<std::uint64_t>(hosts)) + ".com";
      std::optional<ActiveHours> ah;
      if (rng() % 3 == 0)
        ah = ActiveHours{static_cast<std::int32_t>(rng() % 1440), static_cast<std::int32_t>(rng() % 1440), 0};
      if (ah && ah->start_minute == ah->end_minute) ah.reset();
      std::int64_t iv = kMinIntervalMs + static_cast<std::int64_t>(rng() % (2 * kHour));
      REQUIRE(s.add_or_update(id, h, iv, ah, t + static_cast<std::int64_t>(rng() % kHour)).ok());
      host_of[id] = h;  // its queue host; a running check keeps holding the host it started on
      hours_of[id] = ah;
    };
    for (WatchId id = 0; id < 25; ++id) add(id);

    for (int step = 0; step < 1500; ++step) {
      // Start everything that may start now.
      while (auto id = s.next_due(t)) {
        const std::string& h = host_of.at(*id);
        CHECK(running_on.count(h) == 0);
        if (last_finish.count(h)) CHECK(t - last_finish[h] >= o.min_host_gap_ms);
        if (last_start.count(h)) CHECK(t - last_start[h] >= o.min_host_gap_ms);
        std::int64_t in_window = std::count_if(starts.begin(), starts.end(), [&](std::int64_t x) { return x > t - kMin; });
        CHECK(in_window < o.global_rate_per_minute);
        if (hours_of[*id] && !manual.count(*id)) CHECK(in_active_hours(*hours_of[*id], t));
        REQUIRE(s.started(*id, t).ok());
        manual.erase(*id);
        running_on[h] = *id;
        last_start[h] = t;
        starts.push_back(t);
        finish_at[*id] = t + static_cast<std::int64_t>(rng() % (3 * kMin));
      }
      // A stray start attempt must be refused exactly when it would break a limit.
      WatchId probe = static_cast<WatchId>(rng() % 25);
      if (s.contains(probe) && !s.is_running(probe)) {
        const std::string& h = host_of.at(probe);
        std::int64_t in_window = std::count_if(starts.begin(), starts.end(), [&](std::int64_t x) { return x > t - kMin; });
        bool allowed = running_on.count(h) == 0 && (!last_finish.count(h) || t - last_finish[h] >= o.min_host_gap_ms) &&
                       in_window < o.global_rate_per_minute;
        auto st = s.started(probe, t);
        // The scheduler may hold a host longer (Retry-After), never shorter.
        if (st.ok()) {
          CHECK(allowed);
          running_on[h] = probe;
          last_start[h] = t;
          starts.push_back(t);
          finish_at[probe] = t + static_cast<std::int64_t>(rng() % (3 * kMin));
          manual.erase(probe);
        }
      }
      // User actions now and then.
      std::uint64_t action = rng() % 40;
      WatchId target = static_cast<WatchId>(rng() % 25);
      if (action == 0) {
        if (s.remove(target) && !s.is_running(target)) {
          host_of.erase(target);
          manual.erase(target);
        }
      } else if (action == 1) {
        add(target);
      } else if (action == 2 && s.contains(target)) {
        REQUIRE(s.check_now(target).ok());
        if (!s.is_running(target)) manual.insert(target);
      }
      // Advance to the next event: a finish or the scheduler's wake time.
      std::optional<std::int64_t> next;
      for (auto& [id, at] : finish_at) next = next ? std::min(*next, at) : at;
      auto wake = s.wake_at(t);
      if (wake) {
        CHECK(*wake >= t);
        if (*wake == t) CHECK(s.next_due(t).has_value());
        next = next ? std::min(*next, *wake) : *wake;
      }
      if (!next) break;
      t = std::max(t, *next);
      for (auto it = finish_at.begin(); it != finish_at.end();) {
        if (it->second > t) {
          ++it;
          continue;
        }
        WatchId id = it->first;
        std::string h;
        for (auto& [hh, rid] : running_on)
          if (rid == id) h = hh;
        REQUIRE(!h.empty());
        std::uint64_t kind = rng() % 5;
        Outcome out = kind < 3    ? Outcome::success()
                      : kind == 3 ? Outcome::http(429, static_cast<std::int64_t>(rng() % (5 * kMin)))
                                  : Outcome::network_error();
        bool was_removed = !s.contains(id);
        auto r = s.finished(id, t, out);
        CHECK(r.ok() == !was_removed);
        if (r.ok()) CHECK(*r > t);
        if (was_removed) host_of.erase(id);
        running_on.erase(h);
        last_finish[h] = t;
        it = finish_at.erase(it);
      }
    }
    CHECK(starts.size() > 20);
  }
}
