// The encoding of a page that declares none (no BOM, no transport charset, no <meta>).
#pragma once

#include <string_view>

#include "text/charset_decoders.hpp"

namespace dealstack::charset {

// UTF-8 when `bytes` are entirely well-formed UTF-8 (which includes pure ASCII);
// otherwise windows-1252, the HTML standard's default for most locales.
EncodingId sniff_undeclared(std::string_view bytes);

}  // namespace dealstack::charset
