// The WHATWG Encoding Standard's decoders (internal to shared/text/charset.cpp and its
// tests). Each appends well-formed UTF-8 to `out`, writes U+FFFD for every decoding error
// exactly where the standard's decoder (in "replacement" error mode) reports one, runs in
// time linear in the input and never reads outside it.
#pragma once

#include <string>
#include <string_view>

#include "text/encodings/charset_tables.hpp"

namespace dealstack::charset {

using charset_tables::EncodingId;

// Decodes all of `bytes` with `encoding`, as the standard's "decode without BOM" does
// (a BOM is not special here; callers strip it).
void decode_append(EncodingId encoding, std::string_view bytes, std::string& out);

// Canonical name of an encoding ("Shift_JIS").
const char* encoding_name(EncodingId encoding);

// The standard's "get an encoding": trims ASCII white space, compares ASCII
// case-insensitively. False when the label is unknown.
bool lookup_label(std::string_view label, EncodingId& encoding);

}  // namespace dealstack::charset
