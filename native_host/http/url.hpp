// A small, strict parser for the absolute http(s) URLs the monitor fetches, and RFC 3986
// reference resolution for redirect Locations. Only what an HTTP request needs is kept:
// scheme, host, port and the request target (path and query); fragments are dropped.
//
// Strict on purpose (these URLs come from pages and from servers we do not trust):
//   - scheme http or https only (case-insensitive); "//" authority required
//   - no user:password@ (credentials never travel in URLs)
//   - host: DNS name (letters, digits, '-', '_', '.'; lowercased; labels of 1..63, at most
//     253 in all), dotted IPv4, or a bracketed IPv6 literal (no zone id); non-ASCII and
//     percent-encoded hosts are refused (the caller converts IDNs to punycode first)
//   - port 1..65535, default 80 / 443
//   - control characters (CR, LF, NUL, DEL...) anywhere are refused; spaces and non-ASCII
//     bytes in the path and query are percent-encoded, as browsers do
//   - at most kMaxUrlLength bytes
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dealstack::http {

inline constexpr std::size_t kMaxUrlLength = 8192;

struct Url {
  std::string scheme;   // "http" or "https"
  std::string host;     // lowercased; IPv6 literals without brackets
  std::uint16_t port = 0;
  std::string target;   // path and query, always starts with '/'
  bool host_is_ip = false;  // IPv4 or IPv6 literal (no SNI, certificate checked by IP)
  bool host_is_ipv6 = false;

  bool https() const { return scheme == "https"; }
  bool default_port() const { return port == (https() ? 443 : 80); }
  // host[:port] as sent in the Host header: brackets around IPv6, port only if not default.
  std::string authority() const;
  // The whole URL, normalised (scheme://authority/target).
  std::string str() const;
  // The target's path without the query.
  std::string path() const;
};

// Errors: "bad_url" with a message naming what is wrong.
Result<Url> parse_url(std::string_view text);

// Resolves a reference (absolute, scheme-relative, absolute-path, relative-path, query-only)
// against `base` (RFC 3986 section 5.2, dot segments removed). Errors: "bad_url".
Result<Url> resolve_reference(const Url& base, std::string_view reference);

}  // namespace dealstack::http
