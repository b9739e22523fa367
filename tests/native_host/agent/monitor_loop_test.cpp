#include "agent/monitor_loop.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../http/compress.hpp"
#include "../http/loopback_server.hpp"
#include "../http/test_pki.hpp"
#include "../store/temp_dir.hpp"
#include "crypto/crypto.hpp"
#include "monitor/rule_state_json.hpp"
#include "sync/feeds.hpp"

using namespace dealstack;
using namespace dealstack::agent;
using dealstack::http::testing::gzip;
using dealstack::http::testing::http_response;
using dealstack::http::testing::LoopbackServer;
using dealstack::http::testing::Reply;
using dealstack::http::testing::Seen;
using dealstack::http::testing::test_pki;
using namespace std::chrono_literals;

namespace {

// Generous bounds: they only cap how long a broken build can hang, and sanitizer builds on a
// busy two-core machine are slow. No assertion is about speed.
constexpr auto kDeadline = 60s;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs `io` until `done()` or the deadline; false on the deadline.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::steady_clock::duration limit = kDeadline) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    if (io.stopped()) io.restart();
    if (io.run_for(20ms) == 0 && io.stopped()) std::this_thread::sleep_for(2ms);  // nothing to do yet
  }
  return true;
}

// Runs `io` for a while whatever happens (to see that something does NOT happen).
void run_for(boost::asio::io_context& io, std::chrono::milliseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
    if (io.stopped()) io.restart();
    if (io.run_for(20ms) == 0 && io.stopped()) std::this_thread::sleep_for(2ms);
  }
}

// A JSON-LD product page. price_cents < 0: no price shown.
std::string product_page(int price_cents, bool in_stock, const std::string& name = "Steel Kettle") {
  std::string offer = "{\"@type\": \"Offer\"";
  if (price_cents >= 0) {
    offer += ", \"price\": \"" + std::to_string(price_cents / 100) + "." +
             std::to_string(price_cents % 100 / 10) + std::to_string(price_cents % 10) +
             "\", \"priceCurrency\": \"USD\"";
  }
  offer += std::string(", \"availability\": \"https://schema.org/") + (in_stock ? "InStock" : "OutOfStock") + "\"}";
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + name +
         "</title><script type=\"application/ld+json\">{\"@context\": \"https://schema.org\", \"@type\": "
         "\"Product\", \"name\": \"" + name + "\", \"offers\": " + offer + "}</script></head><body><h1>" + name +
         "</h1></body></html>";
}

// A shop whose product changes between requests. The server runs the handler on its own
// threads, the test changes the product on its thread: both under `mutex`.
struct Shop {
  std::mutex mutex;
  int price_cents = 3490;
  bool in_stock = true;
  std::optional<std::string> etag;  // sent with the page; a matching If-None-Match gets 304

  void set(int price, bool stock) {
    std::lock_guard lock(mutex);
    price_cents = price;
    in_stock = stock;
  }

