#include "extract/gtin.hpp"

#include <doctest/doctest.h>

using dealstack::gtin_check_digit_ok;
using dealstack::normalize_gtin;

TEST_CASE("GS1 check digits of valid GTIN-8, -12, -13 and -14") {
  CHECK(gtin_check_digit_ok("73513537"));        // GTIN-8
  CHECK(gtin_check_digit_ok("036000291452"));    // UPC-A / GTIN-12
  CHECK(gtin_check_digit_ok("4006381333931"));   // EAN-13
  CHECK(gtin_check_digit_ok("9783161484100"));   // ISBN-13
  CHECK(gtin_check_digit_ok("10012345678902"));  // GTIN-14
  CHECK(gtin_check_digit_ok("00000000000000"));  // all zeros: check digit 0
}

TEST_CASE("a wrong check digit is rejected for every length") {
  CHECK_FALSE(gtin_check_digit_ok("73513538"));
  CHECK_FALSE(gtin_check_digit_ok("036000291453"));
  CHECK_FALSE(gtin_check_digit_ok("4006381333932"));
  CHECK_FALSE(gtin_check_digit_ok("10012345678903"));
  // A transposition of two adjacent digits changes the weighted sum.
  CHECK_FALSE(gtin_check_digit_ok("4006383133931"));
}

TEST_CASE("other lengths and non-digits are not GTINs") {
  CHECK_FALSE(gtin_check_digit_ok(""));
  CHECK_FALSE(gtin_check_digit_ok("1234567"));
  CHECK_FALSE(gtin_check_digit_ok("12345678901"));       // 11 digits
  CHECK_FALSE(gtin_check_digit_ok("123456789012345"));   // 15 digits
  CHECK_FALSE(gtin_check_digit_ok("400638133393X"));
  CHECK_FALSE(gtin_check_digit_ok("40063813339a1"));
}

TEST_CASE("normalize_gtin keeps the digits in the length found") {
  CHECK(normalize_gtin("4006381333931") == "4006381333931");
  CHECK(normalize_gtin("036000291452") == "036000291452");
  CHECK(normalize_gtin("0036000291452") == "0036000291452");  // the same item padded to 13
  CHECK(normalize_gtin("73513537") == "73513537");
  CHECK(normalize_gtin("10012345678902") == "10012345678902");
}

TEST_CASE("normalize_gtin allows spaces and dashes between digits") {
  CHECK(normalize_gtin("978-3-16-148410-0") == "9783161484100");
  CHECK(normalize_gtin("4 006381 333931") == "4006381333931");
  CHECK(normalize_gtin("  4006381333931  ") == "4006381333931");
}

TEST_CASE("normalize_gtin accepts a label before the digits") {
  CHECK(normalize_gtin("EAN: 4006381333931") == "4006381333931");
  CHECK(normalize_gtin("UPC # 036000291452") == "036000291452");
  CHECK(normalize_gtin("ISBN 978-3-16-148410-0") == "9783161484100");
  CHECK(normalize_gtin("ean 73513537") == "73513537");
}

TEST_CASE("normalize_gtin accepts labels that contain digits (gtin13:, EAN-13:)") {
  CHECK(normalize_gtin("gtin13:4006381333931") == "4006381333931");
  CHECK(normalize_gtin("gtin13: 4006381333931") == "4006381333931");
  CHECK(normalize_gtin("EAN-13: 4006381333931") == "4006381333931");
  CHECK(normalize_gtin("GTIN-14 10012345678902") == "10012345678902");
  CHECK(normalize_gtin("EAN13 4006381333931") == "4006381333931");
}

TEST_CASE("normalize_gtin rejects wrong check digits, other lengths and extra text") {
  CHECK(normalize_gtin("4006381333932").empty());
  CHECK(normalize_gtin("12345").empty());
  CHECK(normalize_gtin("400638133393112").empty());  // 15 digits
  CHECK(normalize_gtin("4006381333931 (pack of 2)").empty());
  CHECK(normalize_gtin("4006381333931/2").empty());
  CHECK(normalize_gtin("").empty());
  CHECK(normalize_gtin("n/a").empty());
  CHECK(normalize_gtin("12 4006381333931").empty());  // a number before is not a label
  CHECK(normalize_gtin("a very long label that goes on and on: 4006381333931").empty());
}
