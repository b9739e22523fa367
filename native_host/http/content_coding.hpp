// Content-Encoding decoding for response bodies: gzip (RFC 1952, several members allowed),
// deflate (RFC 9110 says zlib-wrapped, RFC 1950; some servers send raw RFC 1951 deflate, so
// both are accepted) and identity. The inflater is Beast's port of zlib; the gzip and zlib
// wrappers (headers, CRC-32 and Adler-32 trailers) are checked here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dealstack::http {

// Decodes `body` by the codings listed in a Content-Encoding value ("gzip", "deflate",
// "x-gzip", "identity", or a comma-separated list, undone last-first). At most
// `max_decoded` bytes of output are produced (a zip bomb stops there).
// Errors: "bad_encoding" (unsupported coding, corrupt or truncated data, bad checksum),
// "body_too_large" (decoded size would exceed max_decoded).
Result<std::string> decode_content(std::string_view content_encoding, std::string body,
                                   std::size_t max_decoded);

// Checksums of the two wrappers (exposed for tests; standard CRC-32 / Adler-32).
std::uint32_t crc32(std::string_view data, std::uint32_t crc = 0);
std::uint32_t adler32(std::string_view data);

}  // namespace dealstack::http