  Reply serve(const Seen& s) {
    std::lock_guard lock(mutex);
    if (s.target == "/product") {
      if (etag && s.header("if-none-match") == *etag) return Reply{"HTTP/1.1 304 Not Modified\r\nETag: " + *etag + "\r\n\r\n"};
      std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", "text/html; charset=utf-8"}};
      if (etag) headers.emplace_back("ETag", *etag);
      return Reply{http_response(200, product_page(price_cents, in_stock), headers)};
    }
    if (s.target == "/other") return Reply{http_response(200, product_page(1250, true, "Teapot"))};
    if (s.target == "/old") return Reply{http_response(301, "", {{"Location", "/product"}})};
    if (s.target == "/gz")
      return Reply{http_response(200, gzip(product_page(price_cents, in_stock)), {{"Content-Encoding", "gzip"}})};
    if (s.target == "/huge") return Reply{http_response(200, product_page(price_cents, in_stock) + std::string(200'000, ' '))};
    if (s.target == "/busy") return Reply{http_response(429, "slow down", {{"Retry-After", "120"}})};
    if (s.target == "/slow") return Reply{http_response(200, product_page(price_cents, in_stock)), 20s};
    return Reply{http_response(404, "no such page")};
  }
};

http::ClientOptions client_options() {
  http::ClientOptions o;
  o.resolve_timeout = o.connect_timeout = o.handshake_timeout = o.write_timeout = 10'000ms;
  o.read_header_timeout = o.read_body_timeout = 10'000ms;
  return o;
}

MonitorOptions loop_options() {
  MonitorOptions o;
  o.schedule.min_host_gap_ms = 0;
  o.schedule.jitter_percent = 0;
  o.schedule.base_backoff_ms = 1000;
  o.schedule.global_rate_per_minute = 10'000;
  o.client = client_options();
  return o;
}

// One monitor loop over a real store in a temp folder; the hooks are recorded.
struct Harness {
  struct AlertSeen {
    store::Alert alert;
    store::Watch watch;
  };
  std::vector<AlertSeen> alerts;
  std::vector<monitor::CheckDone> checks;
  store::testing::TempDir dir;
  store::Store db = open_store(dir);
  boost::asio::io_context io;
  std::optional<MonitorLoop> loop;

  explicit Harness(MonitorOptions options = loop_options()) {
    MonitorHooks hooks;
    hooks.alert = [this](const store::Alert& a, const store::Watch& w) { alerts.push_back({a, w}); };
    hooks.checked = [this](const monitor::CheckDone& d) { checks.push_back(d); };
    loop.emplace(io, db, std::move(options), std::move(hooks));
  }

  static store::Store open_store(const store::testing::TempDir& d) {
    auto s = store::Store::open(d.db());
    REQUIRE(s.ok());
    return std::move(*s);
  }

  // Adds a watch and tells the loop, as the agent's watch.add does (a started loop then
  // checks it at once: it was never checked).
  store::Watch add(const std::string& url, const std::function<void(store::Watch&)>& edit = nullptr) {
    store::Watch w;
    w.url = url;
    w.interval_seconds = 3600;
    if (edit) edit(w);
    auto added = db.add_watch(w);
    REQUIRE(added.ok());
    REQUIRE(loop->watch_changed(*added).ok());
    return *added;
  }

  // check_now, run until its callback; the callback must run exactly once.
  Result<monitor::CheckDone> check(std::int64_t id) {
    int calls = 0;
    std::optional<Result<monitor::CheckDone>> out;
    loop->check_now(id, [&](Result<monitor::CheckDone> r) {
      ++calls;
      out = std::move(r);
    });
    REQUIRE(run_until(io, [&] { return out.has_value(); }));
    CHECK(calls == 1);
    return std::move(*out);
  }

  store::MonitorState state(std::int64_t id) {
    auto s = db.monitor_state(id);
    REQUIRE(s.ok());
    return *s;
  }
  std::vector<store::Observation> rows(std::int64_t id) {
    auto h = db.history(id, 0, now_ms() + 3'600'000);
    REQUIRE(h.ok());
    return *h;
  }
  store::Watch watch(std::int64_t id) {
    auto w = db.get_watch(id);
    REQUIRE(w.ok());
    return *w;
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t requests_for(const LoopbackServer& server, const std::string& target) {
  std::size_t n = 0;
  for (const auto& s : server.seen()) n += s.target == target ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("price and stock changes on a live page each raise exactly one alert, and the history follows them") {
  Shop shop;
  LoopbackServer server([&](const Seen& s) { return shop.serve(s); });
  Harness h;
  REQUIRE(h.loop->start().ok());
  const store::Watch w = h.add(server.url("/product"), [](store::Watch& w) {
    w.target_price = 3000;
    w.currency = "USD";
  });

  struct Step {
    int price;
    bool in_stock;
    std::optional<std::string> alert;  // kind expected, none = no alert
  };
  const Step steps[] = {
      {3490, true, std::nullopt},      // first sight, above target
      {3490, true, std::nullopt},      // unchanged
      {2990, true, "below_target"},    // under the target
      {2990, true, std::nullopt},      // still under: already said
      {2990, false, std::nullopt},     // sold out: no alert for that
      {2990, false, std::nullopt},
      {2990, true, "restock"},         // back in stock
      {2990, true, std::nullopt},
  };
  std::size_t alerts_before = 0;
  for (std::size_t i = 0; i < std::size(steps); ++i) {
    CAPTURE(i);
    shop.set(steps[i].price, steps[i].in_stock);
    auto done = h.check(w.id);
    REQUIRE(done.ok());
    REQUIRE(done->observation);
    CHECK(done->observation->price == steps[i].price);
    CHECK(done->observation->availability == (steps[i].in_stock ? "in_stock" : "out_of_stock"));
    CHECK(h.checks.size() == i + 1);  // the checked hook, once per check
    if (steps[i].alert) {
      REQUIRE(h.alerts.size() == alerts_before + 1);
      CHECK(h.alerts.back().alert.kind == *steps[i].alert);
      CHECK(h.alerts.back().alert.price == steps[i].price);
      CHECK(h.alerts.back().watch.id == w.id);
      REQUIRE(done->alert);
      CHECK(done->alert->id == h.alerts.back().alert.id);
      alerts_before = h.alerts.size();
    } else {
      CHECK(h.alerts.size() == alerts_before);
      CHECK_FALSE(done->alert);
    }
  }
  CHECK(h.alerts.size() == 2);
  CHECK(requests_for(server, "/product") == std::size(steps));

  // The compact history: one row per change.
  const auto rows = h.rows(w.id);
  REQUIRE(rows.size() == 4);
  CHECK((rows[0].price == 3490 && rows[0].availability == "in_stock"));
  CHECK((rows[1].price == 2990 && rows[1].availability == "in_stock"));
  CHECK((rows[2].price == 2990 && rows[2].availability == "out_of_stock"));
  CHECK((rows[3].price == 2990 && rows[3].availability == "in_stock"));
  auto stored = h.db.list_alerts(false);
  REQUIRE(stored.ok());
  CHECK(stored->size() == 2);
  CHECK(h.watch(w.id).title == "Steel Kettle");
  // The next check is scheduled one interval on and kept for a restart.
  const auto next = h.state(w.id).next_check_at;
  REQUIRE(next);
  CHECK(*next > now_ms() + 3'000'000);
}

TEST_CASE("the page's ETag is sent back, and a 304 repeats the last observation without a new row") {
  Shop shop;
  shop.etag = "\"rev-1\"";
  LoopbackServer server([&](const Seen& s) { return shop.serve(s); });
  Harness h;
  REQUIRE(h.loop->start().ok());
  const store::Watch w = h.add(server.url("/product"));
  auto first = h.check(w.id);
  REQUIRE(first.ok());
  CHECK(h.state(w.id).etag == "\"rev-1\"");
  auto second = h.check(w.id);
  REQUIRE(second.ok());
  CHECK_FALSE(second->changed);
  REQUIRE(second->observation);
  CHECK(second->observation->price == 3490);
  const auto seen = server.seen();
  REQUIRE(seen.size() == 2);
  CHECK_FALSE(seen[0].has("if-none-match"));
  CHECK(seen[1].header("if-none-match") == "\"rev-1\"");
  CHECK(h.rows(w.id).size() == 1);
  CHECK(h.watch(w.id).last_check_at >= *first->watch.last_check_at);
}

TEST_CASE("https with the test CA works; expired, wrong-host and self-signed certificates are refused") {
  const auto& pki = test_pki();
  Shop shop;
  MonitorOptions options = loop_options();
  options.client.ca_file = pki.ca_file;

  {
    LoopbackServer server([&](const Seen& s) { return shop.serve(s); }, pki.good);
    Harness h(options);
    REQUIRE(h.loop->start().ok());
    const store::Watch w = h.add(server.url("/product", "localhost"));
    auto done = h.check(w.id);
    REQUIRE(done.ok());
    CHECK(done->observation->price == 3490);
    CHECK(h.state(w.id).failures == 0);
    REQUIRE(server.seen().size() == 1);
    CHECK(server.seen()[0].sni == "localhost");

    // Without the test CA the same server is an unknown issuer.
    Harness untrusting;
    REQUIRE(untrusting.loop->start().ok());
    const store::Watch u = untrusting.add(server.url("/product", "localhost"));
    auto refused = untrusting.check(u.id);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == "check_failed");
    CHECK(untrusting.state(u.id).failures == 1);
  }

  struct Case {
    const char* name;
    const http::testing::Identity* identity;
    const char* says;
  };
  const Case cases[] = {
      {"expired", &pki.expired, "expired"},
      {"wrong host", &pki.wrong_host, "host name mismatch"},
      {"self-signed", &pki.self_signed, "self-signed"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    LoopbackServer server([&](const Seen& s) { return shop.serve(s); }, *c.identity);
    Harness h(options);
    REQUIRE(h.loop->start().ok());
    const store::Watch w = h.add(server.url("/product", "localhost"));
    for (int attempt = 1; attempt <= 2; ++attempt) {
      CAPTURE(attempt);
      auto done = h.check(w.id);
      REQUIRE_FALSE(done.ok());
      CHECK(done.error().code == "check_failed");
      CHECK(contains(done.error().message, c.says));
      const store::MonitorState s = h.state(w.id);
      CHECK(s.failures == attempt);
      REQUIRE(s.last_error);
      CHECK(contains(*s.last_error, c.says));
    }
    CHECK(server.seen().empty());  // no request went over the refused connection
    CHECK(h.rows(w.id).empty());
    CHECK(h.checks.empty());
    CHECK(h.alerts.empty());
    CHECK_FALSE(h.watch(w.id).last_check_at);
  }
}

TEST_CASE("429 with Retry-After fails the check and holds the whole host until then") {
  Shop shop;
  LoopbackServer server([&](const Seen& s) { return shop.serve(s); });
  Harness h;
  REQUIRE(h.loop->start().ok());
  const std::int64_t before = now_ms();
  const store::Watch busy = h.add(server.url("/busy"));
  auto done = h.check(busy.id);
  const std::int64_t after = now_ms();
  REQUIRE_FALSE(done.ok());
  CHECK(done.error().code == "check_failed");
  CHECK(contains(done.error().message, "429"));
  const store::MonitorState s = h.state(busy.id);
  CHECK(s.failures == 1);
  REQUIRE(s.next_check_at);
  // The backoff alone would be one second; the shop asked for 120.
  CHECK(*s.next_check_at >= before + 120'000);
  CHECK(*s.next_check_at <= after + 120'000);

  // Another watch on that host waits too: the scheduled path leaves it alone, and a check
  // now is answered at once with shop_busy instead of holding the caller for two minutes.
  const store::Watch other = h.add(server.url("/product"));
  CHECK(h.loop->in_flight() == 0);
  run_for(h.io, 500ms);
  CHECK(h.loop->in_flight() == 0);
  CHECK(requests_for(server, "/product") == 0);
  int calls = 0;
  std::optional<Result<monitor::CheckDone>> held;
  h.loop->check_now(other.id, [&](Result<monitor::CheckDone> r) {
    ++calls;
    held = std::move(r);
  });
  REQUIRE(held);
  REQUIRE_FALSE(held->ok());
  CHECK(held->error().code == "shop_busy");
  CHECK(contains(held->error().message, "2 min"));
  run_for(h.io, 200ms);
  CHECK(calls == 1);
  CHECK(requests_for(server, "/product") == 0);
  CHECK(requests_for(server, "/busy") == 1);
  CHECK(h.checks.empty());
}

TEST_CASE("a redirect to the product page is followed and a gzip page is read") {
  Shop shop;
  LoopbackServer server([&](const Seen& s) { return shop.serve(s); });
  Harness h;
  REQUIRE(h.loop->start().ok());
  shop.set(4200, true);
  const store::Watch moved = h.add(server.url("/old"));
  auto r = h.check(moved.id);
  REQUIRE(r.ok());
  REQUIRE(r->observation);
  CHECK(r->observation->price == 4200);
  CHECK(requests_for(server, "/old") == 1);
  CHECK(requests_for(server, "/product") == 1);

  const store::Watch zipped = h.add(server.url("/gz"));
  auto g = h.check(zipped.id);
  REQUIRE(g.ok());
  REQUIRE(g->observation);
  CHECK(g->observation->can_tell);
  CHECK(g->observation->price == 4200);
  CHECK(g->watch.title == "Steel Kettle");
}

TEST_CASE("a body over the client's limit and a response slower than read_header_timeout fail the check") {
  Shop shop;
  LoopbackServer server([&](const Seen& s) { return shop.serve(s); });
  MonitorOptions options = loop_options();
  options.client.body_limit = 100'000;
  options.client.read_header_timeout = 300ms;
  Harness h(options);
  REQUIRE(h.loop->start().ok());

  const store::Watch huge = h.add(server.url("/huge"));
  auto big = h.check(huge.id);
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().code == "check_failed");
  CHECK(contains(big.error().message, "larger than 100000 bytes"));
  CHECK(h.state(huge.id).failures == 1);
  CHECK(h.rows(huge.id).empty());

  const store::Watch slow = h.add(server.url("/slow"));
  auto late = h.check(slow.id);
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == "check_failed");
  CHECK(contains(late.error().message, "read_header"));
  CHECK(contains(late.error().message, "timed out"));
  CHECK(h.state(slow.id).failures == 1);
  CHECK(contains(*h.state(slow.id).last_error, "timed out"));

  // The same pages within the limits are read.
  const store::Watch fine = h.add(server.url("/product"));
  CHECK(h.check(fine.id).ok());
  CHECK(h.checks.size() == 1);
}

TEST_CASE("started, the loop checks due watches by itself and leaves the ones not due yet") {
  Shop shop;
  LoopbackServer server([&](const Seen& s) { return shop.serve(s); });
  LoopbackServer other_host([&](const Seen& s) { return shop.serve(s); });
  Harness h;
  const store::Watch a = h.add(server.url("/product"));
  const store::Watch b = h.add(other_host.url("/other"));
  const store::Watch later = h.add(server.url("/other"));
  store::MonitorState not_yet;
  not_yet.next_check_at = now_ms() + 3'600'000;  // as a previous run left it
  REQUIRE(h.db.set_monitor_state(later.id, not_yet).ok());

  REQUIRE(h.loop->start().ok());
  CHECK(h.loop->scheduled() == 3);
  REQUIRE(run_until(h.io, [&] { return h.checks.size() >= 2; }));
  run_for(h.io, 300ms);  // nothing else is due: no more checks
  CHECK(h.checks.size() == 2);
  CHECK(h.loop->in_flight() == 0);

  CHECK(h.rows(a.id).size() == 1);
  CHECK(h.rows(a.id)[0].price == 3490);
  CHECK(h.rows(b.id).size() == 1);
  CHECK(h.rows(b.id)[0].price == 1250);
  CHECK(h.watch(b.id).title == "Teapot");
  CHECK(h.rows(later.id).empty());
  CHECK(requests_for(server, "/product") == 1);
  CHECK(requests_for(other_host, "/other") == 1);
  CHECK(requests_for(server, "/other") == 0);
  for (std::int64_t id : {a.id, b.id}) {
    const auto next = h.state(id).next_check_at;
    REQUIRE(next);
    CHECK(*next >= *h.watch(id).last_check_at + 3'600'000 - 1000);
  }
  CHECK(h.state(later.id).next_check_at == not_yet.next_check_at);
}

TEST_CASE("a watch removed while its page is fetched stores nothing and its waiter gets not_found once") {
  for (bool removed_from_store : {true, false}) {
    CAPTURE(removed_from_store);
    Shop shop;
    LoopbackServer server([&](const Seen& s) { return shop.serve(s); });
    MonitorOptions options = loop_options();
    options.client.read_header_timeout = 1500ms;  // /slow answers only when the server stops
    Harness h(options);
    REQUIRE(h.loop->start().ok());
    const store::Watch w = h.add(server.url("/slow"));
    int calls = 0;
    std::optional<Result<monitor::CheckDone>> out;
    h.loop->check_now(w.id, [&](Result<monitor::CheckDone> r) {
      ++calls;
      out = std::move(r);
    });
    REQUIRE(run_until(h.io, [&] { return !server.seen().empty(); }));  // the fetch is in flight
    CHECK(h.loop->in_flight() == 1);
    if (removed_from_store) REQUIRE(h.db.remove_watch(w.id).ok());
    h.loop->watch_removed(w.id);
    REQUIRE(out);
    REQUIRE_FALSE(out->ok());
    CHECK(out->error().code == "not_found");

    REQUIRE(run_until(h.io, [&] { return h.loop->in_flight() == 0; }));
    run_for(h.io, 50ms);
    CHECK(calls == 1);
    CHECK(h.checks.empty());
    CHECK(h.alerts.empty());
    CHECK(h.loop->scheduled() == 0);
    if (!removed_from_store) {
      // The fetch's failure (a timeout) is not recorded against a watch no longer monitored.
      CHECK(h.rows(w.id).empty());
      CHECK(h.state(w.id) == store::MonitorState{});
      CHECK_FALSE(h.watch(w.id).last_check_at);
    }
  }
}

TEST_CASE("stop() with a check in flight: the waiter hears agent_stopping once, nothing is stored") {
  Shop shop;
  LoopbackServer server([&](const Seen& s) { return shop.serve(s); });
  MonitorOptions options = loop_options();
  options.client.read_header_timeout = 1500ms;
  Harness h(options);
  REQUIRE(h.loop->start().ok());
  const store::Watch w = h.add(server.url("/slow"));
  int calls = 0;
  std::optional<Result<monitor::CheckDone>> out;
  h.loop->check_now(w.id, [&](Result<monitor::CheckDone> r) {
    ++calls;
    out = std::move(r);
  });
  REQUIRE(run_until(h.io, [&] { return !server.seen().empty(); }));
  h.loop->stop();
  REQUIRE(out);
  REQUIRE_FALSE(out->ok());
  CHECK(out->error().code == "agent_stopping");

  REQUIRE(run_until(h.io, [&] { return h.loop->in_flight() == 0; }));
  CHECK(calls == 1);
  CHECK(h.checks.empty());
  CHECK(h.state(w.id) == store::MonitorState{});
  CHECK(h.rows(w.id).empty());

  // After stop, check_now answers at once.
  std::optional<Result<monitor::CheckDone>> late;
  h.loop->check_now(w.id, [&](Result<monitor::CheckDone> r) { late = std::move(r); });
  REQUIRE(late);
  CHECK(late->error().code == "agent_stopping");
}

TEST_CASE("the loop destroyed with a fetch in flight: the fetch ends quietly") {
  Shop shop;
  LoopbackServer server([&](const Seen& s) { return shop.serve(s); });
  MonitorOptions options = loop_options();
  options.client.read_header_timeout = 1000ms;
  Harness h(options);
  REQUIRE(h.loop->start().ok());
  const store::Watch w = h.add(server.url("/slow"));
  bool called = false;
  h.loop->check_now(w.id, [&](Result<monitor::CheckDone>) { called = true; });
  REQUIRE(run_until(h.io, [&] { return !server.seen().empty(); }));
  h.loop.reset();
  h.io.restart();
  h.io.run_for(kDeadline);  // runs the fetch to its timeout; its handler must not touch the loop
  CHECK(h.io.stopped());
  CHECK_FALSE(called);
  CHECK(h.state(w.id) == store::MonitorState{});
}

TEST_CASE("a watch paused while its check runs is not scheduled again; check_now of a paused watch checks it once") {
  Shop shop;
  LoopbackServer server([&](const Seen& s) { return shop.serve(s); });
  MonitorOptions options = loop_options();
  Harness h(options);
  const store::Watch w = h.add(server.url("/product"));
  REQUIRE(h.loop->start().ok());
  // The scheduled check starts by itself; pause the watch before its result is handled.
  REQUIRE(run_until(h.io, [&] { return h.loop->in_flight() == 1; }));
  store::Watch paused = w;
  paused.state = "paused";
  auto updated = h.db.update_watch(paused);
  REQUIRE(updated.ok());
  REQUIRE(h.loop->watch_changed(*updated).ok());
  REQUIRE(run_until(h.io, [&] { return h.loop->in_flight() == 0; }));
  run_for(h.io, 50ms);
  CHECK(h.checks.size() == 1);  // the check that had started is kept
  CHECK(h.loop->scheduled() == 0);
  CHECK_FALSE(h.state(w.id).next_check_at);

  auto once = h.check(w.id);
  REQUIRE(once.ok());
  CHECK(h.loop->scheduled() == 0);
  CHECK(requests_for(server, "/product") == 2);

  // Unknown watches are refused at once.
  std::optional<Result<monitor::CheckDone>> missing;
  h.loop->check_now(w.id + 1000, [&](Result<monitor::CheckDone> r) { missing = std::move(r); });
  REQUIRE(missing);
  CHECK(missing->error().code == "not_found");
}

TEST_CASE("the loop reads a page with the verified rule pack sync stored for its host, and without one otherwise") {
  auto fixture = [](const std::string& name) {
    std::ifstream in(std::string(DEALSTACK_FIXTURES_DIR) + "/rules/" + name, std::ios::binary);
    REQUIRE(in.good());
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  // tests/fixtures/rules/financing-price.html: the heuristics misread its price; its pack
  // reads the buy box's $649.00.
  LoopbackServer server([&](const Seen&) {
    return Reply{http_response(200, fixture("financing-price.html"), {{"Content-Type", "text/html; charset=utf-8"}})};
  });
  Harness h;
  REQUIRE(h.loop->start().ok());
  const store::Watch w = h.add(server.url("/p/barista-pro"));
  auto plain = h.check(w.id);
  REQUIRE_MESSAGE(plain.ok(), plain.error().message);
  REQUIRE(plain->observation);
  CHECK(plain->observation->price != std::optional<std::int64_t>(64900));

  // A pack for this host (127.0.0.1), signed and verified as sync does before storing it.
  auto pack = nlohmann::json::parse(fixture("financing-price.pack.json"));
  pack["hosts"] = {"127.0.0.1"};
  const std::string text = pack.dump();
  auto key = crypto::ed25519_generate();
  REQUIRE(key.ok());
  const nlohmann::json envelope = {{"format", 1},
                                   {"retailer", pack["retailer"]},
                                   {"version", pack["version"]},
                                   {"key_id", sync::rule_key_id(key->public_key)},
                                   {"pack", crypto::base64_encode(text)},
                                   {"signature", crypto::base64_encode(*crypto::ed25519_sign(key->seed, text))}};
  auto verified = sync::verify_envelope(envelope.dump(), {crypto::base64_encode(key->public_key)});
  REQUIRE(verified.ok());
  REQUIRE(sync::save_rule_pack(h.db, *verified, std::nullopt).ok());

  auto with_pack = h.check(w.id);
  REQUIRE(with_pack.ok());
  REQUIRE(with_pack->observation);
  CHECK(with_pack->observation->price == std::optional<std::int64_t>(64900));
  CHECK(with_pack->observation->currency == "USD");
}
