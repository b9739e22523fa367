// HTTP dates (RFC 9110 section 5.6.7) and the Retry-After header.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dealstack::http {

// Seconds since the Unix epoch for an HTTP-date in any of the three forms servers send:
// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT")
// and asctime ("Sun Nov  6 08:49:37 1994"). nullopt when it is none of them or out of range.
std::optional<std::int64_t> parse_http_date(std::string_view text);

// IMF-fixdate for `unix_seconds` (the form we send and the tests' servers use).
std::string format_http_date(std::int64_t unix_seconds);

// Retry-After as seconds to wait from `now_unix`: delta-seconds as given (capped at
// kMaxRetryAfterSeconds), an HTTP-date as the time left until it (0 if already past).
// nullopt when the value is neither.
inline constexpr std::int64_t kMaxRetryAfterSeconds = 7 * 24 * 3600;
std::optional<std::int64_t> parse_retry_after(std::string_view value, std::int64_t now_unix);

}  // namespace dealstack::http
