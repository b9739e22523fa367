#include "extract/text_util.hpp"

#include <doctest/doctest.h>

using dealstack::clean_text;
using dealstack::icontains;

TEST_CASE("clean_text collapses white space") {
  CHECK(clean_text("  Steel \n\t Kettle  ") == "Steel Kettle");
  CHECK(clean_text("a\xC2\xA0" "b") == "a b");  // no-break space
  CHECK(clean_text("") == "");
}

TEST_CASE("clean_text decodes the entities that leak into structured data") {
  CHECK(clean_text("Salt &amp; Pepper") == "Salt & Pepper");
  CHECK(clean_text("&quot;Pro&quot; &lt;2&gt;") == "\"Pro\" <2>");
  CHECK(clean_text("Kid&#39;s &#x27;mug&#X27;") == "Kid's 'mug'");
  CHECK(clean_text("caf&#233;") == "caf\xC3\xA9");
  CHECK(clean_text("a&nbsp;b") == "a b");
  CHECK(clean_text("it&apos;s") == "it's");
}

TEST_CASE("clean_text leaves unknown or malformed references as text") {
  CHECK(clean_text("AT&T") == "AT&T");
  CHECK(clean_text("a & b") == "a & b");
  CHECK(clean_text("&unknown; x") == "&unknown; x");
  CHECK(clean_text("&#;") == "&#;");
  CHECK(clean_text("&#0;") == "&#0;");
  CHECK(clean_text("&#x110000;") == "&#x110000;");
  CHECK(clean_text("&#12a;") == "&#12a;");
  CHECK(clean_text("&amp") == "&amp");
}

TEST_CASE("clean_text never produces invalid UTF-8") {
  CHECK(clean_text("&#xD800;") == "\xEF\xBF\xBD");  // a surrogate: U+FFFD
  CHECK(clean_text("bad \xFF byte") == "bad \xEF\xBF\xBD byte");
  CHECK(clean_text("cut \xE2\x82") == "cut \xEF\xBF\xBD\xEF\xBF\xBD");  // one U+FFFD per bad byte (utf8::next)
}

TEST_CASE("icontains is ASCII case-insensitive") {
  CHECK(icontains("Add To Cart", "add to cart"));
  CHECK(icontains("x", ""));
  CHECK_FALSE(icontains("ab", "abc"));
  CHECK_FALSE(icontains("Kettle", "kettles"));
}

TEST_CASE("word_overlap: share of a's words found in b, across case, with a minimum word length") {
  CHECK(dealstack::word_overlap("Glass Kettle 1.7 L", "GLASS KETTLE 1.7 L - Homeware", 2) == 100);
  CHECK(dealstack::word_overlap("Glass Kettle", "Steel Kettle", 3) == 50);
  CHECK(dealstack::word_overlap("Чайник Стеклянный", "чайник", 3) == 50);
  CHECK(dealstack::word_overlap("TV 4K", "Television", 3) == 0);  // no word long enough
  CHECK(dealstack::word_overlap("TV 4K", "tv 4k", 3) == 100);     // equal texts
  CHECK(dealstack::word_overlap("", "x", 2) == 0);
  CHECK(dealstack::word_overlap("x", "", 2) == 0);
}
