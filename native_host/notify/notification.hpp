// A desktop notification (freedesktop.org Desktop Notifications spec 1.2) and the rules that
// turn one into the strings actually sent: bounded lengths cut at a UTF-8 boundary, invalid
// UTF-8 replaced (D-Bus rejects it), control characters removed, and the body's markup
// characters escaped (the spec lets servers read the body as simple markup, so "<b>" in a
// product name must not become bold, and a "&" must not start an entity).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dealstack::notify {

// The spec's "urgency" hint (a byte: 0, 1, 2).
enum class Urgency : std::uint8_t { low = 0, normal = 1, critical = 2 };

struct Notification {
  std::string summary;   // one line, plain text (never markup). Required: not empty.
  std::string body;      // plain text; escaped here before it is sent. May be empty.
  std::string app_icon;  // an icon name ("dialog-information") or file:// URI; "" for none
  // -1: the server's default; 0: until dismissed; > 0: milliseconds. Default: -1.
  std::int32_t expire_timeout_ms = -1;
  Urgency urgency = Urgency::normal;
  // An http(s) link to the product; shown at the end of the body as a link (servers without
  // hyperlink support show the address as text). Default: none.
  std::optional<std::string> url;
};

// Bounds, in bytes of UTF-8 (before escaping). Longer text is cut at a character boundary
// and ends with "…". Defaults suit every common server (they cut far shorter on screen).
struct Limits {
  std::size_t max_summary_bytes = 200;
  std::size_t max_body_bytes = 2000;
  std::size_t max_icon_bytes = 1024;  // longer icon names are dropped, not cut
  std::size_t max_url_bytes = 2048;   // longer URLs are an error (a cut URL is a wrong URL)
};

// What goes on the wire for one Notification.
struct Prepared {
  std::string summary;  // plain text, one line
  std::string body;     // escaped markup
  std::string app_icon;
  std::int32_t expire_timeout_ms = -1;
  std::uint8_t urgency = 1;
};

// Errors: "invalid_notification" (empty summary, expire_timeout_ms below -1, a url that is not
// http:// or https:// or is longer than max_url_bytes; the message says which).
Result<Prepared> prepare(const Notification& n, const Limits& limits = {});

// `s` with &, <, > (and, for attribute values, " and ') replaced by entities.
std::string escape_markup(std::string_view s);

// The longest prefix of `s` (valid UTF-8) of at most `max_bytes` bytes that ends on a
// character boundary; when cut, it ends with "…" (U+2026) within the same bound.
std::string truncate_utf8(std::string_view s, std::size_t max_bytes);

}  // namespace dealstack::notify
