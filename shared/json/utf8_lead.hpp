// What a UTF-8 lead byte announces, as RFC 3629 allows it: the sequence's length and the
// range its second byte must fall in (which rules out overlong forms, surrogates and code
// points past U+10FFFF; the later bytes are 0x80..0xBF). Shared by the JSON reader, which
// refuses invalid UTF-8, and the writer, which replaces it as nlohmann does. Internal to
// shared/json/.
#pragma once

namespace dealstack::json {

struct Utf8Lead {
  int length = 0;  // bytes in the sequence; 0: not a lead byte
  unsigned char low = 0x80, high = 0xBF;
};

constexpr Utf8Lead utf8_lead(unsigned char c) {
  if (c >= 0xC2 && c <= 0xDF) return {2, 0x80, 0xBF};
  if (c == 0xE0) return {3, 0xA0, 0xBF};
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return {3, 0x80, 0xBF};
  if (c == 0xED) return {3, 0x80, 0x9F};
  if (c == 0xF0) return {4, 0x90, 0xBF};
  if (c >= 0xF1 && c <= 0xF3) return {4, 0x80, 0xBF};
  if (c == 0xF4) return {4, 0x80, 0x8F};
  return {};
}

}  // namespace dealstack::json
