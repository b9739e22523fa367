#include "text/utf8.hpp"

#include <doctest/doctest.h>

using namespace dealstack;

TEST_CASE("utf8 decodes and re-encodes every length") {
  std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // a é € 😀
  std::size_t pos = 0;
  CHECK(utf8::next(s, pos) == U'a');
  CHECK(utf8::next(s, pos) == 0xE9);
  CHECK(utf8::next(s, pos) == 0x20AC);
  CHECK(utf8::next(s, pos) == 0x1F600);
  CHECK(pos == s.size());
  std::string out;
  for (char32_t cp : {U'a', char32_t(0xE9), char32_t(0x20AC), char32_t(0x1F600)}) utf8::append(out, cp);
  CHECK(out == s);
}

TEST_CASE("utf8 replaces invalid sequences and always makes progress") {
  CHECK(utf8::is_valid("plain"));
  CHECK(utf8::is_valid("\xEF\xBF\xBD"));  // a literal U+FFFD is fine
  CHECK_FALSE(utf8::is_valid("\xC0\xAF"));  // overlong
  CHECK_FALSE(utf8::is_valid("\xED\xA0\x80"));  // surrogate
  CHECK_FALSE(utf8::is_valid("\xE2\x82"));  // truncated
  CHECK(utf8::sanitize("a\xFF" "b") == "a\xEF\xBF\xBD" "b");
  CHECK(utf8::sanitize("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("utf8 collapses every kind of white space") {
  CHECK(utf8::collapse_whitespace("  1\xC2\xA0" "299,\xE2\x80\x89" "00 \n\t EUR ") == "1 299, 00 EUR");
  CHECK(utf8::collapse_whitespace("\xE3\x80\x80") == "");
  CHECK(utf8::ascii_lower("ÀbC") == "Àbc");
}

TEST_CASE("utf8 lower-cases Latin, Greek and Cyrillic without changing byte offsets") {
  const std::string in = "ÉPUISÉ Код НЕТ В НАЛИЧИИ ΕΞΑΝΤΛΗΜΕΝΟ Łódź ŽLUŤOUČKÝ 品切れ";
  const std::string out = utf8::lower(in);
  CHECK(out == "épuisé код нет в наличии εξαντλημενο łódź žluťoučký 品切れ");
  CHECK(out.size() == in.size());
  CHECK(utf8::lower("\xFF" "AB") == "\xFF" "ab");  // invalid bytes kept
  CHECK(utf8::lower("ЀЏ") == "ѐџ");
}
