// Determining a page's character encoding (HTML standard, "determining the character
// encoding": BOM, transport, prescan, default) and decoding it with the WHATWG decoders.
#include "text/charset.hpp"

#include <algorithm>
#include <vector>

#include "text/charset_decoders.hpp"
#include "text/charset_sniff.hpp"

namespace dealstack {
namespace {

using charset::EncodingId;

// Bytes the prescan looks at; the HTML standard encourages 1024 and browsers use it.
constexpr std::size_t kPrescanBytes = 1024;

bool is_space(unsigned char c) { return c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D || c == 0x20; }
bool is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
char lower(unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 0x20 : c); }

bool get_encoding(std::string_view label, EncodingId& out) { return charset::lookup_label(label, out); }

// HTML's "algorithm for extracting a character encoding from a meta element" (also used
// for a Content-Type value given as the transport charset). False for "nothing".
bool extract_from_content(std::string_view s, EncodingId& out) {
  std::size_t pos = 0;
  for (;;) {
    // Loop: the first "charset" (ASCII case-insensitive) at or after pos.
    std::size_t found = std::string_view::npos;
    for (std::size_t k = pos; k + 7 <= s.size(); ++k) {
      bool match = true;
      for (std::size_t m = 0; m < 7 && match; ++m) match = lower(s[k + m]) == "charset"[m];
      if (match) {
        found = k;
        break;
      }
    }
    if (found == std::string_view::npos) return false;
    pos = found + 7;
    while (pos < s.size() && is_space(s[pos])) ++pos;
    if (pos < s.size() && s[pos] == '=') break;
    // Not "charset=": look again from here.
  }
  ++pos;
  while (pos < s.size() && is_space(s[pos])) ++pos;
  if (pos >= s.size()) return false;
  const char quote = s[pos];
  if (quote == '"' || quote == '\'') {
    const std::size_t close = s.find(quote, pos + 1);
    if (close == std::string_view::npos) return false;
    return get_encoding(s.substr(pos + 1, close - pos - 1), out);
  }
  std::size_t end = pos;
  while (end < s.size() && !is_space(s[end]) && s[end] != ';') ++end;
  return get_encoding(s.substr(pos, end - pos), out);
}

// The prescan's "get an attribute": reads one attribute at `pos` (names and values are
// ASCII-lowercased). False when there is none or the bytes run out.
bool get_attribute(std::string_view b, std::size_t& pos, std::string& name, std::string& value) {
  const std::size_t n = b.size();
  name.clear();
  value.clear();
  while (pos < n && (is_space(b[pos]) || b[pos] == '/')) ++pos;
  if (pos >= n || b[pos] == '>') return false;
  // Name.
  for (;;) {
    if (pos >= n) return false;
    const unsigned char c = b[pos];
    if (c == '=' && !name.empty()) {
      ++pos;
      goto value_step;
    }
    if (is_space(c)) break;  // -> spaces
    if (c == '/' || c == '>') return true;
    name.push_back(lower(c));
    ++pos;
  }
  // Spaces.
  while (pos < n && is_space(b[pos])) ++pos;
  if (pos >= n) return false;
  if (b[pos] != '=') return true;
  ++pos;
value_step:
  while (pos < n && is_space(b[pos])) ++pos;
  if (pos >= n) return false;
  if (b[pos] == '"' || b[pos] == '\'') {
    const char quote = b[pos];
    ++pos;
    for (;;) {
      if (pos >= n) return false;
      if (b[pos] == quote) {
        ++pos;
        return true;
      }
      value.push_back(lower(b[pos]));
      ++pos;
    }
  }
  if (b[pos] == '>') return true;
  value.push_back(lower(b[pos]));
  ++pos;
  for (;;) {
    if (pos >= n) return false;
    const unsigned char c = b[pos];
    if (is_space(c) || c == '>') return true;
    value.push_back(lower(c));
    ++pos;
  }
}

// HTML's "get an XML encoding": the encoding of an <?xml ... encoding="..."?> declaration
// at the very start; the prescan falls back on it.
bool xml_encoding(std::string_view b, EncodingId& out) {
  if (b.substr(0, 5) != "<?xml") return false;
  const std::size_t decl_end = b.find('>');
  if (decl_end == std::string_view::npos) return false;
  const std::string_view decl = b.substr(0, decl_end);
  std::size_t pos = decl.find("encoding");
  if (pos == std::string_view::npos) return false;
  pos += 8;
  while (pos < decl.size() && static_cast<unsigned char>(decl[pos]) <= 0x20) ++pos;
  if (pos >= decl.size() || decl[pos] != '=') return false;
  ++pos;
  while (pos < decl.size() && static_cast<unsigned char>(decl[pos]) <= 0x20) ++pos;
  if (pos >= decl.size() || (decl[pos] != '"' && decl[pos] != '\'')) return false;
  const std::size_t close = decl.find(decl[pos], pos + 1);
  if (close == std::string_view::npos) return false;
  if (!get_encoding(decl.substr(pos + 1, close - pos - 1), out)) return false;
  if (out == EncodingId::kUtf16be || out == EncodingId::kUtf16le) out = EncodingId::kUtf8;
  return true;
}

// HTML's "prescan a byte stream to determine its encoding" over the first kPrescanBytes.
bool prescan(std::string_view bytes, EncodingId& out) {
  const std::string_view b = bytes.substr(0, kPrescanBytes);
  const std::size_t n = b.size();
  // A UTF-16 "<?x" can only mean a UTF-16 XML declaration.
  if (b.substr(0, 6) == std::string_view("<\0?\0x\0", 6)) {
    out = EncodingId::kUtf16le;
    return true;
  }
  if (b.substr(0, 6) == std::string_view("\0<\0?\0x", 6)) {
    out = EncodingId::kUtf16be;
    return true;
  }
  std::string name, value;
  std::size_t pos = 0;
  while (pos < n) {
    if (b.compare(pos, 4, "<!--") == 0) {
      // Skip to the end of the first "-->" after "<!" (its dashes may be the opening ones).
      const std::size_t close = b.find("-->", pos + 2);
      if (close == std::string_view::npos) break;
      pos = close + 2;  // at '>'
    } else if (pos + 5 < n && b[pos] == '<' && lower(b[pos + 1]) == 'm' && lower(b[pos + 2]) == 'e' &&
               lower(b[pos + 3]) == 't' && lower(b[pos + 4]) == 'a' &&
               (is_space(b[pos + 5]) || b[pos + 5] == '/')) {
      pos += 6;
      std::vector<std::string> seen;  // attribute names already processed: only the first counts
      bool got_pragma = false;
      int need_pragma = -1;  // -1 null, 0 false, 1 true
      enum { kNull, kFailure, kSet } charset_state = kNull;
      EncodingId charset = EncodingId::kUtf8;
      while (get_attribute(b, pos, name, value)) {
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
        seen.push_back(name);
        if (name == "http-equiv") {
          if (value == "content-type") got_pragma = true;
        } else if (name == "content") {
          EncodingId e;
          if (charset_state == kNull && extract_from_content(value, e)) {
            charset = e;
            charset_state = kSet;
            need_pragma = 1;
          }
        } else if (name == "charset") {
          charset_state = get_encoding(value, charset) ? kSet : kFailure;
          need_pragma = 0;
        }
      }
      // Ran out of bytes inside the tag: an unfinished <meta> declares nothing.
      if (pos >= n) break;
      // Processing: a usable declaration ends the prescan; otherwise keep scanning from
      // where the attributes ended.
      if (need_pragma != -1 && !(need_pragma == 1 && !got_pragma) && charset_state == kSet) {
        if (charset == EncodingId::kUtf16be || charset == EncodingId::kUtf16le) charset = EncodingId::kUtf8;
        if (charset == EncodingId::kXUserDefined) charset = EncodingId::kWindows1252;
        out = charset;
        return true;
      }
    } else if (pos + 1 < n && b[pos] == '<' &&
               (is_alpha(b[pos + 1]) || (b[pos + 1] == '/' && pos + 2 < n && is_alpha(b[pos + 2])))) {
      // Some other tag: skip its name and attributes.
      while (pos < n && !is_space(b[pos]) && b[pos] != '>') ++pos;
      while (get_attribute(b, pos, name, value)) {
      }
      if (pos >= n) break;
    } else if (pos + 1 < n && b[pos] == '<' && (b[pos + 1] == '!' || b[pos + 1] == '/' || b[pos + 1] == '?')) {
      const std::size_t close = b.find('>', pos + 1);
      if (close == std::string_view::npos) break;
      pos = close;
    }
    ++pos;  // next byte
  }
  return xml_encoding(b, out);
}

// Parses a transport charset: a bare label or a Content-Type value with charset=.
bool transport_encoding(std::string_view transport, EncodingId& out) {
  if (transport.empty()) return false;
  if (get_encoding(transport, out)) return true;
  return extract_from_content(transport, out);
}

DecodedText finish(std::string_view bytes, EncodingId encoding, const char* source) {
  DecodedText result;
  charset::decode_append(encoding, bytes, result.utf8);
  result.encoding = charset::encoding_name(encoding);
  result.source = source;
  return result;
}

}  // namespace

