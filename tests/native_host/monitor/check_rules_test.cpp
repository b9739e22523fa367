// The rule-pack hook of a check (ReadOptions::rules_for_host, RulePackCache): real checks of
// a page served by a loopback HTTP server, fetched with the real client, recorded in a real
// store. The page is tests/fixtures/rules/financing-price.html, whose price the heuristics
// misread and its pack reads right.
#include "monitor/check.hpp"

#include <doctest/doctest.h>

#include <boost/asio/read.hpp>  // loopback_server.hpp uses it without including it
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "../http/loopback_server.hpp"
#include "extract/rules.hpp"
#include "../store/temp_dir.hpp"

using namespace dealstack;
using namespace dealstack::monitor;
using dealstack::http::testing::http_response;
using dealstack::http::testing::LoopbackServer;
using dealstack::http::testing::Reply;
using dealstack::http::testing::Seen;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(DEALSTACK_FIXTURES_DIR) + "/rules/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The fixture's pack with its hosts replaced.
std::string pack_for_hosts(const std::string& hosts_json) {
  std::string pack = fixture("financing-price.pack.json");
  const std::string from = R"("hosts": ["brewhaus.example", "www.brewhaus.example"])";
  const auto at = pack.find(from);
  REQUIRE(at != std::string::npos);
  return pack.replace(at, from.size(), "\"hosts\": " + hosts_json);
}

constexpr std::int64_t kPrice = 64900;  // $649.00, the buy box's price

struct Shop {
  LoopbackServer server{[](const Seen& seen) {
    if (seen.target != "/p/barista-pro") return Reply(http_response(404, "gone"));
    return Reply(http_response(200, fixture("financing-price.html"), {{"Content-Type", "text/html; charset=utf-8"}}));
  }};
  store::testing::TempDir dir;
  store::Store db = open();
  std::int64_t id = 0;
  std::int64_t t = 1'700'000'000'000;

  store::Store open() {
    auto s = store::Store::open(dir.db());
    REQUIRE(s.ok());
    return std::move(*s);
  }

  Shop() {
    store::Watch w;
    w.url = server.url("/p/barista-pro");
    auto added = db.add_watch(w);
    REQUIRE(added.ok());
    id = added->id;
  }

  // One whole check: request, real fetch, reading, recording.
  CheckDone check(const ReadOptions& options) {
    auto watch = db.get_watch(id);
    REQUIRE(watch.ok());
    auto state = db.monitor_state(id);
    REQUIRE(state.ok());
    const Result<http::Response> response = http::fetch(check_request(*watch, *state), http::ClientOptions{});
    REQUIRE(response.ok());
    const Reading reading = read_response(response, *watch, options);
    t += 60'000;
    auto done = store_check(db, id, reading, t, std::nullopt);
    REQUIRE(done.ok());
    return *done;
  }
};

std::optional<std::int64_t> price_of(const CheckDone& done) {
  REQUIRE(done.observation);
  return done.observation->price;
}

}  // namespace

TEST_CASE("a check reads the page with the rule pack its host gets, and records the pack's price") {
  Shop shop;
  // Without a pack the heuristics take another amount: the trap the pack is for.
  const CheckDone plain = shop.check(ReadOptions{});
  REQUIRE(price_of(plain));
  CHECK(*price_of(plain) != kPrice);

  std::vector<std::string> asked;
  const std::string pack = pack_for_hosts(R"(["127.0.0.1"])");
  RulePackCache cache;
  ReadOptions options;
  options.rule_cache = &cache;
  options.rules_for_host = [&](const std::string& host) -> std::optional<std::string> {
    asked.push_back(host);
    return pack;
  };
  const CheckDone done = shop.check(options);
  CHECK(asked == std::vector<std::string>{"127.0.0.1"});  // the host, without the port
  CHECK(price_of(done) == kPrice);
  CHECK(done.observation->currency == "USD");
  CHECK(done.observation->availability == "in_stock");  // LimitedAvailability: in stock
  CHECK(done.watch.title == std::optional<std::string>("Barista Pro Espresso Machine"));
  CHECK(done.changed);

  // The same text again is not parsed again.
  CHECK(price_of(shop.check(options)) == kPrice);
  CHECK(cache.parses() == 1);
  CHECK(cache.size() == 1);
}

TEST_CASE("a pack that doesn't list the host, doesn't parse, or isn't there leaves the page to the heuristics") {
  Shop shop;
  const std::optional<std::int64_t> heuristic = price_of(shop.check(ReadOptions{}));
  REQUIRE(heuristic);
  RulePackCache cache;
  ReadOptions options;
  options.rule_cache = &cache;
  std::optional<std::string> answer;
  options.rules_for_host = [&](const std::string&) { return answer; };

  answer = std::nullopt;
  CHECK(price_of(shop.check(options)) == heuristic);
  answer = "";
  CHECK(price_of(shop.check(options)) == heuristic);
  CHECK(cache.parses() == 0);

  answer = pack_for_hosts(R"(["brewhaus.example"])");  // another shop's pack
  CHECK(price_of(shop.check(options)) == heuristic);

  answer = pack_for_hosts(R"(["127.0.0.1"])");
  answer->replace(answer->find("aside.buybox"), 12, "aside:hover");  // an unsupported selector
  CHECK(parse_rule_pack(*answer).error().code == "invalid_selector");
  CHECK(price_of(shop.check(options)) == heuristic);
  CHECK(price_of(shop.check(options)) == heuristic);
  CHECK(cache.parses() == 2);  // the broken pack was parsed once, its error kept

  // Without a cache the pack is still used (parsed each time).
  ReadOptions uncached;
  uncached.rules_for_host = [](const std::string&) { return std::optional<std::string>(pack_for_hosts(R"(["127.0.0.1"])")); };
  CHECK(price_of(shop.check(uncached)) == kPrice);
}

TEST_CASE("the pack cache keeps at most 32 packs and drops the least recently used") {
  RulePackCache cache;
  auto text = [](int version) {
    return R"({"format":1,"retailer":"shop.example","version":)" + std::to_string(version) +
           R"(,"hosts":["shop.example"],"fields":{"name":{"selector":"h1"}}})";
  };
  const auto first = cache.get(text(1));
  REQUIRE(*first);
  CHECK((*first)->version == 1);
  for (int v = 2; v <= 40; ++v) {
    cache.get(text(v));
    cache.get(text(1));  // keeps version 1 recently used
  }
  CHECK(cache.size() == RulePackCache::kMaxEntries);
  CHECK(cache.parses() == 40);
  CHECK(cache.get(text(1)) == first);  // still there, the same parsed pack
  CHECK(cache.parses() == 40);
  cache.get(text(2));  // was dropped: parsed again
  CHECK(cache.parses() == 41);
  CHECK(cache.size() == RulePackCache::kMaxEntries);
}
