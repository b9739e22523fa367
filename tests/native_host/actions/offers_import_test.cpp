// offers.import, offers.get and offers.list through the dispatcher, over a real store.
#include "actions/actions.hpp"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "native_host/store/temp_dir.hpp"
#include "protocol/dispatcher.hpp"
#include "store/fault_vfs.hpp"

using namespace dealstack;
using protocol::Json;
using store::testing::TempDir;

namespace {

store::Store opened(Result<store::Store> s) {
  REQUIRE_MESSAGE(s.ok(), s.error().message);
  return std::move(s).value();
}

constexpr std::int64_t kT0 = 1'795'000'000'000LL;

struct Agent {
  explicit Agent(const TempDir& dir, const store::Database::Options& o = {})
      : store(opened(store::Store::open(dir.db(), o, [this] { return now; }))) {
    services.store = &store;
    actions::add_all(dispatcher, services);
  }
  // The reply to {"id": 1, "method", "params"}.
  Json call(const std::string& method, const Json& params = Json::object()) {
    return Json::parse(dispatcher.handle(Json{{"id", 1}, {"method", method}, {"params", params}}.dump()));
  }
  std::int64_t now = kT0;
  store::Store store;
  actions::Services services;
  protocol::Dispatcher dispatcher;
};

Json sample_feed() {
  return Json::parse(R"({"retailers": [
    {"retailer": "WWW.Shop.Example", "rules": {"max_codes": 2},
     "offers": [{"id": "save10", "kind": "code", "code": "SAVE10", "discount": {"type": "percent", "percent": "10"}},
                {"id": "club5", "kind": "promotion", "requires_membership": "Shop Club",
                 "discount": {"type": "amount", "amount": "5.00"}}]},
    {"retailer": "yen.example", "currency": "JPY",
     "offers": [{"id": "y", "kind": "code", "code": "Y", "discount": {"type": "amount", "amount": "500"}}]}]})");
}

}  // namespace

TEST_CASE("offers.get before any import: no offers, no rules, imported_at null; offers.list is empty") {
  TempDir dir;
  Agent a(dir);
  CHECK(a.call("offers.get", {{"retailer", "shop.example"}}) ==
        Json::parse(R"({"id": 1, "result": {"retailer": "shop.example", "rules": null, "offers": [], "imported_at": null}})"));
  CHECK(a.call("offers.list") == Json::parse(R"({"id": 1, "result": {"retailers": [], "imported_at": null}})"));
}

TEST_CASE("offers.import then offers.get: offers exactly as imported, found by any spelling of the host") {
  TempDir dir;
  Agent a(dir);
  const Json feed = sample_feed();
  CHECK(a.call("offers.import", {{"feed", feed}}) ==
        Json{{"id", 1}, {"result", {{"retailers", 2}, {"offers", 3}, {"imported_at", kT0}}}});
  for (const char* name : {"shop.example", "SHOP.example", "www.shop.example", "Www.Shop.Example."}) {
    CAPTURE(name);
    const Json r = a.call("offers.get", {{"retailer", name}});
    REQUIRE_MESSAGE(r.contains("result"), r.dump());
    CHECK(r["result"]["retailer"] == "shop.example");
    CHECK(r["result"]["rules"] == feed["retailers"][0]["rules"]);
    CHECK(r["result"]["offers"] == feed["retailers"][0]["offers"]);  // requires_membership included
    CHECK(r["result"]["imported_at"] == kT0);
  }
  // A shop the feed doesn't have: an empty list, but the import time is known.
  CHECK(a.call("offers.get", {{"retailer", "other.example"}})["result"] ==
        Json{{"retailer", "other.example"}, {"rules", nullptr}, {"offers", Json::array()}, {"imported_at", kT0}});
  CHECK(a.call("offers.list")["result"] ==
        Json::parse(R"({"retailers": [{"retailer": "shop.example", "offers": 2}, {"retailer": "yen.example", "offers": 1}],
                        "imported_at": 1795000000000})"));

  // The next import replaces everything.
  a.now = kT0 + 1000;
  const Json next = Json::parse(R"({"retailers": [{"retailer": "new.example", "offers": []}]})");
  CHECK(a.call("offers.import", {{"feed", next}})["result"] ==
        Json{{"retailers", 1}, {"offers", 0}, {"imported_at", kT0 + 1000}});
  CHECK(a.call("offers.get", {{"retailer", "shop.example"}})["result"]["offers"] == Json::array());
  CHECK(a.call("offers.list")["result"]["retailers"] == Json::parse(R"([{"retailer": "new.example", "offers": 0}])"));
}

