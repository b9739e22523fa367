#include "price/price_json.hpp"

#include <doctest/doctest.h>

using dealstack::parse_price;
using dealstack::to_json;

TEST_CASE("price json gives the amount as a plain decimal string and the texts as shown") {
  const nlohmann::json j = to_json(parse_price("US$ 1,299.90"));
  CHECK(j["amount"] == "1299.90");
  CHECK(j["amount_text"] == "1,299.90");
  CHECK(j["currency"] == "USD");
  CHECK(j["currency_text"] == "US$");
  CHECK(j.size() == 4);
}

TEST_CASE("price json uses null, not empty strings, for what is missing") {
  const nlohmann::json none = to_json(parse_price("Sold out"));
  CHECK(none["amount"].is_null());
  CHECK(none["amount_text"].is_null());
  CHECK(none["currency"].is_null());
  CHECK(none["currency_text"].is_null());
  const nlohmann::json kr = to_json(parse_price("199 kr"));
  CHECK(kr["amount"] == "199");
  CHECK(kr["currency_text"] == "kr");
  CHECK(kr["currency"].is_null());  // kr alone: SEK, NOK, DKK or ISK
}

TEST_CASE("price json keeps the digits as written") {
  CHECK(to_json(parse_price("12,50 €"))["amount"] == "12.50");
  CHECK(to_json(parse_price("12,- €"))["amount"] == "12");
  CHECK(to_json(parse_price("0,05 €"))["amount"] == "0.05");
}
