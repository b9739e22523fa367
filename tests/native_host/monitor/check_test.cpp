#include "monitor/check.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <utility>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "../store/temp_dir.hpp"
#include "monitor/rule_state_json.hpp"

using namespace dealstack;
using namespace dealstack::monitor;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(DEALSTACK_FIXTURES_DIR) + "/pages/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A product page with one JSON-LD Offer. `price` as the page writes it ("" = no price),
// `currency` "" = no priceCurrency; `availability` a schema.org name.
std::string product_page(const std::string& name, const std::string& price, const std::string& currency,
                         const std::string& availability = "InStock") {
  std::string offer = "{\"@type\": \"Offer\"";
  if (!price.empty()) offer += ", \"price\": \"" + price + "\"";
  if (!currency.empty()) offer += ", \"priceCurrency\": \"" + currency + "\"";
  offer += ", \"availability\": \"https://schema.org/" + availability + "\"}";
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + name +
         "</title><script type=\"application/ld+json\">{\"@context\": \"https://schema.org\", \"@type\": "
         "\"Product\", \"name\": \"" +
         name + "\", \"offers\": " + offer + "}</script></head><body><h1>" + name + "</h1></body></html>";
}

http::Response ok_page(std::string body, std::string url = "https://shop.example/p/1") {
  http::Response r;
  r.status = 200;
  r.final_url = std::move(url);
  r.body = std::move(body);
  r.content_type = "text/html; charset=utf-8";
  return r;
}

http::Response status_only(int status, std::optional<std::int64_t> retry_after_seconds = std::nullopt) {
  http::Response r;
  r.status = status;
  r.final_url = "https://shop.example/p/1";
  r.retry_after_seconds = retry_after_seconds;
  return r;
}

store::Watch watch_of(std::string currency = "", std::optional<std::string> variant = std::nullopt) {
  store::Watch w;
  w.url = "https://shop.example/p/1";
  w.currency = std::move(currency);
  w.variant = std::move(variant);
  return w;
}

