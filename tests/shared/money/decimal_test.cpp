#include "money/decimal.hpp"

#include <doctest/doctest.h>

using dealstack::Decimal;

TEST_CASE("decimal parses and prints plain decimals exactly") {
  for (const char* s : {"0", "49", "1299.99", "0.05", "-3.10", "123456789012345678", "0.000000000000000001"}) {
    auto d = Decimal::parse(s);
    REQUIRE(d);
    CHECK(d->to_string() == s);
  }
  CHECK(Decimal::parse(".5")->to_string() == "0.5");
  CHECK(Decimal::parse("007.5")->to_string() == "7.5");
}

TEST_CASE("decimal rejects malformed text and too many digits") {
  for (const char* s : {"", "-", ".", "12.", "1,5", "1e5", " 1", "1 ", "+1", "1.2.3", "1234567890123456789"})
    CHECK_FALSE(Decimal::parse(s));
}

TEST_CASE("decimal compares by value, not by scale") {
  CHECK(*Decimal::parse("49") == *Decimal::parse("49.00"));
  CHECK(*Decimal::parse("0.1") < *Decimal::parse("0.10001"));
  CHECK(*Decimal::parse("-1") < *Decimal::parse("0"));
  CHECK(*Decimal::parse("99999999999999999.9") < *Decimal::parse("999999999999999999"));
  CHECK(*Decimal::parse("0.000000000000000001") < *Decimal::parse("0.00000000000000001"));
}

TEST_CASE("decimal normalizes and rescales only when exact") {
  CHECK(Decimal::parse("49.00")->normalized().to_string() == "49");
  CHECK(Decimal::parse("0.000")->normalized().to_string() == "0");
  CHECK(Decimal::parse("1.5")->rescaled(3)->to_string() == "1.500");
  CHECK(Decimal::parse("1.50")->rescaled(1)->to_string() == "1.5");
  CHECK_FALSE(Decimal::parse("1.55")->rescaled(1));
  CHECK_FALSE(Decimal::parse("999999999999999999")->rescaled(2));
}
