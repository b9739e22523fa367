#include "text/utf8.hpp"

#include <doctest/doctest.h>
#include <cstdint>
#include <string>
#include <vector>

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

// is_valid skips ASCII eight bytes at a time; it must agree with decoding one code point at
// a time (a replacement that didn't come from a literal U+FFFD means invalid) on strings
// mixing ASCII runs of every length with valid, literal-U+FFFD and broken sequences at
// every alignment.
TEST_CASE("utf8 is_valid agrees with decoding code point by code point") {
  const auto reference = [](std::string_view s) {
    std::size_t pos = 0;
    while (pos < s.size()) {
      const std::size_t before = pos;
      if (dealstack::utf8::next(s, pos) == 0xFFFD && pos - before != 3) return false;
    }
    return true;
  };
  const std::vector<std::string> pieces = {"a", "é", "€", "😀", "\xEF\xBF\xBD", "\xC3", "\xE2\x82", "\xF0\x9F\x98",
                                           "\x80", "\xFF", "\xED\xA0\x80", "\xC0\xAF", "\"", "\n"};
  std::uint64_t rng = 0x9E3779B97F4A7C15ULL;
  const auto next_random = [&rng] {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  };
  int invalid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const int parts = static_cast<int>(next_random() % 6);
    for (int p = 0; p < parts; ++p) {
      s.append(next_random() % 20, 'x');  // an ASCII run of 0..19 bytes
      s += pieces[next_random() % pieces.size()];
    }
    s.append(next_random() % 12, 'y');
    CAPTURE(s);
    const bool want = reference(s);
    invalid += want ? 0 : 1;
    REQUIRE(dealstack::utf8::is_valid(s) == want);
  }
  CHECK(invalid > 1000);  // the generator does make broken strings
  CHECK(dealstack::utf8::is_valid(std::string(1 << 20, 'a')));
  CHECK_FALSE(dealstack::utf8::is_valid(std::string(1 << 20, 'a') + "\x80"));
}

TEST_CASE("utf8 prefix cuts at a character boundary, never inside one") {
  const std::string s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";  // a é € 😀: 1 + 2 + 3 + 4 bytes
  CHECK(utf8::prefix(s, 100) == s);
  CHECK(utf8::prefix(s, 10) == s);
  CHECK(utf8::prefix(s, 9) == "a\xC3\xA9\xE2\x82\xAC");
  CHECK(utf8::prefix(s, 6) == "a\xC3\xA9\xE2\x82\xAC");
  CHECK(utf8::prefix(s, 5) == "a\xC3\xA9");
  CHECK(utf8::prefix(s, 2) == "a");
  CHECK(utf8::prefix(s, 1) == "a");
  CHECK(utf8::prefix(s, 0).empty());
  for (std::size_t n = 0; n <= s.size(); ++n) {
    CAPTURE(n);
    const std::string p = utf8::prefix(s, n);
    CHECK(p.size() <= n);
    CHECK(utf8::is_valid(p));
    CHECK(s.compare(0, p.size(), p) == 0);
  }
}