Reading read(const http::Response& r, const store::Watch& w) { return read_response(Result<http::Response>(r), w); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// read_response: pure

TEST_CASE("a 200 product page gives an observation with its Money price, availability and title") {
  http::Response resp = ok_page(fixture("jsonld-plain.html"));
  resp.etag = "\"v1\"";
  resp.last_modified = "Tue, 01 Oct 2024 10:00:00 GMT";
  const Reading r = read(resp, watch_of());
  CHECK(r.outcome.kind == Outcome::Kind::ok);
  REQUIRE(r.observation);
  CHECK(r.observation->can_tell);
  REQUIRE(r.observation->price);
  CHECK(*r.observation->price == Money{3490, "USD"});
  CHECK(r.observation->availability == Availability::in_stock);
  CHECK(r.title == "Steel Kettle 1.7 L");
  CHECK(r.etag == "\"v1\"");
  CHECK(r.last_modified == "Tue, 01 Oct 2024 10:00:00 GMT");
  CHECK_FALSE(r.not_modified);

  // Pure: the same response read again gives the same reading.
  const Reading again = read(resp, watch_of());
  CHECK(again.observation->price == r.observation->price);
  CHECK(again.title == r.title);
  CHECK(again.reason == r.reason);
}

TEST_CASE("the price follows the page: another amount and currency give another Money") {
  const Reading r = read(ok_page(product_page("Mug", "7.25", "EUR")), watch_of());
  REQUIRE(r.observation);
  REQUIRE(r.observation->price);
  CHECK(*r.observation->price == Money{725, "EUR"});
  CHECK(r.title == "Mug");
}

TEST_CASE("the watched variant's offer is read; a variant the page no longer lists can't be told") {
  const http::Response resp = ok_page(fixture("jsonld-product-group.html"));
  SUBCASE("by its attributes") {
    const Reading r = read(resp, watch_of("", "Blue, L"));
    REQUIRE(r.observation);
    CHECK(r.observation->can_tell);
    CHECK(r.observation->price == Money{8400, "USD"});
    CHECK(r.observation->availability == Availability::in_stock);
  }
  SUBCASE("by its sku, case aside: the sold-out one") {
    const Reading r = read(resp, watch_of("", "rj-200-red-m"));
    REQUIRE(r.observation);
    CHECK(r.observation->can_tell);
    CHECK(r.observation->price == Money{7900, "USD"});
    CHECK(r.observation->availability == Availability::out_of_stock);
  }
  SUBCASE("by the words of its name") {
    const Reading r = read(resp, watch_of("", "Red M"));
    REQUIRE(r.observation);
    CHECK(r.observation->price == Money{7900, "USD"});
  }
  SUBCASE("missing") {
    const Reading r = read(resp, watch_of("", "Green, XL"));
    REQUIRE(r.observation);
    CHECK_FALSE(r.observation->can_tell);
    CHECK(r.observation->availability != Availability::out_of_stock);
    CHECK_FALSE(r.observation->price);
    CHECK(r.outcome.kind == Outcome::Kind::ok);  // the shop answered: no backoff
    CHECK(contains(r.reason, "Green, XL"));
    CHECK(contains(r.reason, "variant"));
  }
}

TEST_CASE("a page without a product can't be told, never out of stock") {
  for (const char* page : {"no-product-blog.html", "no-product-category.html"}) {
    const std::string name = page;
    CAPTURE(name);
    const Reading r = read(ok_page(fixture(page)), watch_of("USD"));
    REQUIRE(r.observation);
    CHECK_FALSE(r.observation->can_tell);
    CHECK(r.observation->availability == Availability::unknown);
    CHECK_FALSE(r.observation->price);
    CHECK(r.outcome.kind == Outcome::Kind::ok);
    CHECK_FALSE(r.reason.empty());
    CHECK(r.reason.size() <= kMaxReasonBytes);
  }
  const Reading empty = read(ok_page(""), watch_of("USD"));
  REQUIRE(empty.observation);
  CHECK_FALSE(empty.observation->can_tell);
}

TEST_CASE("a price without a currency takes the watch's currency, and can't be told without one") {
  const http::Response resp = ok_page(product_page("Loose Tea", "12.50", ""));
  const Reading with = read(resp, watch_of("EUR"));
  REQUIRE(with.observation);
  CHECK(with.observation->can_tell);
  CHECK(with.observation->price == Money{1250, "EUR"});

  const Reading without = read(resp, watch_of(""));
  REQUIRE(without.observation);
  CHECK_FALSE(without.observation->can_tell);
  CHECK(contains(without.reason, "currency"));

  // The page's own currency wins over the watch's.
  const Reading own = read(ok_page(product_page("Loose Tea", "12.50", "GBP")), watch_of("EUR"));
  REQUIRE(own.observation);
  CHECK(own.observation->price == Money{1250, "GBP"});
}

TEST_CASE("an out-of-stock page without a price can tell: out of stock, no price; in stock without one can't") {
  const Reading oos = read(ok_page(product_page("Gone Lamp", "", "", "OutOfStock")), watch_of("USD"));
  REQUIRE(oos.observation);
  CHECK(oos.observation->can_tell);
  CHECK_FALSE(oos.observation->price);
  CHECK(oos.observation->availability == Availability::out_of_stock);

  const Reading in = read(ok_page(product_page("Odd Lamp", "", "", "InStock")), watch_of("USD"));
  REQUIRE(in.observation);
  CHECK_FALSE(in.observation->can_tell);
  CHECK(contains(in.reason, "no price"));
}

TEST_CASE("304 is not modified: no observation, the validators kept, a success for the scheduler") {
  http::Response resp = status_only(304);
  resp.not_modified = true;
  resp.etag = "\"v2\"";
  const Reading r = read(resp, watch_of());
  CHECK(r.not_modified);
  CHECK_FALSE(r.observation);
  CHECK(r.outcome.kind == Outcome::Kind::ok);
  CHECK(r.etag == "\"v2\"");
}

TEST_CASE("429 and 503 with Retry-After give an http outcome carrying the wait in milliseconds") {
  for (int status : {429, 503}) {
    CAPTURE(status);
    const Reading r = read(status_only(status, 120), watch_of());
    CHECK_FALSE(r.observation);
    CHECK(r.outcome.kind == Outcome::Kind::http_status);
    CHECK(r.outcome.http_status == status);
    REQUIRE(r.outcome.retry_after_ms);
    CHECK(*r.outcome.retry_after_ms == 120'000);
    CHECK(contains(r.reason, std::to_string(status)));
    CHECK(contains(r.reason, "120 s"));

    const Reading bare = read(status_only(status), watch_of());
    CHECK(bare.outcome.kind == Outcome::Kind::http_status);
    CHECK_FALSE(bare.outcome.retry_after_ms);
  }
  // A Retry-After in the past is "now", never negative.
  const Reading past = read(status_only(429, -30), watch_of());
  REQUIRE(past.outcome.retry_after_ms);
  CHECK(*past.outcome.retry_after_ms == 0);
}

TEST_CASE("404 and 410 say the page is gone; other errors don't") {
  for (int status : {404, 410}) {
    CAPTURE(status);
    const Reading r = read(status_only(status), watch_of());
    CHECK_FALSE(r.observation);
    CHECK(r.outcome.kind == Outcome::Kind::http_status);
    CHECK(r.outcome.http_status == status);
    CHECK(contains(r.reason, "gone"));
  }
  const Reading r500 = read(status_only(500), watch_of());
  CHECK(r500.outcome.kind == Outcome::Kind::http_status);
  CHECK_FALSE(contains(r500.reason, "gone"));
  CHECK(contains(r500.reason, "500"));
}

TEST_CASE("a network error becomes a network_error outcome with the error's message as reason") {
  const Result<http::Response> failed = make_error("tls_failed", "TLS handshake with shop.example:443 failed: expired");
  const Reading r = read_response(failed, watch_of());
  CHECK(r.outcome.kind == Outcome::Kind::network_error);
  CHECK_FALSE(r.observation);
  CHECK_FALSE(r.not_modified);
  CHECK(r.reason == "TLS handshake with shop.example:443 failed: expired");

  const Result<http::Response> long_error = make_error("timeout", std::string(5000, 'x'));
  CHECK(read_response(long_error, watch_of()).reason.size() <= kMaxReasonBytes);
}

TEST_CASE("check_request sends the stored validators") {
  store::MonitorState state;
  state.etag = "\"abc\"";
  state.last_modified = "Tue, 01 Oct 2024 10:00:00 GMT";
  const http::Request req = check_request(watch_of(), state);
  CHECK(req.url == "https://shop.example/p/1");
  CHECK(req.etag == "\"abc\"");
  CHECK(req.last_modified == "Tue, 01 Oct 2024 10:00:00 GMT");
  const http::Request fresh = check_request(watch_of(), store::MonitorState{});
  CHECK_FALSE(fresh.etag);
  CHECK_FALSE(fresh.last_modified);
}

// ---------------------------------------------------------------------------------------------
// store_check against a real store

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000;  // a fixed instant; each check one minute on

struct Fixture {
  store::testing::TempDir dir;
  store::Store db = open(dir);
  std::int64_t id = 0;
  std::int64_t t = kT0;

  static store::Store open(const store::testing::TempDir& d) {
    auto s = store::Store::open(d.db());
    REQUIRE(s.ok());
    return std::move(*s);
  }

  void add(const std::function<void(store::Watch&)>& edit = nullptr) {
    store::Watch w;
    w.url = "https://shop.example/p/1";
    if (edit) edit(w);
    auto added = db.add_watch(w);
    REQUIRE(added.ok());
    id = added->id;
  }
  store::Watch watch() {
    auto w = db.get_watch(id);
    REQUIRE(w.ok());
    return *w;
  }
  Result<CheckDone> check(const Reading& r, std::optional<std::int64_t> next = std::nullopt) {
    t += 60'000;
    return store_check(db, id, r, t, next);
  }
  Result<CheckDone> page(const std::string& body) { return check(read(ok_page(body), watch())); }
  std::vector<store::Alert> alerts() {
    auto a = db.list_alerts(false);
    REQUIRE(a.ok());
    return *a;
  }
  std::vector<store::Observation> rows() {
    auto h = db.history(id, 0, kT0 * 2);
    REQUIRE(h.ok());
    return *h;
  }
  store::MonitorState state() {
    auto s = db.monitor_state(id);
    REQUIRE(s.ok());
    return *s;
  }
};

Reading failed_fetch(const std::string& why) {
  return read_response(Result<http::Response>(make_error("connect_failed", why)), watch_of());
}

}  // namespace

TEST_CASE("the first check records the observation, sets the title, the state and the next check") {
  Fixture f;
  f.add();
  http::Response resp = ok_page(product_page("Steel Kettle", "34.90", "USD"));
  resp.etag = "\"e1\"";
  auto done = f.check(read(resp, f.watch()), kT0 + 3'600'000);
  REQUIRE(done.ok());
  CHECK(done->changed);
  CHECK_FALSE(done->alert);  // first sight: nothing to compare with, no target
  CHECK(done->watch.title == "Steel Kettle");
  CHECK(done->watch.last_check_at == f.t);
  REQUIRE(done->observation);
  CHECK(done->observation->price == 3490);
  CHECK(done->observation->currency == "USD");
  CHECK(done->observation->availability == "in_stock");
  CHECK(done->observation->watch_id == f.id);

  CHECK(f.watch().title == "Steel Kettle");
  auto rows = f.rows();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].price == 3490);
  CHECK(rows[0].at == f.t);
  const store::MonitorState s = f.state();
  CHECK(s.etag == "\"e1\"");
  CHECK(s.next_check_at == kT0 + 3'600'000);
  CHECK(s.failures == 0);
  CHECK_FALSE(s.last_error);
  auto rules = rule_state_from_json(s.rules);
  REQUIRE(rules.ok());
  CHECK(rules->last_price == 3490);
  CHECK(rules->currency == "USD");
}

