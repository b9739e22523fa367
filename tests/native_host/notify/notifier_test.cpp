#include "notify/notifier.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "session_bus.hpp"

using namespace dealstack::notify;
using namespace dealstack::notify::testing;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

NotifierOptions on_bus(const std::string& address, std::int32_t timeout_ms, std::size_t cap) {
  NotifierOptions o;
  o.send.bus_address = address;
  o.send.env = [](const char*) { return std::optional<std::string>(); };
  o.send.timeout_ms = timeout_ms;
  o.queue_cap = cap;
  return o;
}

Notification numbered(int i) {
  Notification n;
  n.summary = "alert " + std::to_string(i);
  return n;
}

// Polls stats() until `done` holds or 10 s pass.
template <typename Pred>
NotifierStats wait_stats(const Notifier& notifier, Pred done) {
  const auto until = Clock::now() + 10s;
  NotifierStats s = notifier.stats();
  while (!done(s) && Clock::now() < until) {
    std::this_thread::sleep_for(10ms);
    s = notifier.stats();
  }
  return s;
}

}  // namespace

TEST_CASE("posted notifications are all sent, in order, on the worker") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::answer);
  Notifier notifier(on_bus(bus.address(), 5000, 8));
  for (int i = 0; i < 5; ++i) CHECK(notifier.post(numbered(i)));
  const auto s = wait_stats(notifier, [](const NotifierStats& s) { return s.sent == 5; });
  CHECK(s.sent == 5);
  CHECK(s.posted == 5);
  CHECK(s.failed == 0);
  CHECK(s.dropped == 0);
  const auto calls = server.calls();
  REQUIRE(calls.size() == 5);
  for (int i = 0; i < 5; ++i) CHECK(calls[i].summary == "alert " + std::to_string(i));
  notifier.stop();
}

TEST_CASE("with the server hung, posts return at once, overflow is counted, stop() joins") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::silent);
  // Each send may wait 20 s: only cancellation lets stop() return quickly.
  Notifier notifier(on_bus(bus.address(), 20000, 4));

  CHECK(notifier.post(numbered(0)));
  REQUIRE(server.wait_for_calls(1));  // the worker is now stuck in its first send

  const auto start = Clock::now();
  int accepted = 0;
  for (int i = 1; i <= 10; ++i) accepted += notifier.post(numbered(i)) ? 1 : 0;
  const auto posting = Clock::now() - start;
  CHECK(accepted == 4);  // the queue's cap; the one in flight is not in the queue
  CHECK(posting < 1s);   // ten posts against a hung server, not ten timeouts

  auto s = notifier.stats();
  CHECK(s.posted == 5);
  CHECK(s.dropped == 6);
  CHECK(s.sent == 0);

  const auto stop_start = Clock::now();
  notifier.stop();
  CHECK(Clock::now() - stop_start < 5s);
  s = notifier.stats();
  CHECK(s.abandoned == 5);  // four queued and the one in flight
  CHECK(s.failed == 0);
  CHECK(server.calls().size() == 1);

  CHECK_FALSE(notifier.post(numbered(99)));  // after stop(): refused and counted
  CHECK(notifier.stats().dropped == 7);
  notifier.stop();  // a second stop() is harmless
}

TEST_CASE("failed sends are counted with the last error, and the worker carries on") {
  TempDir dir;
  Notifier notifier(on_bus("unix:path=" + (dir.path() / "no-bus").string(), 1000, 4));
  CHECK(notifier.post(numbered(1)));
  CHECK(notifier.post(numbered(2)));
  const auto s = wait_stats(notifier, [](const NotifierStats& s) { return s.failed == 2; });
  CHECK(s.failed == 2);
  CHECK(s.sent == 0);
  REQUIRE(s.last_error.has_value());
  CHECK(s.last_error->code == "no_session_bus");
}

TEST_CASE("a server error is counted as a failure with its code") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::error);
  Notifier notifier(on_bus(bus.address(), 5000, 4));
  CHECK(notifier.post(numbered(1)));
  const auto s = wait_stats(notifier, [](const NotifierStats& s) { return s.failed == 1; });
  REQUIRE(s.last_error.has_value());
  CHECK(s.last_error->code == "notify_failed");
}

TEST_CASE("the destructor stops a notifier with work still queued") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::silent);
  const auto start = Clock::now();
  {
    Notifier notifier(on_bus(bus.address(), 20000, 4));
    for (int i = 0; i < 4; ++i) notifier.post(numbered(i));
    server.wait_for_calls(1);
  }
  CHECK(Clock::now() - start < 5s);
  CHECK(server.calls().size() == 1);
}
