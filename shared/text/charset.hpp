// Finds a page's character encoding and decodes it to UTF-8, following the WHATWG
// Encoding Standard (the same labels and mappings browsers use).
#pragma once

#include <string>
#include <string_view>

namespace dealstack {

struct DecodedText {
  std::string utf8;      // the page as well-formed UTF-8 (undecodable bytes -> U+FFFD)
  std::string encoding;  // canonical WHATWG name of the encoding used ("windows-1251")
  std::string source;    // where it came from: "bom", "transport", "meta", "default"
};

// Canonical WHATWG encoding name for a label ("latin1" -> "windows-1252", "sjis" ->
// "Shift_JIS", "gb2312" -> "GBK"); empty when the label is unknown.
std::string encoding_for_label(std::string_view label);

// Prescans the first 1024 bytes for <meta charset> / <meta http-equiv content=...charset=>,
// as the HTML standard's prescan algorithm does. Empty when none is found.
std::string prescan_meta_charset(std::string_view bytes);

// Decodes `bytes`: a BOM wins; then `transport_charset` (an HTTP Content-Type charset, may
// be empty); then the meta prescan; then UTF-8 if the bytes are valid UTF-8; else
// windows-1252. Supports UTF-8, UTF-16LE/BE, the single-byte encodings (ISO-8859-x,
// windows-125x, KOI8-R/U, IBM866, macintosh, ...), Shift_JIS, EUC-JP, ISO-2022-JP, GBK,
// gb18030, Big5 and EUC-KR.
DecodedText decode_html(std::string_view bytes, std::string_view transport_charset = {});

}  // namespace dealstack