TEST_CASE("a drop under the target gives one alert; the same price again gives none") {
  Fixture f;
  f.add([](store::Watch& w) {
    w.target_price = 3000;
    w.currency = "USD";
  });
  REQUIRE(f.page(product_page("Kettle", "34.90", "USD")).ok());
  CHECK(f.alerts().empty());

  auto drop = f.page(product_page("Kettle", "29.90", "USD"));
  REQUIRE(drop.ok());
  REQUIRE(drop->alert);
  CHECK(drop->alert->kind == "below_target");
  CHECK(drop->alert->price == 2990);
  CHECK(drop->alert->currency == "USD");
  CHECK(drop->alert->watch_id == f.id);
  CHECK(drop->alert->at == f.t);
  CHECK(drop->changed);
  REQUIRE(f.alerts().size() == 1);
  CHECK(f.alerts()[0].id == drop->alert->id);

  auto same = f.page(product_page("Kettle", "29.90", "USD"));
  REQUIRE(same.ok());
  CHECK_FALSE(same->alert);
  CHECK_FALSE(same->changed);
  CHECK(f.alerts().size() == 1);
  CHECK(f.rows().size() == 2);
  CHECK(f.watch().last_check_at == f.t);
}

TEST_CASE("a failed fetch counts a failure, keeps the reason and says check_failed; a success clears both") {
  Fixture f;
  f.add();
  REQUIRE(f.page(product_page("Kettle", "34.90", "USD")).ok());
  const std::int64_t checked_at = f.t;

  auto first = f.check(failed_fetch("connection refused by 127.0.0.1:9"), kT0 + 999);
  REQUIRE_FALSE(first.ok());
  CHECK(first.error().code == "check_failed");
  CHECK(first.error().message == "connection refused by 127.0.0.1:9");
  CHECK(f.state().failures == 1);
  CHECK(f.state().last_error == "connection refused by 127.0.0.1:9");
  CHECK(f.state().next_check_at == kT0 + 999);

  auto second = f.check(read(status_only(503), f.watch()));
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == "check_failed");
  CHECK(f.state().failures == 2);
  CHECK(contains(*f.state().last_error, "503"));
  // A failure is no observation: the history and the last check stay as they were.
  CHECK(f.rows().size() == 1);
  CHECK(f.watch().last_check_at == checked_at);
  CHECK(f.alerts().empty());

  REQUIRE(f.page(product_page("Kettle", "34.90", "USD")).ok());
  CHECK(f.state().failures == 0);
  CHECK_FALSE(f.state().last_error);
}

