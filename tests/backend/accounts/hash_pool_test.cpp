#include "accounts/hash_pool.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>

using namespace dealstack::backend::accounts;

TEST_CASE("the hash pool never runs more jobs at once than it has threads") {
  HashPool pool(2, 100);
  std::atomic<int> running{0}, peak{0}, done{0};
  for (int i = 0; i < 12; ++i) {
    REQUIRE(pool.submit([&] {
      const int now = ++running;
      int p = peak.load();
      while (now > p && !peak.compare_exchange_weak(p, now)) {}
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      --running;
      ++done;
    }));
  }
  while (done.load() < 12) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(peak.load() == 2);
}

TEST_CASE("a full queue refuses new jobs instead of growing") {
  HashPool pool(1, 2);
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::atomic<bool> started{false};
  REQUIRE(pool.submit([&] { started = true; gate.wait(); }));
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(pool.submit([] {}));
  CHECK(pool.submit([] {}));
  CHECK_FALSE(pool.submit([] {}));  // two already wait
  release.set_value();
}

TEST_CASE("a stopped pool takes no jobs") {
  HashPool pool(1, 4);
  pool.stop();
  CHECK_FALSE(pool.submit([] {}));
}
