// The Encoding Standard's CJK indexes for the charset decoders (text/charset_decoders.cpp),
// unpacked from the packed form the generated tables store (text/encodings/charset_tables.hpp)
// on first use. Internal to the charset decoder; not a public API.
#pragma once

#include "text/encodings/charset_tables.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace dealstack::charset {

// Each returns the whole index (charset_tables::k<Name>Size entries, 0 = no code point),
// unpacked on the first call (thread-safe) and kept for the life of the process: 17-48 KB
// each, paid only by a process that meets that encoding.
const std::uint16_t* jis0208_index();
const std::uint16_t* jis0212_index();
const std::uint16_t* euc_kr_index();
const std::uint16_t* gb18030_index();
const std::uint16_t* big5_index();  // low 16 bits; see charset_tables::kBig5Plane2

// Unpacks `packed` into its entries; empty if the bytes do not decode to exactly
// packed.size entries (a generator bug: the decoders then see an index without code points,
// and tests/shared/text/charset_indexes_test.cpp fails).
std::vector<std::uint16_t> unpack_index(const charset_tables::PackedIndex& packed);

// FNV-1a (32-bit) of the entries, each low byte first: charset_tables::PackedIndex::fnv1a
// is this hash of the index the generator packed.
std::uint32_t index_fnv1a(const std::uint16_t* entries, std::size_t count);

}  // namespace dealstack::charset
