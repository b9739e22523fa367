#include "notify/notification.hpp"

#include "text/utf8.hpp"

namespace dealstack::notify {

namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // U+2026

// Valid UTF-8 with C0/C1 controls and DEL turned into spaces (newlines too when
// `one_line`; tabs become spaces always). D-Bus strings may not hold NUL, and a stray
// escape or carriage return has no business on a desktop.
std::string clean(std::string_view raw, bool one_line) {
  const std::string valid = utf8::sanitize(raw);
  std::string out;
  out.reserve(valid.size());
  std::size_t pos = 0;
  while (pos < valid.size()) {
    const std::size_t start = pos;
    const char32_t cp = utf8::next(valid, pos);
    const bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
    if (cp == '\n' && !one_line) {
      out.push_back('\n');
    } else if (control) {
      out.push_back(' ');
    } else {
      out.append(valid, start, pos - start);
    }
  }
  return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  return utf8::ascii_lower(s.substr(0, prefix.size())) == prefix;
}

}  // namespace

std::string escape_markup(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string truncate_utf8(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  // Room for the ellipsis when the bound allows it; otherwise just the cut.
  const std::size_t room = max_bytes >= kEllipsis.size() ? max_bytes - kEllipsis.size() : max_bytes;
  std::string out = utf8::prefix(s, room);
  if (max_bytes >= kEllipsis.size()) out += kEllipsis;
  return out;
}

Result<Prepared> prepare(const Notification& n, const Limits& limits) {
  Prepared p;
  p.summary = truncate_utf8(clean(n.summary, /*one_line=*/true), limits.max_summary_bytes);
  if (p.summary.find_first_not_of(' ') == std::string::npos) {
    return make_error("invalid_notification", "the notification's summary is empty");
  }
  if (n.expire_timeout_ms < -1) {
    return make_error("invalid_notification",
                      "expire_timeout_ms is " + std::to_string(n.expire_timeout_ms) +
                          "; it must be -1 (server default), 0 (never) or a positive number of ms");
  }
  p.expire_timeout_ms = n.expire_timeout_ms;
  p.urgency = static_cast<std::uint8_t>(n.urgency);
  if (p.urgency > 2) {
    return make_error("invalid_notification", "urgency must be low, normal or critical");
  }

  const std::string icon = clean(n.app_icon, /*one_line=*/true);
  p.app_icon = icon.size() <= limits.max_icon_bytes ? icon : std::string();

  p.body = escape_markup(truncate_utf8(clean(n.body, /*one_line=*/false), limits.max_body_bytes));
  if (n.url) {
    const std::string& url = *n.url;
    if (url.size() > limits.max_url_bytes) {
      return make_error("invalid_notification", "the url is " + std::to_string(url.size()) +
                                                    " bytes long; at most " +
                                                    std::to_string(limits.max_url_bytes) + " are sent");
    }
    if (!starts_with_ci(url, "https://") && !starts_with_ci(url, "http://")) {
      return make_error("invalid_notification", "the url must start with http:// or https://");
    }
    if (clean(url, /*one_line=*/true) != url || url.find(' ') != std::string::npos) {
      return make_error("invalid_notification",
                        "the url holds spaces, control characters or invalid UTF-8");
    }
    const std::string escaped = escape_markup(url);
    if (!p.body.empty()) p.body += '\n';
    p.body += "<a href=\"" + escaped + "\">" + escaped + "</a>";
  }
  return p;
}

}  // namespace dealstack::notify