TEST_CASE("a bad feed is refused whole with the field's path under feed, and the offers held stay") {
  TempDir dir;
  Agent a(dir);
  REQUIRE(a.call("offers.import", {{"feed", sample_feed()}}).contains("result"));
  Json bad = sample_feed();
  bad["retailers"][1]["offers"][0]["discount"]["amount"] = "5.5";
  const Json r = a.call("offers.import", {{"feed", bad}});
  CHECK(r["error"]["code"] == "invalid_params");
  CHECK(r["error"]["message"] == "feed.retailers[1].offers[0].discount.amount: \"5.5\" has more decimals than JPY allows (0)");
  CHECK(a.call("offers.import", Json::object())["error"]["message"] ==
        "feed: is required (the feed document, {\"retailers\": [...]})");
  CHECK(a.call("offers.import", {{"feed", "retailers"}})["error"]["message"] ==
        "feed: the feed must be a JSON object {\"retailers\": [...]}");
  CHECK(a.call("offers.get", {{"retailer", "shop.example"}})["result"]["offers"].size() == 2);
  CHECK(a.call("offers.list")["result"]["imported_at"] == kT0);
}

TEST_CASE("offers.get refuses a missing or malformed retailer, naming the parameter") {
  TempDir dir;
  Agent a(dir);
  CHECK(a.call("offers.get")["error"]["code"] == "invalid_params");
  CHECK(a.call("offers.get", {{"retailer", 5}})["error"]["code"] == "invalid_params");
  const Json r = a.call("offers.get", {{"retailer", "https://shop.example/p"}});
  CHECK(r["error"]["code"] == "invalid_params");
  CHECK(r["error"]["message"].get<std::string>().rfind("retailer: ", 0) == 0);
}

TEST_CASE("failure injection: an import the disk fails half-way leaves the earlier offers whole") {
  TempDir dir;
  store::Database::Options faulty;
  faulty.vfs = store::fault_vfs::name();
  Agent a(dir, faulty);
  REQUIRE(a.call("offers.import", {{"feed", sample_feed()}}).contains("result"));
  const Json before = a.call("offers.get", {{"retailer", "shop.example"}});
  const Json next = Json::parse(R"({"retailers": [{"retailer": "shop.example", "offers": []}, {"retailer": "b.example",
    "offers": [{"id": "b", "kind": "portal", "cashback": {"percent": "3"}}]}]})");
  bool imported = false;
  int failed = 0;
  for (std::int64_t n = 0; n < 100 && !imported; ++n) {
    CAPTURE(n);
    a.now = kT0 + 1 + n;
    store::fault_vfs::fail_after(n);
    const Json r = a.call("offers.import", {{"feed", next}});
    store::fault_vfs::disarm();
    imported = r.contains("result");
    if (!imported) {
      ++failed;
      CHECK(r["error"]["code"] == "db_io_error");
      // Nothing of the new feed; the old one whole (the connection recovers once the disk does).
      CHECK(a.call("offers.get", {{"retailer", "shop.example"}}) == before);
      CHECK(a.call("offers.get", {{"retailer", "b.example"}})["result"]["offers"] == Json::array());
    }
  }
  CHECK(imported);
  CHECK(failed >= 1);
  CHECK(a.call("offers.get", {{"retailer", "b.example"}})["result"]["offers"].size() == 1);
  CHECK(a.call("offers.get", {{"retailer", "shop.example"}})["result"]["offers"] == Json::array());
}

TEST_CASE("offers.import pushes offers.updated with the import time and the retailers; a refused feed pushes nothing") {
  TempDir dir;
  Agent a(dir);
  std::vector<std::pair<std::string, Json>> events;
  a.services.publish = [&](const char* name, const Json& data) { events.emplace_back(name, data); };
  REQUIRE(a.call("offers.import", {{"feed", Json::parse(R"({"retailers": [{"retailer": "x"}]})")}}).contains("error"));
  CHECK(events.empty());
  REQUIRE(a.call("offers.import", {{"feed", sample_feed()}}).contains("result"));
  REQUIRE(events.size() == 1);
  CHECK(events[0].first == "offers.updated");
  CHECK(events[0].second == Json::parse(R"({"imported_at": 1795000000000, "retailers": ["shop.example", "yen.example"]})"));
}
