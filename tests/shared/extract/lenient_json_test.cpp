#include "extract/lenient_json.hpp"

#include <doctest/doctest.h>

#include <string>

using dealstack::LenientJsonLimits;
using dealstack::parse_lenient_json;
using json = nlohmann::json;

namespace {

// The single value read from `text` (fails the test when there isn't exactly one).
json one(std::string_view text) {
  auto values = parse_lenient_json(text);
  REQUIRE(values.size() == 1);
  return values[0];
}

}  // namespace

TEST_CASE("well-formed JSON is read as is") {
  const json v = one(R"({"@type": "Product", "name": "Kettle", "n": 3, "ok": true, "tags": ["a", "b"]})");
  CHECK(v["name"] == "Kettle");
  CHECK(v["n"] == 3);
  CHECK(v["ok"] == true);
  CHECK(v["tags"].size() == 2);
}

TEST_CASE("non-integer numbers keep their exact text") {
  const json v = one(R"({"price": 12.90, "low": 0.1, "big": 1e3, "int": 12})");
  CHECK(v["price"] == "12.90");
  CHECK(v["low"] == "0.1");
  CHECK(v["big"] == "1e3");
  CHECK(v["int"].is_number_integer());
  CHECK(v["int"] == 12);
}

TEST_CASE("integers too big for 64 bits keep their text instead of becoming a double") {
  const json v = one(R"({"gtin": 123456789012345678901234567890})");
  CHECK(v["gtin"] == "123456789012345678901234567890");
}

TEST_CASE("exact number text survives the repair path too") {
  const json v = one("{\"price\": 19.90, // comment\n \"x\": 1,}");
  CHECK(v["price"] == "19.90");
}

TEST_CASE("trailing commas in objects and arrays are dropped") {
  const json v = one(R"({"a": [1, 2, 3, ], "b": {"c": "d", }, })");
  CHECK(v["a"] == json::array({1, 2, 3}));
  CHECK(v["b"]["c"] == "d");
}

TEST_CASE("line and block comments outside strings are dropped") {
  const json v = one("{\n // the name\n \"name\": \"Kettle\", /* block\n comment */ \"sku\": \"K1\"\n}");
  CHECK(v["name"] == "Kettle");
  CHECK(v["sku"] == "K1");
}

TEST_CASE("comment markers inside strings are kept") {
  const json v = one(R"({"url": "https://shop.example/a//b", "note": "/* not a comment */", "x": 1,})");
  CHECK(v["url"] == "https://shop.example/a//b");
  CHECK(v["note"] == "/* not a comment */");
}

TEST_CASE("raw newlines, tabs and carriage returns inside strings are escaped") {
  const json v = one("{\"description\": \"line one\nline\ttwo\r\", \"sku\": \"S\"}");
  CHECK(v["description"] == "line one\nline\ttwo\r");
  CHECK(v["sku"] == "S");
}

TEST_CASE("other raw control characters inside strings become spaces") {
  const json v = one(std::string("{\"name\": \"a\x01" "b\"}"));
  CHECK(v["name"] == "a b");
}

TEST_CASE("invalid escapes keep the character and drop the backslash") {
  const json v = one(R"({"name": "Kid\'s \x \: mug", "ok": "\u00e9"})");
  CHECK(v["name"] == "Kid's x : mug");
  CHECK(v["ok"] == "\xC3\xA9");
}

TEST_CASE("a \\u escape without four hex digits does not lose the whole block") {
  const json v = one(R"({"name": "Mug \u12 blue", "sku": "M1"})");
  CHECK(v["sku"] == "M1");
  CHECK(v["name"] == "Mug u12 blue");
}

TEST_CASE("HTML comment markers around the JSON are dropped") {
  const json v = one("<!--\n{\"name\": \"Kettle\"}\n-->");
  CHECK(v["name"] == "Kettle");
}

TEST_CASE("CDATA markers around the JSON are dropped") {
  CHECK(one("<![CDATA[{\"name\": \"Kettle\"}]]>")["name"] == "Kettle");
  CHECK(one("//<![CDATA[\n{\"name\": \"Kettle\"}\n//]]>")["name"] == "Kettle");
}

TEST_CASE("stray text before and after the JSON is skipped") {
  const json v = one("var data = {\"name\": \"Kettle\"};\n window.x = 1;");
  CHECK(v["name"] == "Kettle");
}

TEST_CASE("several values one after another are all read, in order") {
  auto values = parse_lenient_json(R"({"n": 1} {"n": 2}
[{"n": 3}])");
  REQUIRE(values.size() == 3);
  CHECK(values[0]["n"] == 1);
  CHECK(values[1]["n"] == 2);
  CHECK(values[2][0]["n"] == 3);
}

TEST_CASE("a broken value beside a good one: the good one is kept") {
  auto values = parse_lenient_json(R"({"name": Kettle, "x": } {"name": "Mug"})");
  REQUIRE(values.size() == 1);
  CHECK(values[0]["name"] == "Mug");
}

TEST_CASE("an unterminated value is closed and read") {
  const json v = one(R"({"name": "Kettle", "offers": {"price": "12.90", "priceCurrency": "EU)");
  CHECK(v["name"] == "Kettle");
  CHECK(v["offers"]["price"] == "12.90");
  CHECK(v["offers"]["priceCurrency"] == "EU");
}

TEST_CASE("text with no JSON value gives nothing") {
  CHECK(parse_lenient_json("").empty());
  CHECK(parse_lenient_json("   ").empty());
  CHECK(parse_lenient_json("not json at all").empty());
  CHECK(parse_lenient_json("\"just a string\"").empty());
  CHECK(parse_lenient_json("42").empty());
}

TEST_CASE("blocks larger than max_bytes are not read") {
  LenientJsonLimits limits;
  limits.max_bytes = 16;
  CHECK(parse_lenient_json(R"({"name": "Kettle and more"})", limits).empty());
  CHECK(parse_lenient_json(R"({"n": 1})", limits).size() == 1);
}

TEST_CASE("nesting deeper than max_depth refuses the block, well-formed or not") {
  LenientJsonLimits limits;
  limits.max_depth = 8;
  const std::string deep = std::string(9, '[') + std::string(9, ']');
  const std::string ok = std::string(8, '[') + std::string(8, ']');
  CHECK(parse_lenient_json(deep, limits).empty());
  CHECK(parse_lenient_json(deep + ",", limits).empty());  // the repair path
  CHECK(parse_lenient_json(ok, limits).size() == 1);
  CHECK(parse_lenient_json(ok + ",", limits).size() == 1);
}

TEST_CASE("very deep nesting within the byte limit is refused without exhausting the stack") {
  const std::string deep = std::string(500000, '[') + std::string(500000, ']');
  CHECK(parse_lenient_json(deep).empty());
  CHECK(parse_lenient_json(std::string(500000, '{')).empty());
}

TEST_CASE("a lone UTF-16 surrogate escape becomes U+FFFD instead of losing the block") {
  const json v = one(R"({"name": "Mug \ud83d blue", "b": "\udc00", "sku": "M1"})");
  CHECK(v["sku"] == "M1");
  CHECK(v["name"] == "Mug \xEF\xBF\xBD blue");
  CHECK(v["b"] == "\xEF\xBF\xBD");
}

TEST_CASE("a valid surrogate pair escape is kept") {
  const json v = one(R"({"name": "Mug \ud83d\ude00", "x": 1,})");
  CHECK(v["name"] == "Mug \xF0\x9F\x98\x80");
}
