#include "money/money.hpp"

#include <doctest/doctest.h>

#include "money/currency.hpp"

using namespace dealstack;

TEST_CASE("currency exponents follow ISO 4217") {
  CHECK(find_currency("USD")->exponent == 2);
  CHECK(find_currency("JPY")->exponent == 0);
  CHECK(find_currency("KRW")->exponent == 0);
  CHECK(find_currency("KWD")->exponent == 3);
  CHECK(find_currency("BHD")->exponent == 3);
  CHECK(find_currency("CLF")->exponent == 4);
  CHECK(find_currency("usd") == nullptr);
  CHECK(find_currency("XXX") == nullptr);
  CHECK(find_currency("") == nullptr);
  CHECK(all_currencies().size() > 150);
}

TEST_CASE("money converts decimals to minor units exactly") {
  auto usd = Money::parse("1299.99", "USD");
  REQUIRE(usd.ok());
  CHECK(usd->minor == 129999);
  CHECK(usd->amount_string() == "1299.99");
  CHECK(Money::parse("12", "USD")->amount_string() == "12.00");
  CHECK(Money::parse("500", "JPY")->minor == 500);
  CHECK(Money::parse("500.00", "JPY")->minor == 500);
  CHECK(Money::parse("1.5", "KWD")->minor == 1500);
  CHECK(Money::parse("1.5", "KWD")->amount_string() == "1.500");
  CHECK(Money::parse("0.1", "USD")->minor + Money::parse("0.2", "USD")->minor == 30);
}

TEST_CASE("money refuses what it cannot hold exactly") {
  CHECK(Money::parse("12.345", "USD").error().code == "precision_loss");
  CHECK(Money::parse("1.5", "JPY").error().code == "precision_loss");
  CHECK(Money::parse("12", "ZZZ").error().code == "unknown_currency");
  CHECK(Money::parse("12,50", "EUR").error().code == "invalid_amount");
  CHECK(Money::parse("999999999999999999", "USD").error().code == "amount_out_of_range");
}

TEST_CASE("money arithmetic checks currency and overflow") {
  Money a{1050, "EUR"}, b{250, "EUR"}, c{100, "USD"};
  CHECK(add(a, b)->minor == 1300);
  CHECK(subtract(b, a)->minor == -800);
  CHECK(multiply(a, 3)->minor == 3150);
  CHECK(add(a, c).error().code == "currency_mismatch");
  Money big{INT64_MAX, "USD"};
  CHECK(add(big, Money{1, "USD"}).error().code == "amount_out_of_range");
  CHECK(multiply(big, 2).error().code == "amount_out_of_range");
  CHECK((Money{5, "EUR"} == Money{5, "EUR"}));
  CHECK_FALSE((Money{5, "EUR"} == Money{5, "USD"}));
}