std::string encoding_for_label(std::string_view label) {
  EncodingId e;
  return get_encoding(label, e) ? charset::encoding_name(e) : std::string();
}

std::string prescan_meta_charset(std::string_view bytes) {
  EncodingId e;
  return prescan(bytes, e) ? charset::encoding_name(e) : std::string();
}

DecodedText decode_html(std::string_view bytes, std::string_view transport_charset) {
  // 1. A byte order mark wins over everything and is not part of the text.
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") return finish(bytes.substr(3), EncodingId::kUtf8, "bom");
  if (bytes.substr(0, 2) == "\xFE\xFF") return finish(bytes.substr(2), EncodingId::kUtf16be, "bom");
  if (bytes.substr(0, 2) == "\xFF\xFE") return finish(bytes.substr(2), EncodingId::kUtf16le, "bom");
  EncodingId e;
  // 2. The HTTP Content-Type charset, used as given (UTF-16 stays UTF-16 here).
  if (transport_encoding(transport_charset, e)) return finish(bytes, e, "transport");
  // 3. <meta> (or <?xml encoding>) in the first 1024 bytes.
  if (prescan(bytes, e)) return finish(bytes, e, "meta");
  // 4. Nothing declared: see charset_sniff.hpp.
  return finish(bytes, charset::sniff_undeclared(bytes), "default");
}

Result<std::string> decode_with_label(std::string_view bytes, std::string_view label) {
  EncodingId e;
  if (!get_encoding(label, e)) {
    return make_error("unknown_encoding", "not an encoding label of the WHATWG Encoding Standard");
  }
  // As TextDecoder does (ignoreBOM false): drop a BOM of this same encoding.
  if (e == EncodingId::kUtf8 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (e == EncodingId::kUtf16be && bytes.substr(0, 2) == "\xFE\xFF") bytes.remove_prefix(2);
  if (e == EncodingId::kUtf16le && bytes.substr(0, 2) == "\xFF\xFE") bytes.remove_prefix(2);
  std::string out;
  charset::decode_append(e, bytes, out);
  return out;
}

}  // namespace dealstack