TEST_CASE("a page that can't be read gives one cant_tell alert, none on the next, and again after a good read") {
  Fixture f;
  f.add([](store::Watch& w) { w.variant = "Green, XL"; });
  const std::string page = fixture("jsonld-product-group.html");

  auto first = f.page(page);
  REQUIRE(first.ok());
  REQUIRE(first->alert);
  CHECK(first->alert->kind == "cant_tell");
  CHECK(contains(first->alert->message, "Green, XL"));  // the reason travels with the alert
  REQUIRE(first->observation);
  CHECK_FALSE(first->observation->can_tell);
  CHECK(first->observation->availability != "out_of_stock");
  CHECK(f.state().last_error);
  CHECK(f.state().failures == 0);  // the shop answered: not a failure

  auto second = f.page(page);
  REQUIRE(second.ok());
  CHECK_FALSE(second->alert);
  CHECK(f.alerts().size() == 1);

  // Readable again (the variant is back), then unreadable: a new episode, a new alert.
  std::string back = page;
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{{"Blue", "Green"}, {"\"L\"", "\"XL\""}})
    for (std::size_t at; (at = back.find(from)) != std::string::npos;) back.replace(at, from.size(), to);
  auto good = f.page(back);
  REQUIRE(good.ok());
  CHECK(good->observation->can_tell);
  CHECK_FALSE(f.state().last_error);
  auto third = f.page(page);
  REQUIRE(third.ok());
  REQUIRE(third->alert);
  CHECK(third->alert->kind == "cant_tell");
  CHECK(f.alerts().size() == 2);
}

