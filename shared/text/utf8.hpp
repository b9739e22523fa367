// Small UTF-8 helpers shared by the price parser, the charset decoder and the extractor.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dealstack::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Decodes the code point at `pos` and advances `pos` past it. An invalid or truncated
// sequence yields U+FFFD and advances by one byte (so decoding always makes progress).
char32_t next(std::string_view s, std::size_t& pos);

// Appends the UTF-8 encoding of `cp` (U+FFFD for surrogates and values above U+10FFFF).
// Inline: the charset decoders call it once per character.
inline void append(std::string& out, char32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    const char b[2] = {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 2);
  } else if (cp < 0x10000) {
    const char b[3] = {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                       static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 3);
  } else {
    const char b[4] = {static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
                       static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 4);
  }
}

// True when `s` is entirely well-formed UTF-8.
bool is_valid(std::string_view s);

// The longest prefix of `s` of at most `max_bytes` bytes that doesn't cut a UTF-8 sequence
// (for length caps on text that is shown or stored).
std::string prefix(std::string_view s, std::size_t max_bytes);

// `s` with every invalid sequence replaced by U+FFFD.
std::string sanitize(std::string_view s);

// Unicode white space, including no-break (U+00A0), thin (U+2009), narrow no-break
// (U+202F), figure (U+2007), ideographic (U+3000) spaces and zero-width space (U+200B).
bool is_space(char32_t cp);

// Trims and collapses every run of white space (as is_space) into one ASCII space.
std::string collapse_whitespace(std::string_view s);

// ASCII-only lower-casing (leaves other bytes as they are).
std::string ascii_lower(std::string_view s);

// Lower-casing for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic; every other
// character is kept. The byte length never changes, so offsets found in the result are
// valid in the input too. Invalid UTF-8 is kept as it is.
std::string lower(std::string_view s);

}  // namespace dealstack::utf8
