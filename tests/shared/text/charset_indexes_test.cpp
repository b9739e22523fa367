#include "text/charset_indexes.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

namespace t = dealstack::charset_tables;
using dealstack::charset::index_fnv1a;
using dealstack::charset::unpack_index;

namespace {

struct Case {
  const char* name;
  const t::PackedIndex* packed;
  std::size_t size;
  const std::uint16_t* (*get)();
};

const Case kCases[] = {
    {"jis0208", &t::kJis0208, t::kJis0208Size, dealstack::charset::jis0208_index},
    {"jis0212", &t::kJis0212, t::kJis0212Size, dealstack::charset::jis0212_index},
    {"euc-kr", &t::kEucKr, t::kEucKrSize, dealstack::charset::euc_kr_index},
    {"gb18030", &t::kGb18030, t::kGb18030Size, dealstack::charset::gb18030_index},
    {"big5", &t::kBig5, t::kBig5Size, dealstack::charset::big5_index},
};

}  // namespace

TEST_CASE("every packed CJK index unpacks to the generator's index (size and FNV-1a hash)") {
  for (const Case& c : kCases) {
    CAPTURE(c.name);
    const std::vector<std::uint16_t> entries = unpack_index(*c.packed);
    REQUIRE(entries.size() == c.size);
    CHECK(index_fnv1a(entries.data(), entries.size()) == c.packed->fnv1a);
    // The cached accessor hands out the same entries.
    const std::uint16_t* cached = c.get();
    CHECK(index_fnv1a(cached, c.size) == c.packed->fnv1a);
    CHECK(c.get() == cached);
  }
}

TEST_CASE("unpacked indexes hold known WHATWG entries") {
  using namespace dealstack::charset;
  CHECK(jis0208_index()[0] == 0x3000);        // pointer 0: IDEOGRAPHIC SPACE
  CHECK(gb18030_index()[0] == 0x4E02);        // first entry of index gb18030
  CHECK(euc_kr_index()[0] == 0xAC02);         // first entry of index EUC-KR
  CHECK(big5_index()[5495] == 0x4E00);        // Big5 0xA440: 一
  CHECK(jis0212_index()[108] == 0x02D8);      // first entry of index jis0212 (pointer 108)
}

TEST_CASE("unpack_index rejects truncated and overlong packed bytes") {
  const std::uint8_t two_byte_cut[] = {0x02, 0x81};         // 1, then a cut two-byte step
  const std::uint8_t three_byte_cut[] = {0xC0, 0x12};       // a cut three-byte step
  const std::uint8_t steps[] = {0x02, 0x02, 0x01, 0xC0, 0x12, 0x34};  // +1 +1 -1 +0x091A
  CHECK(unpack_index({two_byte_cut, sizeof two_byte_cut, 2, 0}).empty());
  CHECK(unpack_index({three_byte_cut, sizeof three_byte_cut, 1, 0}).empty());
  CHECK(unpack_index({steps, sizeof steps, 3, 0}).empty());  // four entries, three expected
  CHECK(unpack_index({steps, sizeof steps, 5, 0}).empty());  // too few
  const std::vector<std::uint16_t> ok = unpack_index({steps, sizeof steps, 4, 0});
  CHECK(ok == std::vector<std::uint16_t>{1, 2, 1, 0x091B});
}

TEST_CASE("a step below zero wraps modulo 2^16 like the generator's") {
  const std::uint8_t down[] = {0x01};  // z = 1: a difference of -1 from 0
  CHECK(unpack_index({down, sizeof down, 1, 0}) == std::vector<std::uint16_t>{0xFFFF});
}
