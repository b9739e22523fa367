// The Encoding Standard's decoders, written as loops over the whole input instead of the
// standard's byte-at-a-time state machines. "Prepend byte to the stream" becomes moving
// the read position back; every such move is preceded by consuming at least one byte for
// good, so each decoder is linear. Reads are always guarded by `i < n` checks.
#include "text/charset_decoders.hpp"

#include "text/charset_indexes.hpp"
#include "text/utf8.hpp"

#include <cstdint>

namespace dealstack::charset {
namespace {

namespace t = charset_tables;

using Byte = unsigned char;

// Appends a scalar value (from a WHATWG index or decoder: never a surrogate).
inline void put(std::string& out, std::uint32_t cp) { utf8::append(out, static_cast<char32_t>(cp)); }

inline void put_error(std::string& out) { out.append("\xEF\xBF\xBD", 3); }

inline bool in(unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; }

// Copies the run of ASCII bytes starting at `i` (all decoders here map them to themselves,
// except ISO-2022-JP, which has its own loop) and returns the index after it.
inline std::size_t copy_ascii(const Byte* p, std::size_t i, std::size_t n, std::string& out) {
  std::size_t j = i;
  while (j < n && p[j] < 0x80) ++j;
  out.append(reinterpret_cast<const char*>(p + i), j - i);
  return j;
}

void decode_utf8(const Byte* p, std::size_t n, std::string& out) {
  std::size_t i = 0;
  while (i < n) {
    const unsigned b = p[i];
    if (b < 0x80) {
      i = copy_ascii(p, i, n, out);
      continue;
    }
    std::size_t need;
    unsigned lower = 0x80, upper = 0xBF;
    if (in(b, 0xC2, 0xDF)) {
      need = 1;
    } else if (in(b, 0xE0, 0xEF)) {
      need = 2;
      if (b == 0xE0) lower = 0xA0;
      if (b == 0xED) upper = 0x9F;
    } else if (in(b, 0xF0, 0xF4)) {
      need = 3;
      if (b == 0xF0) lower = 0x90;
      if (b == 0xF4) upper = 0x8F;
    } else {
      put_error(out);
      ++i;
      continue;
    }
    // Checks the continuation bytes. A bad one ends the sequence with one error and is
    // then decoded afresh; running out of input is one error for the whole tail.
    std::size_t k = 1;
    for (; k <= need; ++k) {
      if (i + k >= n) break;
      const unsigned c = p[i + k];
      if (c < lower || c > upper) break;
      lower = 0x80;
      upper = 0xBF;
    }
    if (k > need) {
      out.append(reinterpret_cast<const char*>(p + i), need + 1);  // valid: copy as is
      i += need + 1;
    } else {
      put_error(out);
      i = (i + k >= n) ? n : i + k;
    }
  }
}

void decode_utf16(const Byte* p, std::size_t n, bool big_endian, std::string& out) {
  std::size_t i = 0;
  unsigned lead_surrogate = 0;  // 0: none
  while (i + 1 < n) {
    const unsigned unit = big_endian ? (p[i] << 8 | p[i + 1]) : (p[i] | p[i + 1] << 8);
    i += 2;
    if (lead_surrogate != 0) {
      const unsigned lead = lead_surrogate;
      lead_surrogate = 0;
      if (in(unit, 0xDC00, 0xDFFF)) {
        put(out, 0x10000 + ((lead - 0xD800) << 10) + (unit - 0xDC00));
        continue;
      }
      put_error(out);  // unpaired lead surrogate; `unit` is decoded on its own below
    }
    if (in(unit, 0xD800, 0xDBFF)) {
      lead_surrogate = unit;
    } else if (in(unit, 0xDC00, 0xDFFF)) {
      put_error(out);
    } else {
      put(out, unit);
    }
  }
  // An odd final byte and/or a pending lead surrogate: one error at the end of input.
  if (i < n || lead_surrogate != 0) put_error(out);
}

void decode_single_byte(const std::uint16_t* table, const Byte* p, std::size_t n, std::string& out) {
  std::size_t i = 0;
  while (i < n) {
    const unsigned b = p[i];
    if (b < 0x80) {
      i = copy_ascii(p, i, n, out);
      continue;
    }
    const unsigned cp = table[b - 0x80];
    if (cp == 0) {
      put_error(out);
    } else {
      put(out, cp);
    }
    ++i;
  }
}

void decode_x_user_defined(const Byte* p, std::size_t n, std::string& out) {
  for (std::size_t i = 0; i < n; ++i) put(out, p[i] < 0x80 ? p[i] : 0xF780 + p[i] - 0x80);
}

// The standard's "index gb18030 ranges code point"; 0 for null.
std::uint32_t gb18030_ranges_code_point(std::uint32_t pointer) {
  if ((pointer > 39419 && pointer < 189000) || pointer > 1237575) return 0;
  if (pointer == 7457) return 0xE7C7;
  if (pointer >= 189000) return 0x10000 + pointer - 189000;
  // Last range whose pointer is <= `pointer` (the first range starts at 0).
  std::size_t lo = 0, hi = t::kGb18030RangeCount - 1;
  while (lo < hi) {
    const std::size_t mid = (lo + hi + 1) / 2;
    if (t::kGb18030Ranges[mid].pointer <= pointer) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return t::kGb18030Ranges[lo].code_point + (pointer - t::kGb18030Ranges[lo].pointer);
}

void decode_gb18030(const Byte* p, std::size_t n, std::string& out) {
  const std::uint16_t* const gb18030 = gb18030_index();
  std::size_t i = 0;
  while (i < n) {
    const unsigned b = p[i];
    if (b < 0x80) {
      i = copy_ascii(p, i, n, out);
      continue;
    }
    if (b == 0x80) {
      put(out, 0x20AC);
      ++i;
      continue;
    }
    if (b == 0xFF) {
      put_error(out);
      ++i;
      continue;
    }
    if (i + 1 >= n) {  // lead byte at the end of input
      put_error(out);
      break;
    }
    const unsigned b2 = p[i + 1];
    if (in(b2, 0x30, 0x39)) {  // four-byte sequence
      if (i + 2 >= n) {
        put_error(out);
        break;
      }
      const unsigned b3 = p[i + 2];
      if (!in(b3, 0x81, 0xFE)) {  // the second and later bytes are decoded afresh
        put_error(out);
        i += 1;
        continue;
      }
      if (i + 3 >= n) {
        put_error(out);
        break;
      }
      const unsigned b4 = p[i + 3];
      if (!in(b4, 0x30, 0x39)) {
        put_error(out);
        i += 1;
        continue;
      }
      const std::uint32_t pointer = (((b - 0x81) * 10 + (b2 - 0x30)) * 126 + (b3 - 0x81)) * 10 + (b4 - 0x30);
      const std::uint32_t cp = gb18030_ranges_code_point(pointer);
      if (cp == 0) {
        put_error(out);
      } else {
        put(out, cp);
      }
      i += 4;
      continue;
    }
    if (in(b2, 0x40, 0x7E) || in(b2, 0x80, 0xFE)) {
      const unsigned offset = b2 < 0x7F ? 0x40 : 0x41;
      const std::size_t pointer = (b - 0x81) * 190 + (b2 - offset);
      const unsigned cp = gb18030[pointer];  // the index has no holes
      if (cp != 0) {
        put(out, cp);
        i += 2;
        continue;
      }
    }
    put_error(out);
    i += b2 < 0x80 ? 1 : 2;  // an ASCII second byte is decoded afresh
  }
}

void decode_big5(const Byte* p, std::size_t n, std::string& out) {
  const std::uint16_t* const big5 = big5_index();
  std::size_t i = 0;
  while (i < n) {
    const unsigned b = p[i];
    if (b < 0x80) {
      i = copy_ascii(p, i, n, out);
      continue;
    }
    if (!in(b, 0x81, 0xFE)) {
      put_error(out);
      ++i;
      continue;
    }
    if (i + 1 >= n) {
      put_error(out);
      break;
    }
    const unsigned b2 = p[i + 1];
    if (in(b2, 0x40, 0x7E) || in(b2, 0xA1, 0xFE)) {
      const unsigned offset = b2 < 0x7F ? 0x40 : 0x62;
      const std::size_t pointer = (b - 0x81) * 157 + (b2 - offset);
      // Four pointers decode to a letter plus a combining mark.
      std::uint32_t pair = 0;
      switch (pointer) {
        case 1133: pair = 0x0304, put(out, 0x00CA); break;
        case 1135: pair = 0x030C, put(out, 0x00CA); break;
        case 1164: pair = 0x0304, put(out, 0x00EA); break;
        case 1166: pair = 0x030C, put(out, 0x00EA); break;
        default: break;
      }
      if (pair != 0) {
        put(out, pair);
        i += 2;
        continue;
      }
      std::uint32_t cp = big5[pointer];
      if (cp != 0) {
        if (t::kBig5Plane2[pointer >> 3] & (1u << (pointer & 7))) cp += 0x20000;
        put(out, cp);
        i += 2;
        continue;
      }
    }
    put_error(out);
    i += b2 < 0x80 ? 1 : 2;
  }
}

void decode_euc_kr(const Byte* p, std::size_t n, std::string& out) {
  const std::uint16_t* const euc_kr = euc_kr_index();
  std::size_t i = 0;
  while (i < n) {
    const unsigned b = p[i];
    if (b < 0x80) {
      i = copy_ascii(p, i, n, out);
      continue;
    }
    if (!in(b, 0x81, 0xFE)) {
      put_error(out);
      ++i;
      continue;
    }
    if (i + 1 >= n) {
      put_error(out);
      break;
    }
    const unsigned b2 = p[i + 1];
    if (in(b2, 0x41, 0xFE)) {
      const unsigned cp = euc_kr[(b - 0x81) * 190 + (b2 - 0x41)];
      if (cp != 0) {
        put(out, cp);
        i += 2;
        continue;
      }
    }
    put_error(out);
    i += b2 < 0x80 ? 1 : 2;
  }
}

void decode_shift_jis(const Byte* p, std::size_t n, std::string& out) {
  const std::uint16_t* const jis0208 = jis0208_index();
  std::size_t i = 0;
  while (i < n) {
    const unsigned b = p[i];
    if (b < 0x80) {
      i = copy_ascii(p, i, n, out);
      continue;
    }
    if (b == 0x80) {
      put(out, 0x80);
      ++i;
      continue;
    }
    if (in(b, 0xA1, 0xDF)) {  // half-width katakana
      put(out, 0xFF61 - 0xA1 + b);
      ++i;
      continue;
    }
    if (!in(b, 0x81, 0x9F) && !in(b, 0xE0, 0xFC)) {
      put_error(out);
      ++i;
      continue;
    }
    if (i + 1 >= n) {
      put_error(out);
      break;
    }
    const unsigned b2 = p[i + 1];
    if (in(b2, 0x40, 0x7E) || in(b2, 0x80, 0xFC)) {
      const unsigned offset = b2 < 0x7F ? 0x40 : 0x41;
      const unsigned lead_offset = b < 0xA0 ? 0x81 : 0xC1;
      const std::size_t pointer = (b - lead_offset) * 188 + (b2 - offset);
      if (pointer >= 8836 && pointer <= 10715) {  // user-defined area -> private use
        put(out, static_cast<std::uint32_t>(0xE000 - 8836 + pointer));
        i += 2;
        continue;
      }
      const unsigned cp = pointer < t::kJis0208Size ? jis0208[pointer] : 0;
      if (cp != 0) {
        put(out, cp);
        i += 2;
        continue;
      }
    }
    put_error(out);
    i += b2 < 0x80 ? 1 : 2;
  }
}

void decode_euc_jp(const Byte* p, std::size_t n, std::string& out) {
  const std::uint16_t* const jis0208 = jis0208_index();
  const std::uint16_t* const jis0212 = jis0212_index();
  std::size_t i = 0;
  while (i < n) {
    const unsigned b = p[i];
    if (b < 0x80) {
      i = copy_ascii(p, i, n, out);
      continue;
    }
    if (b != 0x8E && b != 0x8F && !in(b, 0xA1, 0xFE)) {
      put_error(out);
      ++i;
      continue;
    }
    if (i + 1 >= n) {
      put_error(out);
      break;
    }
    const unsigned b2 = p[i + 1];
    if (b == 0x8E && in(b2, 0xA1, 0xDF)) {  // half-width katakana
      put(out, 0xFF61 - 0xA1 + b2);
      i += 2;
      continue;
    }
    if (b == 0x8F && in(b2, 0xA1, 0xFE)) {  // JIS X 0212: three bytes
      if (i + 2 >= n) {
        put_error(out);
        break;
      }
      const unsigned b3 = p[i + 2];
      if (in(b3, 0xA1, 0xFE)) {
        const unsigned cp = jis0212[(b2 - 0xA1) * 94 + (b3 - 0xA1)];
        if (cp != 0) {
          put(out, cp);
          i += 3;
          continue;
        }
      }
      put_error(out);
      i += in(b3, 0xA1, 0xFE) ? 3 : 2;
      continue;
    }
    if (in(b, 0xA1, 0xFE) && in(b2, 0xA1, 0xFE)) {
      const unsigned cp = jis0208[(b - 0xA1) * 94 + (b2 - 0xA1)];
      if (cp != 0) {
        put(out, cp);
        i += 2;
        continue;
      }
    }
    // Unlike the other CJK decoders, EUC-JP decodes afresh every second byte outside
    // 0xA1..0xFE, not only ASCII ones.
    put_error(out);
    i += in(b2, 0xA1, 0xFE) ? 2 : 1;
  }
}

void decode_iso_2022_jp(const Byte* p, std::size_t n, std::string& out) {
  const std::uint16_t* const jis0208 = jis0208_index();
  enum State { kAscii, kRoman, kKatakana, kLeadByte, kTrailByte, kEscapeStart, kEscape };
  State state = kAscii;
  State output_state = kAscii;
  unsigned lead = 0;
  bool output_flag = false;  // true right after an escape sequence: two in a row is an error
  std::size_t i = 0;
  for (;;) {
    const bool eof = i >= n;
    const unsigned b = eof ? 0 : p[i];
    switch (state) {
      case kAscii:
      case kRoman:
        if (eof) return;
        ++i;
        if (b == 0x1B) {
          state = kEscapeStart;
          break;
        }
        output_flag = false;
        if (b > 0x7F || b == 0x0E || b == 0x0F) {
          put_error(out);
        } else if (state == kRoman && b == 0x5C) {
          put(out, 0x00A5);
        } else if (state == kRoman && b == 0x7E) {
          put(out, 0x203E);
        } else {
          put(out, b);
        }
        break;
      case kKatakana:
        if (eof) return;
        ++i;
        if (b == 0x1B) {
          state = kEscapeStart;
          break;
        }
        output_flag = false;
        if (in(b, 0x21, 0x5F)) {
          put(out, 0xFF61 - 0x21 + b);
        } else {
          put_error(out);
        }
        break;
      case kLeadByte:
        if (eof) return;
        ++i;
        if (b == 0x1B) {
          state = kEscapeStart;
          break;
        }
        output_flag = false;
        if (in(b, 0x21, 0x7E)) {
          lead = b;
          state = kTrailByte;
        } else {
          put_error(out);
        }
        break;
      case kTrailByte:
        state = kLeadByte;
        if (eof) {
          put_error(out);
          return;
        }
        ++i;
        if (b == 0x1B) {
          state = kEscapeStart;
          put_error(out);
        } else if (in(b, 0x21, 0x7E)) {
          const unsigned cp = jis0208[(lead - 0x21) * 94 + (b - 0x21)];
          if (cp == 0) {
            put_error(out);
          } else {
            put(out, cp);
          }
        } else {
          put_error(out);
        }
        break;
      case kEscapeStart:
        if (!eof && (b == 0x24 || b == 0x28)) {
          lead = b;
          state = kEscape;
          ++i;
          break;
        }
        // The byte (or the end of input) is decoded afresh in the output state.
        output_flag = false;
        state = output_state;
        put_error(out);
        break;
      case kEscape: {
        const unsigned l = lead;
        lead = 0;
        int next = -1;
        if (!eof) {
          if (l == 0x28 && b == 0x42) next = kAscii;
          else if (l == 0x28 && b == 0x4A) next = kRoman;
          else if (l == 0x28 && b == 0x49) next = kKatakana;
          else if (l == 0x24 && (b == 0x40 || b == 0x42)) next = kLeadByte;
        }
        if (next >= 0) {
          ++i;
          state = output_state = static_cast<State>(next);
          const bool output = output_flag;
          output_flag = true;
          if (output) put_error(out);
          break;
        }
        // Not an escape sequence we know: the byte after ESC is decoded afresh (it was
        // consumed, and ESC itself stays consumed, so this still makes progress).
        --i;
        output_flag = false;
        state = output_state;
        put_error(out);
        break;
      }
    }
  }
}

}  // namespace

void decode_append(EncodingId encoding, std::string_view bytes, std::string& out) {
  const auto* p = reinterpret_cast<const Byte*>(bytes.data());
  const std::size_t n = bytes.size();
  out.reserve(out.size() + n + n / 2);
  const auto id = static_cast<std::size_t>(encoding);
  if (id >= t::kFirstSingleByte && id < t::kFirstSingleByte + t::kSingleByteCount) {
    decode_single_byte(t::kSingleByte[id - t::kFirstSingleByte], p, n, out);
    return;
  }
  switch (encoding) {
    case EncodingId::kUtf8: decode_utf8(p, n, out); return;
    case EncodingId::kUtf16le: decode_utf16(p, n, false, out); return;
    case EncodingId::kUtf16be: decode_utf16(p, n, true, out); return;
    case EncodingId::kGbk:
    case EncodingId::kGb18030: decode_gb18030(p, n, out); return;  // GBK's decoder is gb18030's
    case EncodingId::kBig5: decode_big5(p, n, out); return;
    case EncodingId::kEucJp: decode_euc_jp(p, n, out); return;
    case EncodingId::kIso2022Jp: decode_iso_2022_jp(p, n, out); return;
    case EncodingId::kShiftJis: decode_shift_jis(p, n, out); return;
    case EncodingId::kEucKr: decode_euc_kr(p, n, out); return;
    case EncodingId::kXUserDefined: decode_x_user_defined(p, n, out); return;
    case EncodingId::kReplacement:
      // Encodings that were used for attacks (ISO-2022-KR, HZ ...): all of a non-empty
      // input is one error.
      if (n > 0) put_error(out);
      return;
    default: decode_utf8(p, n, out); return;  // unreachable: all ids are handled above
  }
}

const char* encoding_name(EncodingId encoding) {
  return t::kEncodingNames[static_cast<std::size_t>(encoding)];
}

bool lookup_label(std::string_view label, EncodingId& encoding) {
  auto is_space = [](char c) { return c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' '; };
  while (!label.empty() && is_space(label.front())) label.remove_prefix(1);
  while (!label.empty() && is_space(label.back())) label.remove_suffix(1);
  char lower[32];  // longer than every label ("cseucpkdfmtjapanese" is the longest)
  if (label.empty() || label.size() >= sizeof lower) return false;
  for (std::size_t k = 0; k < label.size(); ++k) {
    const char c = label[k];
    lower[k] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  const std::string_view key(lower, label.size());
  std::size_t lo = 0, hi = t::kLabelCount;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    const std::string_view candidate(t::kLabels[mid].label);
    if (candidate < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo < t::kLabelCount && std::string_view(t::kLabels[lo].label) == key) {
    encoding = t::kLabels[lo].encoding;
    return true;
  }
  return false;
}

}  // namespace dealstack::charset
