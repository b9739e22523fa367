#include "actions/wallet_json.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace dealstack;
using namespace dealstack::actions;
using protocol::Json;

namespace {

std::string refusal(const Json& wallet) {
  auto r = read_wallet(wallet);
  if (r) return "";
  CHECK(r.error().code == "invalid_params");
  return r.error().message;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("the default wallet: no cards, no memberships, gift cards used, cashback at face value, paying directly") {
  CHECK(default_wallet() == Json::parse(R"({"cards": [], "memberships": [], "gift_cards": "use",
                                            "cashback_value_percent": "100", "payment_path": "direct"})"));
  CHECK(*read_wallet(Json::object()) == default_wallet());
  // Null reads as absent.
  CHECK(*read_wallet(Json{{"cards", nullptr}, {"payment_path", nullptr}}) == default_wallet());
}

TEST_CASE("a wallet comes back complete, with whole-number percentages as decimal strings") {
  Json in = Json::parse(R"({"cards": [{"id": "blue", "name": "Blue Cash", "earn_percent": 2, "reward_value_percent": "150"},
                                      {"id": "plain", "name": null}],
                            "memberships": ["Shop Club", "CashbackHub"], "gift_cards": "avoid",
                            "cashback_value_percent": "80.5", "payment_path": "paypal"})");
  auto w = read_wallet(in);
  REQUIRE_MESSAGE(w, w.error().message);
  CHECK(*w == Json::parse(R"({"cards": [{"id": "blue", "name": "Blue Cash", "earn_percent": "2", "reward_value_percent": "150"},
                                        {"id": "plain"}],
                              "memberships": ["Shop Club", "CashbackHub"], "gift_cards": "avoid",
                              "cashback_value_percent": "80.5", "payment_path": "paypal"})"));
  // Reading what was stored gives it back unchanged.
  CHECK(*read_wallet(*w) == *w);
  CHECK((*read_wallet(Json{{"payment_path", ""}}))["payment_path"] == "direct");
}

TEST_CASE("every bad wallet field is refused with its path") {
  Json many_cards = Json::array();
  for (std::size_t i = 0; i <= kMaxWalletCards; ++i) many_cards.push_back({{"id", "c" + std::to_string(i)}});
  Json many_programs = Json::array();
  for (std::size_t i = 0; i <= kMaxMemberships; ++i) many_programs.push_back("p" + std::to_string(i));
  const std::string long_text(kMaxWalletTextBytes + 1, 'x');
  const std::pair<Json, std::string> cases[] = {
      {Json::array(), "wallet: must be an object"},
      {Json{{"card", Json::array()}}, "wallet.card: unknown field"},
      {Json{{"cards", "blue"}}, "wallet.cards: must be an array"},
      {Json{{"cards", many_cards}}, "wallet.cards: has 51 cards; at most 50"},
      {Json{{"cards", {7}}}, "wallet.cards[0]: must be an object"},
      {Json{{"cards", {{{"name", "Blue"}}}}}, "wallet.cards[0].id: is required"},
      {Json{{"cards", {{{"id", ""}}}}}, "wallet.cards[0].id: must not be empty"},
      {Json{{"cards", {{{"id", 5}}}}}, "wallet.cards[0].id: must be a string"},
      {Json{{"cards", {{{"id", long_text}}}}}, "wallet.cards[0].id: is longer than 200 bytes"},
      {Json{{"cards", {{{"id", "a"}, {"name", long_text}}}}}, "wallet.cards[0].name: is longer than 200 bytes"},
      {Json{{"cards", {{{"id", "a"}, {"colour", "blue"}}}}}, "wallet.cards[0].colour: unknown field"},
      {Json{{"cards", {{{"id", "a"}}, {{"id", "b"}, {"earn_percent", "101"}}}}},
       "wallet.cards[1].earn_percent: must be a percentage from 0 to 100"},
      {Json{{"cards", {{{"id", "a"}, {"earn_percent", 2.5}}}}}, "wallet.cards[0].earn_percent: must be a percentage"},
      {Json{{"cards", {{{"id", "a"}, {"earn_percent", "1.23456"}}}}}, "wallet.cards[0].earn_percent: must be a percentage"},
      {Json{{"cards", {{{"id", "a"}, {"earn_percent", -1}}}}}, "wallet.cards[0].earn_percent: must be a percentage"},
      {Json{{"cards", {{{"id", "a"}, {"reward_value_percent", "1001"}}}}},
       "wallet.cards[0].reward_value_percent: must be a percentage from 0 to 1000"},
      {Json{{"cards", {{{"id", "a"}}, {{"id", "a"}}}}}, "wallet.cards[1].id: \"a\" is used twice"},
      {Json{{"memberships", "Shop Club"}}, "wallet.memberships: must be an array"},
      {Json{{"memberships", many_programs}}, "wallet.memberships: has 101 programs; at most 100"},
      {Json{{"memberships", {"a", 3}}}, "wallet.memberships[1]: must be a string"},
      {Json{{"memberships", {""}}}, "wallet.memberships[0]: must not be empty"},
      {Json{{"memberships", {long_text}}}, "wallet.memberships[0]: is longer than 200 bytes"},
      {Json{{"memberships", {"a", "b", "a"}}}, "wallet.memberships[2]: \"a\" is listed twice"},
      {Json{{"gift_cards", "sometimes"}}, "wallet.gift_cards: must be \"use\" or \"avoid\""},
      {Json{{"gift_cards", true}}, "wallet.gift_cards: must be \"use\" or \"avoid\""},
      {Json{{"cashback_value_percent", "1000.5"}}, "wallet.cashback_value_percent: must be a percentage from 0 to 1000"},
      {Json{{"cashback_value_percent", true}}, "wallet.cashback_value_percent: must be a percentage"},
      {Json{{"payment_path", 1}}, "wallet.payment_path: must be a string"},
      {Json{{"payment_path", long_text}}, "wallet.payment_path: is longer than 200 bytes"},
  };
  for (const auto& [wallet, want] : cases) {
    CAPTURE(want);
    const std::string got = refusal(wallet);
    CHECK_MESSAGE(starts_with(got, want), got);
  }
}
