// The JSON writer against nlohmann::json::dump (compact, ensure_ascii off, invalid UTF-8
// replaced): the same bytes for hand-picked strings and for thousands of random documents.
#include "json/writer.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

using dealstack::json::Writer;

namespace {

std::string nlohmann_dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Writes j through the Writer (nlohmann iterates object members in key order, as the
// Writer's callers must write them).
void write(Writer& w, const nlohmann::json& j) {
  if (j.is_object()) {
    w.begin_object();
    for (auto it = j.begin(); it != j.end(); ++it) {
      w.key(it.key());
      write(w, it.value());
    }
    w.end_object();
  } else if (j.is_array()) {
    w.begin_array();
    for (const auto& x : j) write(w, x);
    w.end_array();
  } else if (j.is_string()) {
    w.value(j.get_ref<const std::string&>());
  } else if (j.is_boolean()) {
    w.value(j.get<bool>());
  } else if (j.is_null()) {
    w.null();
  } else {
    w.value(j.get<std::int64_t>());
  }
}

std::string written(const nlohmann::json& j) {
  Writer w;
  write(w, j);
  return std::move(w).take();
}

struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    s += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
};

// Strings mixing ASCII, every control character, quotes and backslashes, valid multi-byte
// UTF-8 and broken sequences (stray continuation bytes, truncated sequences, overlong
// forms, surrogates, bytes past U+10FFFF).
std::string random_string(Rng& r) {
  static const char* const pieces[] = {
      "a", "Z", " ", "\"", "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x01", "\x1f", "\x7f",
      "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xD7\x90", "\xEF\xBF\xBD",
      "\x80", "\xBF", "\xC3", "\xE2\x82", "\xF0\x9F\x98", "\xC0\xAF", "\xE0\x80\xAF",
      "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF5", "\xFF", "\xC2", "\xE0\xA0", "\xF4\x8F\xBF\xBF"};
  std::string s;
  const auto n = r.below(8);
  for (std::uint64_t i = 0; i < n; ++i) s += pieces[r.below(std::size(pieces))];
  return s;
}

nlohmann::json random_value(Rng& r, int depth) {
  switch (r.below(depth > 3 ? 4 : 6)) {
    case 0: return random_string(r);
    case 1: {
      static const std::int64_t ints[] = {0, 1, -1, 42, -1999, std::numeric_limits<std::int64_t>::max(),
                                          std::numeric_limits<std::int64_t>::min()};
      return r.below(2) ? ints[r.below(std::size(ints))] : static_cast<std::int64_t>(r.next());
    }
    case 2: return r.below(2) == 0;
    case 3: return nullptr;
    case 4: {
      auto a = nlohmann::json::array();
      const auto n = r.below(4);
      for (std::uint64_t i = 0; i < n; ++i) a.push_back(random_value(r, depth + 1));
      return a;
    }
    default: {
      auto o = nlohmann::json::object();
      const auto n = r.below(5);
      for (std::uint64_t i = 0; i < n; ++i) o[random_string(r)] = random_value(r, depth + 1);
      return o;
    }
  }
}

}  // namespace

TEST_CASE("the writer escapes strings exactly as nlohmann::json::dump") {
  const char* const cases[] = {"", "plain", "quote \" and backslash \\", "\b\f\n\r\t", "\x01\x1f\x7f",
                               "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
                               "stray \x80 byte", "cut \xE2\x82", "cut at end \xF0\x9F\x98",
                               "overlong \xC0\xAF", "surrogate \xED\xA0\x80", "too high \xF4\x90\x80\x80",
                               ("lead then ascii \xC3" "A")};
  for (const char* c : cases) {
    CAPTURE(c);
    CHECK(written(nlohmann::json(std::string(c))) == nlohmann_dump(std::string(c)));
  }
  CHECK(written(nlohmann::json(std::string("nul \0 inside", 12))) ==
        nlohmann_dump(std::string("nul \0 inside", 12)));
}

TEST_CASE("the writer writes 5,000 random documents byte for byte as nlohmann::json::dump") {
  Rng r{7};
  for (int i = 0; i < 5000; ++i) {
    const nlohmann::json doc = random_value(r, 0);
    CAPTURE(i);
    REQUIRE(written(doc) == nlohmann_dump(doc));
  }
}
