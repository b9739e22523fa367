#include "text/charset_indexes.hpp"

namespace dealstack::charset {
namespace {

namespace t = charset_tables;

// Never empty, so that callers can index it: a failed unpack (a generator bug) leaves
// `size` zeros, which every decoder reads as "no code point".
const std::uint16_t* unpacked(const t::PackedIndex& packed, std::vector<std::uint16_t>& storage) {
  storage = unpack_index(packed);
  if (storage.size() != packed.size) storage.assign(packed.size, 0);
  return storage.data();
}

}  // namespace

std::vector<std::uint16_t> unpack_index(const t::PackedIndex& packed) {
  std::vector<std::uint16_t> out;
  out.reserve(packed.size);
  const std::uint8_t* p = packed.bytes;
  const std::size_t n = packed.byte_count;
  std::uint16_t prev = 0;
  std::size_t i = 0;
  while (i < n) {
    const unsigned b = p[i++];
    unsigned z;
    if (b < 0x80) {
      z = b;
    } else if (b < 0xC0) {
      if (i >= n) return {};
      z = ((b & 0x3Fu) << 8) | p[i++];
    } else {
      if (i + 2 > n) return {};
      z = (static_cast<unsigned>(p[i]) << 8) | p[i + 1];
      i += 2;
    }
    // Undo the zigzag mapping: odd z is the negative difference -(z + 1) / 2.
    const unsigned step = (z & 1) ? 0x10000u - ((z + 1) >> 1) : (z >> 1);
    prev = static_cast<std::uint16_t>(prev + step);
    if (out.size() == packed.size) return {};
    out.push_back(prev);
  }
  if (out.size() != packed.size) return {};
  return out;
}

std::uint32_t index_fnv1a(const std::uint16_t* entries, std::size_t count) {
  std::uint32_t h = 0x811C9DC5u;
  for (std::size_t i = 0; i < count; ++i) {
    h = (h ^ (entries[i] & 0xFFu)) * 0x01000193u;
    h = (h ^ (entries[i] >> 8)) * 0x01000193u;
  }
  return h;
}

// Function-local statics: initialised once, thread-safe (the native agent decodes pages on
// several threads).
const std::uint16_t* jis0208_index() {
  static std::vector<std::uint16_t> storage;
  static const std::uint16_t* const index = unpacked(t::kJis0208, storage);
  return index;
}
const std::uint16_t* jis0212_index() {
  static std::vector<std::uint16_t> storage;
  static const std::uint16_t* const index = unpacked(t::kJis0212, storage);
  return index;
}
const std::uint16_t* euc_kr_index() {
  static std::vector<std::uint16_t> storage;
  static const std::uint16_t* const index = unpacked(t::kEucKr, storage);
  return index;
}
const std::uint16_t* gb18030_index() {
  static std::vector<std::uint16_t> storage;
  static const std::uint16_t* const index = unpacked(t::kGb18030, storage);
  return index;
}
const std::uint16_t* big5_index() {
  static std::vector<std::uint16_t> storage;
  static const std::uint16_t* const index = unpacked(t::kBig5, storage);
  return index;
}

}  // namespace dealstack::charset
