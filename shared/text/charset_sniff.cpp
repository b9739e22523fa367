#include "text/charset_sniff.hpp"

#include "text/utf8.hpp"

namespace dealstack::charset {

EncodingId sniff_undeclared(std::string_view bytes) {
  return utf8::is_valid(bytes) ? EncodingId::kUtf8 : EncodingId::kWindows1252;
}

}  // namespace dealstack::charset
