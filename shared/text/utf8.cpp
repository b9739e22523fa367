#include "text/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace dealstack::utf8 {

char32_t next(std::string_view s, std::size_t& pos) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  int len;
  char32_t cp;
  char32_t min;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++pos;
    return kReplacement;
  }
  if (pos + len > s.size()) {
    ++pos;
    return kReplacement;
  }
  for (int i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) {
      ++pos;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++pos;
    return kReplacement;
  }
  pos += len;
  return cp;
}

bool is_valid(std::string_view s) {
  std::size_t pos = 0;
  while (pos < s.size()) {
    // Runs of ASCII, eight bytes at a time: most JSON and HTML is ASCII, and framing checks
    // every message (a 1 MiB one byte by byte cost more than reading it).
    std::uint64_t word = 0;
    while (pos + 8 <= s.size()) {
      std::memcpy(&word, s.data() + pos, 8);
      if ((word & 0x8080808080808080ULL) != 0) break;
      pos += 8;
    }
    if (pos >= s.size()) break;
    if (static_cast<unsigned char>(s[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const std::size_t before = pos;
    if (next(s, pos) == kReplacement) {
      // A literal U+FFFD (EF BF BD) is valid; a replacement produced by an error advanced 1.
      if (pos - before != 3) return false;
    }
  }
  return true;
}

std::string prefix(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

std::string sanitize(std::string_view s) {
  if (is_valid(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  std::size_t pos = 0;
  while (pos < s.size()) append(out, next(s, pos));
  return out;
}

bool is_space(char32_t cp) {
  switch (cp) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20:
    case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000: case 0x200B: case 0xFEFF:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::string collapse_whitespace(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t start = pos;
    const char32_t cp = next(s, pos);
    if (is_space(cp)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    if (cp == kReplacement && pos - start != 3)
      append(out, cp);
    else
      out.append(s.substr(start, pos - start));
  }
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

namespace {

char32_t lower_cp(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0xC0) return c;
  if (c <= 0xDE && c != 0xD7) return c + 32;                               // À..Þ
  if (c >= 0x100 && c <= 0x137) return c | 1;                             // Ā..ķ pairs
  if (c >= 0x139 && c <= 0x148) return (c & 1) ? c + 1 : c;               // Ĺ..ň pairs
  if (c >= 0x14A && c <= 0x177) return c | 1;                             // Ŋ..ŷ pairs
  if (c == 0x179 || c == 0x17B || c == 0x17D) return c + 1;               // Ź Ż Ž
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;              // Α..Ϋ
  if (c >= 0x410 && c <= 0x42F) return c + 32;                            // А..Я
  if (c >= 0x400 && c <= 0x40F) return c + 80;                            // Ѐ..Џ
  return c;
}

}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t start = pos;
    const char32_t cp = next(s, pos);
    if (pos - start == 1) {
      if (cp >= 'A' && cp <= 'Z') out[start] = static_cast<char>(cp + 32);
      continue;
    }
    const char32_t l = lower_cp(cp);
    if (l == cp) continue;
    std::string enc;
    append(enc, l);
    if (enc.size() == pos - start) out.replace(start, enc.size(), enc);
  }
  return out;
}

}  // namespace dealstack::utf8
