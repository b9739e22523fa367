#include "monitor/rule_state_json.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

using namespace dealstack;
using namespace dealstack::monitor;

namespace {

RuleState full_state() {
  RuleState s;
  s.currency = "EUR";
  s.last_price = 1999;
  s.all_time_low = 1799;
  s.drop_reference = 2499;
  s.below_target_fired = Money{1500, "EUR"};
  s.availability = Availability::out_of_stock;
  s.cant_tell_reported = true;
  s.cant_tell_streak = 3;
  return s;
}

}  // namespace

TEST_CASE("every field survives a round trip, and a fresh state too") {
  const RuleState full = full_state();
  auto back = rule_state_from_json(rule_state_to_json(full));
  REQUIRE(back.ok());
  CHECK(*back == full);

  auto fresh = rule_state_from_json(rule_state_to_json(RuleState{}));
  REQUIRE(fresh.ok());
  CHECK(*fresh == RuleState{});

  for (Availability a : {Availability::unknown, Availability::in_stock, Availability::preorder}) {
    RuleState s = full;
    s.availability = a;
    s.below_target_fired.reset();
    s.last_price.reset();
    auto r = rule_state_from_json(rule_state_to_json(s));
    REQUIRE(r.ok());
    CHECK(*r == s);
  }
}

TEST_CASE("the JSON uses the documented field names, prices in minor units, absent when none") {
  const auto j = nlohmann::json::parse(rule_state_to_json(full_state()));
  CHECK(j["currency"] == "EUR");
  CHECK(j["last_price"] == 1999);
  CHECK(j["all_time_low"] == 1799);
  CHECK(j["drop_reference"] == 2499);
  CHECK(j["below_target_fired"]["minor"] == 1500);
  CHECK(j["below_target_fired"]["currency"] == "EUR");
  CHECK(j["availability"] == "out_of_stock");
  CHECK(j["cant_tell_reported"] == true);
  CHECK(j["cant_tell_streak"] == 3);

  const auto empty = nlohmann::json::parse(rule_state_to_json(RuleState{}));
  CHECK_FALSE(empty.contains("last_price"));
  CHECK_FALSE(empty.contains("below_target_fired"));
}

TEST_CASE("an empty text is a fresh state; absent and null fields are none") {
  auto empty = rule_state_from_json("");
  REQUIRE(empty.ok());
  CHECK(*empty == RuleState{});
  auto object = rule_state_from_json("{}");
  REQUIRE(object.ok());
  CHECK(*object == RuleState{});
  auto nulls = rule_state_from_json(R"({"last_price": null, "below_target_fired": null, "currency": "USD"})");
  REQUIRE(nulls.ok());
  CHECK_FALSE(nulls->last_price);
  CHECK_FALSE(nulls->below_target_fired);
  CHECK(nulls->currency == "USD");
}

TEST_CASE("every bad field is refused with invalid_rule_state naming it") {
  struct Case {
    const char* text;
    const char* names;
  };
  const Case cases[] = {
      {"{not json", "not a JSON object"},
      {"[1, 2]", "not a JSON object"},
      {"42", "not a JSON object"},
      {R"({"currency": 7})", "'currency'"},
      {R"({"last_price": -1})", "'last_price'"},
      {R"({"last_price": "19.99"})", "'last_price'"},
      {R"({"last_price": 19.99})", "'last_price'"},
      {R"({"all_time_low": -5})", "'all_time_low'"},
      {R"({"all_time_low": true})", "'all_time_low'"},
      {R"({"drop_reference": [1]})", "'drop_reference'"},
      {R"({"drop_reference": 18446744073709551615})", "'drop_reference'"},
      {R"({"below_target_fired": 1500})", "'below_target_fired'"},
      {R"({"below_target_fired": {"minor": 1500}})", "'below_target_fired'"},
      {R"({"below_target_fired": {"currency": "EUR"}})", "'below_target_fired'"},
      {R"({"below_target_fired": {"minor": "15", "currency": "EUR"}})", "'below_target_fired'"},
      {R"({"below_target_fired": {"minor": 15, "currency": 978}})", "'below_target_fired'"},
      {R"({"availability": 1})", "'availability'"},
      {R"({"availability": "sold_out"})", "availability 'sold_out'"},
      {R"({"cant_tell_reported": "yes"})", "'cant_tell_reported'"},
      {R"({"cant_tell_reported": 1})", "'cant_tell_reported'"},
      {R"({"cant_tell_streak": -1})", "'cant_tell_streak'"},
      {R"({"cant_tell_streak": 1000001})", "'cant_tell_streak'"},
      {R"({"cant_tell_streak": 1.5})", "'cant_tell_streak'"},
      {R"({"cant_tell_streak": "2"})", "'cant_tell_streak'"},
  };
  for (const auto& c : cases) {
    const std::string text = c.text;
    CAPTURE(text);
    auto r = rule_state_from_json(c.text);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "invalid_rule_state");
    CHECK(r.error().message.find(c.names) != std::string::npos);
  }
}

TEST_CASE("an unknown availability's name is clipped in the message") {
  const std::string text = R"({"availability": ")" + std::string(10000, 'q') + "\"}";
  auto r = rule_state_from_json(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.size() < 200);
}

TEST_CASE("unknown fields are ignored, so a newer build's state is still read") {
  auto r = rule_state_from_json(R"({"currency": "USD", "last_price": 100, "future_field": {"x": 1}})");
  REQUIRE(r.ok());
  CHECK(r->last_price == 100);
  CHECK(r->currency == "USD");
}
