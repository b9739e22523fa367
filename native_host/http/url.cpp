#include "http/url.hpp"

#include <arpa/inet.h>

#include <vector>

namespace dealstack::http {
namespace {

Error bad(std::string message) { return make_error("bad_url", std::move(message)); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// CR, LF, NUL and the other controls never belong in a URL (header injection, truncation).
Status check_controls(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      return bad("control character (byte " + std::to_string(c) + ") at offset " +
                 std::to_string(i) + " in URL");
    }
  }
  return Unit{};
}

bool has_scheme(std::string_view s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':') return true;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return false;
}

// RFC 3986 5.2.4 on a path that starts with '/'.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> out;
  bool trailing_slash = false;
  std::size_t pos = 1;
  while (true) {
    std::size_t slash = path.find('/', pos);
    bool last = slash == std::string_view::npos;
    std::string_view seg = path.substr(pos, last ? std::string_view::npos : slash - pos);
    if (seg == ".") {
      trailing_slash = last;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = last;
    } else {
      out.push_back(seg);
      trailing_slash = false;
    }
    if (last) break;
    pos = slash + 1;
  }
  std::string result = "/";
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i) result += '/';
    result += out[i];
  }
  if (trailing_slash && !out.empty()) result += '/';
  return result;
}

// Spaces and non-ASCII bytes are percent-encoded (as browsers do); the rest is kept.
std::string encode_target(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c >= 0x80) {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

Status parse_host(std::string_view text, Url& url) {
  if (text.empty()) return bad("URL has no host");
  std::string host;
  host.reserve(text.size());
  for (char c : text) host += lower(c);
  if (host.size() > 1 && host.back() == '.') host.pop_back();  // FQDN form
  if (host.size() > 253) return bad("host name longer than 253 characters");
  bool numeric = true;
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      std::size_t len = i - label_start;
      if (len == 0) return bad("empty label in host name '" + host + "'");
      if (len > 63) return bad("host name label longer than 63 characters");
      label_start = i + 1;
      continue;
    }
    char c = host[i];
    bool digit = c >= '0' && c <= '9';
    bool ok = digit || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
    if (!ok) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        return bad("non-ASCII host name (convert it to punycode first)");
      }
      return bad(std::string("character '") + c + "' not allowed in host name");
    }
    if (!digit) numeric = false;
  }
  // A name of digits and dots must be a proper dotted IPv4 address: resolvers read odd
  // forms ("127.1", "0x7f.1") as addresses, so refuse anything but the plain one.
  std::size_t last_dot = host.rfind('.');
  std::string_view last_label =
      last_dot == std::string::npos ? std::string_view(host) : std::string_view(host).substr(last_dot + 1);
  bool last_numeric = !last_label.empty() &&
                      last_label.find_first_not_of("0123456789") == std::string_view::npos;
  if (numeric || last_numeric) {
    in_addr addr{};
    if (inet_pton(AF_INET, host.c_str(), &addr) != 1) {
      return bad("'" + host + "' is not a valid IPv4 address");
    }
    url.host_is_ip = true;
  }
  url.host = std::move(host);
  return Unit{};
}

}  // namespace

std::string Url::authority() const {
  std::string a = host_is_ipv6 ? "[" + host + "]" : host;
  if (!default_port()) a += ":" + std::to_string(port);
  return a;
}

std::string Url::str() const { return scheme + "://" + authority() + target; }

std::string Url::path() const { return target.substr(0, target.find('?')); }

Result<Url> parse_url(std::string_view text) {
  if (text.size() > kMaxUrlLength) {
    return bad("URL longer than " + std::to_string(kMaxUrlLength) + " bytes");
  }
  text = trim_spaces(text);
  if (auto s = check_controls(text); !s) return s.error();
  std::size_t sep = text.find("://");
  if (sep == std::string_view::npos || !has_scheme(text.substr(0, sep + 1))) {
    return bad("URL needs a scheme and '//' (http:// or https://)");
  }
  Url url;
  for (char c : text.substr(0, sep)) url.scheme += lower(c);
  if (url.scheme != "http" && url.scheme != "https") {
    return bad("scheme '" + url.scheme + "' not supported (only http and https)");
  }
  std::string_view rest = text.substr(sep + 3);
  std::size_t auth_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view tail = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (authority.find('@') != std::string_view::npos) {
    return bad("credentials (user@) in URLs are not allowed");
  }

  std::string_view host_text, port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in IPv6 host");
    std::string inner(authority.substr(1, close - 1));
    if (inner.find('%') != std::string::npos) return bad("IPv6 zone ids are not supported");
    in6_addr addr{};
    if (inet_pton(AF_INET6, inner.c_str(), &addr) != 1) {
      return bad("'" + inner + "' is not a valid IPv6 address");
    }
    for (char& c : inner) c = lower(c);
    url.host = inner;
    url.host_is_ip = url.host_is_ipv6 = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after IPv6 host");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    std::size_t colon = authority.find(':');
    host_text = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (auto s = parse_host(host_text, url); !s) return s.error();
  }

  url.port = url.https() ? 443 : 80;
  if (has_port && !port_text.empty()) {
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string_view::npos) {
      return bad("port '" + std::string(port_text) + "' is not a number from 1 to 65535");
    }
    unsigned long p = std::stoul(std::string(port_text));
    if (p == 0 || p > 65535) {
      return bad("port '" + std::string(port_text) + "' is not a number from 1 to 65535");
    }
    url.port = static_cast<std::uint16_t>(p);
  }

  tail = tail.substr(0, tail.find('#'));
  std::size_t q = tail.find('?');
  std::string_view path = tail.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : tail.substr(q);
  url.target = path.empty() ? "/" : remove_dot_segments(path);
  url.target += query;
  url.target = encode_target(url.target);
  return url;
}

Result<Url> resolve_reference(const Url& base, std::string_view reference) {
  if (reference.size() > kMaxUrlLength) {
    return bad("URL longer than " + std::to_string(kMaxUrlLength) + " bytes");
  }
  std::string_view ref = trim_spaces(reference);
  if (auto s = check_controls(ref); !s) return s.error();
  ref = ref.substr(0, ref.find('#'));
  if (has_scheme(ref)) return parse_url(ref);
  if (ref.substr(0, 2) == "//") return parse_url(base.scheme + ":" + std::string(ref));
  if (ref.empty()) return base;

  std::string target;
  if (ref.front() == '/') {
    target = std::string(ref);
  } else if (ref.front() == '?') {
    target = base.path() + std::string(ref);
  } else {
    std::string base_path = base.path();
    target = base_path.substr(0, base_path.rfind('/') + 1) + std::string(ref);
  }
  return parse_url(base.scheme + "://" + base.authority() + target);
}

}  // namespace dealstack::http
