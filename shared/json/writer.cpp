#include "json/writer.hpp"

#include <cstdio>

#include "json/utf8_lead.hpp"

namespace dealstack::json {

void Writer::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_) out_ += ',';
  first_ = false;
}

void Writer::begin_object() {
  separate();
  out_ += '{';
  first_ = true;
}

void Writer::end_object() {
  out_ += '}';
  first_ = false;
}

void Writer::begin_array() {
  separate();
  out_ += '[';
  first_ = true;
}

void Writer::end_array() {
  out_ += ']';
  first_ = false;
}

void Writer::key(std::string_view k) {
  separate();
  string(k);
  out_ += ':';
  after_key_ = true;
}

void Writer::value(std::string_view s) {
  separate();
  string(s);
}

void Writer::value(std::int64_t n) {
  separate();
  out_ += std::to_string(n);
}

void Writer::value(bool b) {
  separate();
  out_ += b ? "true" : "false";
}

void Writer::null() {
  separate();
  out_ += "null";
}

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

// As nlohmann's dump_escaped with ensure_ascii off and error_handler_t::replace: the two-
// character escapes for '"', '\\', \b \f \n \r \t, \u00xx for the other control characters,
// everything else as is; an invalid UTF-8 sequence becomes U+FFFD, and the byte that showed
// it invalid is read again as the start of what follows (unless it was the first byte).
// (utf8::next replaces byte by byte, which nlohmann doesn't, so it isn't used here.)
void Writer::string(std::string_view s) {
  out_ += '"';
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\b': out_ += "\\b"; break;
        case '\f': out_ += "\\f"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default:
          if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out_ += buf;
          } else {
            out_ += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    const Utf8Lead lead = utf8_lead(c);
    if (lead.length == 0) {
      out_ += kReplacement;
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    bool ok = true;
    for (int k = 0; k < lead.length - 1; ++k, ++j) {
      if (j >= n) {
        ok = false;
        break;
      }
      const auto b = static_cast<unsigned char>(s[j]);
      const unsigned char low = k == 0 ? lead.low : 0x80, high = k == 0 ? lead.high : 0xBF;
      if (b < low || b > high) {
        ok = false;
        break;
      }
    }
    if (ok) {
      out_.append(s.data() + i, j - i);
      i = j;
    } else {
      out_ += kReplacement;
      i = j;  // the offending byte (or the end) starts what follows
    }
  }
  out_ += '"';
}

}  // namespace dealstack::json
