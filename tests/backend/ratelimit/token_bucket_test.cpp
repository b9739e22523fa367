#include "ratelimit/token_bucket.hpp"

#include <doctest/doctest.h>

using namespace dealstack::backend::ratelimit;
using namespace std::chrono_literals;

TEST_CASE("a bucket allows its burst at once, then refuses with the seconds until a token") {
  const Limit limit{2, 5};  // 2 per second, 5 at once
  const auto t0 = Clock::time_point{} + 100s;
  TokenBucket b(limit, t0);
  for (int i = 0; i < 5; ++i) CHECK(b.take(limit, t0) == 0);
  CHECK(b.take(limit, t0) == 1);  // half a second for the next token: rounded up to 1 s
  CHECK(b.take(limit, t0 + 500ms) == 0);
  CHECK(b.take(limit, t0 + 500ms) == 1);
}

TEST_CASE("a slow rate gives a Retry-After of many seconds") {
  const Limit limit{10.0 / 60, 10};  // 10 a minute
  const auto t0 = Clock::time_point{} + 100s;
  TokenBucket b(limit, t0);
  for (int i = 0; i < 10; ++i) REQUIRE(b.take(limit, t0) == 0);
  CHECK(b.take(limit, t0) == 6);
  CHECK(b.take(limit, t0 + 6s) == 0);
}

TEST_CASE("a bucket never holds more than its burst however long it idles") {
  const Limit limit{100, 3};
  const auto t0 = Clock::time_point{} + 100s;
  TokenBucket b(limit, t0);
  CHECK(b.take(limit, t0) == 0);
  const auto later = t0 + 3600s;
  CHECK(b.full(limit, later));
  for (int i = 0; i < 3; ++i) CHECK(b.take(limit, later) == 0);
  CHECK(b.take(limit, later) > 0);
}

TEST_CASE("a clock that goes backwards neither adds tokens nor breaks the bucket") {
  const Limit limit{1, 1};
  const auto t0 = Clock::time_point{} + 100s;
  TokenBucket b(limit, t0);
  CHECK(b.take(limit, t0) == 0);
  CHECK(b.take(limit, t0 - 50s) > 0);
  CHECK(b.take(limit, t0 + 1s) == 0);
}

TEST_CASE("rate 0 turns the limit off") {
  RateLimiter r(Limit{0, 1});
  for (int i = 0; i < 1000; ++i) CHECK(r.take("a") == 0);
  CHECK(r.size() == 0);
}

TEST_CASE("the limiter keeps one bucket per key") {
  RateLimiter r(Limit{1, 2});
  const auto t0 = Clock::time_point{} + 100s;
  CHECK(r.take("1.2.3.4", t0) == 0);
  CHECK(r.take("1.2.3.4", t0) == 0);
  CHECK(r.take("1.2.3.4", t0) == 1);
  CHECK(r.take("5.6.7.8", t0) == 0);  // another address is not affected
  CHECK(r.size() == 2);
}

TEST_CASE("refilled buckets are forgotten, so many one-off clients don't grow memory without bound") {
  RateLimiter r(Limit{1000, 1});
  const auto t0 = Clock::time_point{} + 100s;
  for (int i = 0; i < 200'000; ++i) r.take("client-" + std::to_string(i), t0 + std::chrono::milliseconds(i));
  // Each bucket is full again 1 ms after its only request: sweeps drop them as the map grows.
  CHECK(r.size() < 20'000);
}

TEST_CASE("a flood of distinct keys within one instant stays bounded") {
  RateLimiter r(Limit{0.001, 1});
  const auto t0 = Clock::time_point{} + 100s;
  for (int i = 0; i < 1'200'000; ++i) r.take(std::to_string(i), t0);
  CHECK(r.size() <= 16 * 65536);
}