TEST_CASE("304 repeats the previous observation: last_check_at moves, no new row, validators kept") {
  Fixture f;
  f.add();
  http::Response resp = ok_page(product_page("Kettle", "34.90", "USD"));
  resp.etag = "\"e1\"";
  resp.last_modified = "Tue, 01 Oct 2024 10:00:00 GMT";
  REQUIRE(f.check(read(resp, f.watch())).ok());

  http::Response unchanged = status_only(304);
  unchanged.not_modified = true;  // a 304 that repeats neither validator
  auto done = f.check(read(unchanged, f.watch()));
  REQUIRE(done.ok());
  CHECK_FALSE(done->changed);
  CHECK_FALSE(done->alert);
  REQUIRE(done->observation);
  CHECK(done->observation->price == 3490);
  CHECK(done->observation->currency == "USD");
  CHECK(done->observation->can_tell);
  CHECK(done->watch.last_check_at == f.t);
  CHECK(f.rows().size() == 1);
  CHECK(f.state().etag == "\"e1\"");
  CHECK(f.state().last_modified == "Tue, 01 Oct 2024 10:00:00 GMT");

  unchanged.etag = "\"e2\"";  // one that sends a new one replaces it
  REQUIRE(f.check(read(unchanged, f.watch())).ok());
  CHECK(f.state().etag == "\"e2\"");
  CHECK(f.rows().size() == 1);
}

TEST_CASE("a corrupt or inconsistent rule state restarts the rules instead of failing the check") {
  for (const char* bad : {"{not json", "[1,2]", "{\"last_price\": \"cheap\"}",
                          // parses, but evaluate() refuses it: prices without a currency
                          "{\"last_price\": 5000, \"currency\": \"\"}",
                          "{\"last_price\": 5000, \"currency\": \"ZZZ\"}"}) {
    const std::string text = bad;
    CAPTURE(text);
    Fixture f;
    f.add([](store::Watch& w) {
      w.target_price = 4000;
      w.currency = "USD";
    });
    store::MonitorState s;
    s.rules = bad;
    REQUIRE(f.db.set_monitor_state(f.id, s).ok());
    auto done = f.page(product_page("Kettle", "34.90", "USD"));
    REQUIRE(done.ok());
    // A fresh start: the first check under target alerts, as it would for a new watch.
    REQUIRE(done->alert);
    CHECK(done->alert->kind == "below_target");
    auto rules = rule_state_from_json(f.state().rules);
    REQUIRE(rules.ok());
    CHECK(rules->last_price == 3490);
    CHECK(rules->currency == "USD");
    CHECK(rules->below_target_fired == Money{4000, "USD"});
  }
}

TEST_CASE("store_check of a watch that does not exist is not_found and writes nothing") {
  Fixture f;
  f.add();
  auto done = store_check(f.db, f.id + 100, read(ok_page(product_page("K", "1.00", "USD")), f.watch()), kT0, std::nullopt);
  REQUIRE_FALSE(done.ok());
  CHECK(done.error().code == "not_found");
  CHECK(f.rows().empty());
}
