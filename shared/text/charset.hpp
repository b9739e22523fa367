// Finds a page's character encoding and decodes it to UTF-8, following the WHATWG
// Encoding Standard (the same labels and mappings browsers use).
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dealstack {

struct DecodedText {
  std::string utf8;      // the page as well-formed UTF-8 (undecodable bytes -> U+FFFD)
  std::string encoding;  // canonical WHATWG name of the encoding used ("windows-1251")
  std::string source;    // where it came from: "bom", "transport", "meta", "default"
                         // ("meta" includes the prescan's <?xml encoding=...?> fallback)
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
//
// `transport_charset` may be a bare label ("Shift_JIS") or a whole Content-Type value
// ("text/html; charset=Shift_JIS"); an unknown one is ignored. Only the first 1024 bytes
// are prescanned. A label of the standard's "replacement" encoding (e.g. "iso-2022-kr",
// "hz-gb-2312") decodes a non-empty input to a single U+FFFD, as browsers do.
// Runs in time linear in bytes.size() and never fails.
DecodedText decode_html(std::string_view bytes, std::string_view transport_charset = {});

// Decodes `bytes` with the encoding that `label` names (any WHATWG label, as
// encoding_for_label), the way `new TextDecoder(label).decode(bytes)` does: no sniffing,
// but a leading BOM of that same encoding (UTF-8, UTF-16LE/BE) is dropped.
// Error `unknown_encoding` when the label is unknown.
Result<std::string> decode_with_label(std::string_view bytes, std::string_view label);

}  // namespace dealstack
