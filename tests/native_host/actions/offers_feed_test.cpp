#include "actions/offers_feed.hpp"

#include <doctest/doctest.h>

#include <string>

#include "stacking/request_json.hpp"

using namespace dealstack;
using namespace dealstack::actions;
using protocol::Json;

namespace {

// A feed of one retailer with `offers`.
Json feed_of(Json offers, Json extra = Json::object()) {
  Json r = {{"retailer", "shop.example"}, {"offers", std::move(offers)}};
  for (auto& [k, v] : extra.items()) r[k] = v;
  return Json{{"retailers", Json::array({r})}};
}

Json code(const std::string& id, Json discount = {{"type", "percent"}, {"percent", "10"}}) {
  return Json{{"id", id}, {"kind", "code"}, {"code", id}, {"discount", std::move(discount)}};
}

// The error message read_feed gives, or "" when it accepts the feed.
std::string refusal(const Json& feed) {
  auto r = read_feed(feed);
  if (r) return "";
  CHECK(r.error().code == "invalid_feed");
  return r.error().message;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("retailer_key: host names ignoring ASCII case, one leading www. and a trailing dot dropped") {
  CHECK(*retailer_key("shop.example") == "shop.example");
  CHECK(*retailer_key("WWW.Shop.Example") == "shop.example");
  CHECK(*retailer_key("www.shop.example.") == "shop.example");
  CHECK(*retailer_key("www.www.shop.example") == "www.shop.example");  // only one
  CHECK(*retailer_key("www") == "www");
  CHECK(*retailer_key("127.0.0.1:8080") == "127.0.0.1:8080");
  CHECK(*retailer_key("[::1]:8080") == "[::1]:8080");
  CHECK(*retailer_key("my_shop-1.example") == "my_shop-1.example");
  for (std::string bad : {"", ".", "www..", "https://shop.example", "shop.example/p", "shop..example", ".shop.example",
                          "shop example", "shop.example:", "shop.example:123456", "shop.example:8o", "[::1",
                          "sh\xc3\xb6p.example", "shop.example\n"}) {
    CAPTURE(bad);
    auto k = retailer_key(bad);
    REQUIRE(!k);
    CHECK(k.error().code == "invalid_params");
  }
  CHECK(!retailer_key(std::string(dealstack::store::kMaxRetailerBytes + 1, 'a')));
}

TEST_CASE("a valid feed gives each retailer's rules and offers as given, requires_membership kept") {
  Json member_offer = code("club");
  member_offer["requires_membership"] = "Shop Club";
  Json feed = {{"retailers",
                {{{"retailer", "WWW.Shop.Example"},
                  {"rules", {{"max_codes", 2}, {"platform", "shopify"}}},
                  {"offers", {code("a"), member_offer, {{"id", "p"}, {"kind", "portal"}, {"cashback", {{"percent", "5"}}}}}}},
                 {{"retailer", "empty.example"}, {"offers", Json::array()}},
                 {{"retailer", "yen.example"}, {"currency", "JPY"},
                  {"offers", {code("y", {{"type", "amount"}, {"amount", "500"}})}}}}}};
  auto r = read_feed(feed);
  REQUIRE_MESSAGE(r, r.error().message);
  CHECK(r->offers == 4);
  REQUIRE(r->retailers.size() == 3);
  CHECK(r->retailers[0].retailer == "shop.example");
  REQUIRE(r->retailers[0].rules);
  CHECK(Json::parse(*r->retailers[0].rules) == feed["retailers"][0]["rules"]);
  REQUIRE(r->retailers[0].offers.size() == 3);
  for (std::size_t k = 0; k < 3; ++k) CHECK(Json::parse(r->retailers[0].offers[k]) == feed["retailers"][0]["offers"][k]);
  CHECK(Json::parse(r->retailers[0].offers[1]).at("requires_membership") == "Shop Club");
  CHECK(r->retailers[1].offers.empty());
  CHECK(!r->retailers[1].rules);
  CHECK(r->retailers[2].retailer == "yen.example");
}

TEST_CASE("every offer is checked by the stacker's reader; the error names its path in the feed") {
  // Each case: the feed and the start of the message. The codes the stacker gives are its own.
  const std::pair<Json, std::string> cases[] = {
      {feed_of({code("a"), code("b"), code("c"), code("d", {{"type", "percent"}, {"percent", "150"}})}),
       "retailers[0].offers[3].discount.percent: must be a percentage from 0 to 100"},
      {feed_of({code("a"), code("a")}), "retailers[0].offers[1].id: \"a\" is used by two offers"},
      {feed_of({Json{{"id", "x"}, {"kind", "coupon"}}}), "retailers[0].offers[0].kind: \"coupon\" is not one of"},
      {feed_of({code("a", {{"type", "amount"}, {"amount", 5}})}), "retailers[0].offers[0].discount.amount:"},
      {feed_of({[] { Json o = code("a"); o["not_with"] = {"ghost"}; return o; }()}),
       "retailers[0].offers[0].not_with: no offer has the id \"ghost\""},
      {feed_of(Json::array(), {{"rules", {{"max_codes", 101}}}}), "retailers[0].rules.max_codes:"},
      {feed_of(Json::array(), {{"rules", {{"rounding", {{"mode", "down"}}}}}}), "retailers[0].rules.rounding.mode:"},
      {feed_of({code("a")}, {{"currency", "usd"}}), "retailers[0].currency:"},
      {feed_of({code("a")}, {{"currency", 5}}), "retailers[0].currency: must be a string"},
      {feed_of({[] { Json o = code("a"); o["currency"] = "EUR"; return o; }(),
                [] { Json o = code("b"); o["currency"] = "USD"; return o; }()}),
       "retailers[0].offers[1].currency: is USD but this retailer's offers are in EUR"},
      {feed_of({[] { Json o = code("a"); o["currency"] = "euro"; return o; }()}), "retailers[0].offers[0].currency:"},
      {feed_of({[] { Json o = code("a"); o["currency"] = "JPY"; return o; }(),
                code("b", {{"type", "amount"}, {"amount", "1.50"}})}),
       "retailers[0].offers[1].discount.amount: \"1.50\" has more decimals than JPY"},
      {feed_of({[] { Json o = code("a"); o["requires_membership"] = 7; return o; }()}),
       "retailers[0].offers[0].requires_membership: must be a string"},
      {feed_of({[] { Json o = code("a"); o["requires_membership"] = ""; return o; }()}),
       "retailers[0].offers[0].requires_membership: must not be empty"},
      {feed_of({[] { Json o = code("a"); o["requires_membership"] = std::string(kMaxMembershipBytes + 1, 'm'); return o; }()}),
       "retailers[0].offers[0].requires_membership: is longer than"},
      {feed_of({42}), "retailers[0].offers[0]: must be an object"},
      {feed_of(Json::object()), "retailers[0].offers: must be an array"},
      {Json{{"retailers", {{{"retailer", "shop.example"}}}}}, "retailers[0].offers: is required"},
      {Json{{"retailers", {{{"offers", Json::array()}}}}}, "retailers[0].retailer: is required"},
      {Json{{"retailers", {{{"retailer", "https://shop.example/"}, {"offers", Json::array()}}}}},
       "retailers[0].retailer: \"https://shop.example/\" is not a host name"},
      {Json{{"retailers", {{{"retailer", "shop.example"}, {"offers", Json::array()}},
                           {{"retailer", "WWW.SHOP.example"}, {"offers", Json::array()}}}}},
       "retailers[1].retailer: \"shop.example\" is the same shop as retailers[0]"},
      {feed_of(Json::array(), {{"rule", {{"max_codes", 2}}}}), "retailers[0].rule: unknown field"},
      {feed_of(Json::array(), {{"rules", "none"}}), "retailers[0].rules: must be an object"},
      {Json{{"retailers", {7}}}, "retailers[0]: must be an object"},
      {Json{{"retailers", Json::object()}}, "retailers: must be an array"},
      {Json{{"offers", Json::array()}}, "offers: unknown field"},
      {Json::object(), "retailers: is required"},
      {Json::array(), "the feed must be a JSON object"},
  };
  for (const auto& [feed, want] : cases) {
    CAPTURE(want);
    const std::string got = refusal(feed);
    CHECK_MESSAGE(starts_with(got, want), got);
  }
}

TEST_CASE("not_with may name any offer of the same retailer, also one of another kind") {
  Json a = code("a");
  a["not_with"] = {"b", "portal"};
  Json feed = feed_of({a, code("b"), {{"id", "portal"}, {"kind", "portal"}, {"cashback", {{"percent", "5"}}}}});
  CHECK(refusal(feed) == "");
}

TEST_CASE("an offer is checked in the currency of its retailer: the entry's, else the first an offer names") {
  // "1200" is fine in JPY; "12.50" is not.
  CHECK(refusal(feed_of({code("a", {{"type", "amount"}, {"amount", "1200"}})}, {{"currency", "JPY"}})) == "");
  CHECK(starts_with(refusal(feed_of({code("a", {{"type", "amount"}, {"amount", "12.50"}})}, {{"currency", "JPY"}})),
                    "retailers[0].offers[0].discount.amount:"));
  // No currency anywhere: a two-decimal stand-in.
  CHECK(refusal(feed_of({code("a", {{"type", "amount"}, {"amount", "12.50"}})})) == "");
  CHECK(refusal(feed_of({code("a", {{"type", "amount"}, {"amount", "12.505"}})})) != "");
  // KWD has three decimals.
  Json kwd = code("k", {{"type", "amount"}, {"amount", "1.500"}});
  kwd["currency"] = "KWD";
  CHECK(refusal(feed_of({code("a", {{"type", "amount"}, {"amount", "12.505"}}), kwd})) == "");
}

TEST_CASE("the feed's size, counts and nesting are bounded") {
  SUBCASE("too many retailers") {
    Json list = Json::array();
    for (std::size_t i = 0; i <= kMaxFeedRetailers; ++i) list.push_back(Json{{"retailer", "s" + std::to_string(i) + ".example"}, {"offers", Json::array()}});
    CHECK(starts_with(refusal(Json{{"retailers", list}}), "retailers: has 10001 retailers; at most 10000"));
  }
  SUBCASE("too many offers for one retailer") {
    Json offers = Json::array();
    for (std::size_t i = 0; i <= stacking::kMaxOffers; ++i) offers.push_back(code("c" + std::to_string(i)));
    CHECK(starts_with(refusal(feed_of(offers)), "retailers[0].offers: has 5001 offers; at most 5000"));
  }
  SUBCASE("too many offers in all") {
    Json offers = Json::array();
    for (int i = 0; i < 4000; ++i) offers.push_back(Json::object());  // counted before anything is read
    Json list = Json::array();
    for (int r = 0; r < 26; ++r) list.push_back(Json{{"retailer", "s" + std::to_string(r) + ".example"}, {"offers", offers}});
    CHECK(starts_with(refusal(Json{{"retailers", list}}), "retailers: hold 104000 offers in all; at most 100000"));
  }
  SUBCASE("nested deeper than 64 levels, refused without recursion") {
    // Parsed, not built: copying a nlohmann value recurses, parsing doesn't.
    const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
    auto feed = parse_feed_text(R"({"retailers": [{"retailer": "shop.example", "offers": [{"id": "a", "label": )" +
                                deep + "}]}]}");
    REQUIRE(feed);
    CHECK(starts_with(refusal(*feed), "the feed nests deeper than 64 levels"));
    // 64 levels in all is fine (the offer's own label array at level 6 .. 64).
    const std::string ok = std::string(59, '[') + std::string(59, ']');
    auto shallow = parse_feed_text(R"({"retailers": [{"retailer": "shop.example", "offers": [{"id": "a", "kind": "promotion",
        "discount": {"type": "percent", "percent": "5"}, "extra": )" + ok + "}]}]}");
    REQUIRE(shallow);
    CHECK(refusal(*shallow) == "");
  }
  SUBCASE("text over 16 MiB, or not JSON") {
    auto big = parse_feed_text(std::string(kMaxFeedBytes + 1, ' '));
    REQUIRE(!big);
    CHECK(big.error().code == "invalid_feed");
    CHECK(big.error().message == "the feed is over 16 MiB");
    auto bad = parse_feed_text("{\"retailers\": [");
    REQUIRE(!bad);
    CHECK(bad.error().message == "the feed is not valid JSON");
    auto ok = parse_feed_text(R"({"retailers": []})");
    REQUIRE(ok);
    CHECK(read_feed(*ok)->retailers.empty());
  }
}
