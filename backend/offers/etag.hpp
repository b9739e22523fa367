// Strong entity tags for the public documents (offers, rule packs) and If-None-Match.
#pragma once

#include <string>
#include <string_view>

namespace dealstack::backend {

// "\"" + the first 32 hex digits of SHA-256(body) + "\"".
std::string strong_etag(std::string_view body);

// RFC 9110 13.1.2: true when the If-None-Match header value matches `etag` ("*", or one of a
// comma-separated list, compared weakly: a W/ prefix is ignored). Empty header -> false.
bool if_none_match(std::string_view header, std::string_view etag);

}  // namespace dealstack::backend
