// The fast JSON reader against nlohmann::json::parse: the same verdict (valid or not) and
// the same values on hand-picked edge cases and on thousands of broken variants of real
// requests.
#include "json/document.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"

using dealstack::json::Document;
using dealstack::json::Kind;
using dealstack::json::Value;

namespace {

// The Document's tree as an nlohmann value, to compare with nlohmann's own parse.
nlohmann::json to_nlohmann(const Value& v) {
  switch (v.kind()) {
    case Kind::null: return nullptr;
    case Kind::boolean: return v.boolean();
    case Kind::signed_integer: return v.as_int64();
    case Kind::unsigned_integer: return v.as_uint64();
    case Kind::floating: return std::strtod(std::string(v.text()).c_str(), nullptr);
    case Kind::string: return std::string(v.text());
    case Kind::array: {
      auto a = nlohmann::json::array();
      for (std::size_t i = 0; i < v.size(); ++i) a.push_back(to_nlohmann(v[i]));
      return a;
    }
    case Kind::object: {
      auto o = nlohmann::json::object();
      for (std::size_t i = 0; i < v.size(); ++i) o[std::string(v.key_at(i))] = to_nlohmann(v.value_at(i));
      return o;
    }
  }
  return nullptr;
}

// Same verdict and, when valid, the same value (and the same integer kinds).
void agree(const std::string& text) {
  CAPTURE(text.substr(0, 200));
  const auto theirs = nlohmann::json::parse(text, nullptr, false);
  const auto ours = Document::parse(text, {1000});
  REQUIRE(ours.ok() == !theirs.is_discarded());
  if (!ours.ok()) {
    CHECK(ours.error().code == "invalid_json");
    CHECK(ours.error().message.rfind("at byte ", 0) == 0);
    return;
  }
  const auto converted = to_nlohmann(ours->root());
  CHECK(converted == theirs);
  CHECK(converted.type() == theirs.type());
}

struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

}  // namespace

TEST_CASE("json reader agrees with nlohmann on edge cases") {
  const char* cases[] = {
      "{}", "[]", "0", "-0", "1", "-1", "\"\"", "true", "false", "null", " \t\r\n{} \n",
      "18446744073709551615", "18446744073709551616", "9223372036854775807",
      "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
      "1.5", "-1.5e3", "1E+2", "1e-2", "0.0", "01", "-", "1.", ".5", "1e", "1e+", "+1", "--1",
      "0x10", "NaN", "Infinity", "tru", "nul", "[1,]", "{\"a\":1,}", "[,1]", "{,}", "[1 2]",
      "{\"a\" 1}", "{a:1}", "{'a':1}", "\"abc", "\"a\\\"b\"", "\"\\u00e9\"", "\"\\u0000\"",
      "\"\\uD83D\\uDE00\"", "\"\\uD83D\"", "\"\\uDE00\"", "\"\\uD83Dx\"", "\"\\uD83D\\u0041\"",
      "\"\\x41\"", "\"\\u12\"", "\"\\uZZZZ\"", "\"a\tb\"", "\"a\nb\"", "\"\x7f\"",
      "\"\xc3\xa9\"", "\"\xc3\"", "\"\xc0\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"",
      "\"\xe0\x80\x80\"", "\"\xf0\x9f\x98\x80\"", "\"\xff\"", "\xEF\xBB\xBF{}", "\xEF\xBB{}",
      "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":[1,{\"c\":null}]}}", "[[[[]]]]", "{} {}", "[] x",
      "", " ", "/* c */ {}", "{\"a\":1}//", "\"\\/\\b\\f\\n\\r\\t\\\\\"", "[1e999]", "[-1e-999]",
      "{\"\":\"\"}", "[\"\\u20AC\", \"\xe2\x82\xac\"]"};
  for (const char* c : cases) agree(c);
  agree(std::string("\"a\0b\"", 5));  // a raw NUL inside a string
}

TEST_CASE("json reader keeps the last of repeated keys and views unescaped strings") {
  const std::string text = R"({"k":"first","plain":"abc","esc":"a\nb\u00e9","k":"last"})";
  auto doc = Document::parse(text);
  REQUIRE(doc.ok());
  const Value& root = doc->root();
  REQUIRE(root.is_object());
  CHECK(root.size() == 4);
  REQUIRE(root.find("k") != nullptr);
  CHECK(root.find("k")->text() == "last");
  CHECK(root.find("missing") == nullptr);
  // A string without escapes points into the input; one with escapes is unescaped.
  const std::string_view plain = root.find("plain")->text();
  CHECK(plain == "abc");
  CHECK(plain.data() >= text.data());
  CHECK(plain.data() < text.data() + text.size());
  CHECK(root.find("esc")->text() == "a\nb\xc3\xa9");
  // The tree survives being moved (the nodes don't move with it).
  Document moved = std::move(*doc);
  CHECK(moved.root().find("k")->text() == "last");
}

TEST_CASE("json reader refuses nesting past its limit without recursing further") {
  std::string deep(100'000, '[');
  auto r = Document::parse(deep, {64});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "too_deep");
  std::string ok64 = std::string(64, '[') + std::string(64, ']');
  CHECK(Document::parse(ok64, {64}).ok());
  std::string over = std::string(65, '[') + std::string(65, ']');
  CHECK(Document::parse(over, {64}).error().code == "too_deep");
}

TEST_CASE("json reader agrees with nlohmann on broken variants of real requests") {
  // Every scenario request, then random damage: bytes deleted, replaced with ones that
  // matter to JSON, inserted, duplicated; truncations.
  std::vector<std::string> corpus;
  const auto dir = dealstack::test::fixture_path("stacking/scenarios");
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".json")
      corpus.push_back(dealstack::test::read_fixture("stacking/scenarios/" + entry.path().filename().string()));
  REQUIRE(corpus.size() > 50);
  static const char kBytes[] = "{}[],:\"\\ 0123456789.eE+-tfnulr\x80\xc3\xe2\xff\x01\t\n/u";
  Rng rng{42};
  int mutated = 0;
  for (const std::string& original : corpus) {
    agree(original);
    for (int round = 0; round < 60; ++round) {
      std::string s = original;
      const int edits = 1 + static_cast<int>(rng.below(3));
      for (int e = 0; e < edits && !s.empty(); ++e) {
        const std::size_t at = rng.below(s.size());
        switch (rng.below(5)) {
          case 0: s.erase(at, 1 + rng.below(3)); break;
          case 1: s[at] = kBytes[rng.below(sizeof kBytes - 1)]; break;
          case 2: s.insert(at, 1, kBytes[rng.below(sizeof kBytes - 1)]); break;
          case 3: s.insert(at, s.substr(at, rng.below(20))); break;
          default: s.resize(at); break;
        }
      }
      agree(s);
      ++mutated;
    }
  }
  CHECK(mutated > 3000);
}
