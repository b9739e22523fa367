#include "http/cookie_jar.hpp"

#include <algorithm>

#include "http/http_date.hpp"

namespace dealstack::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool domain_matches(const std::string& host, const std::string& domain) {
  if (host == domain) return true;
  return host.size() > domain.size() && host.compare(host.size() - domain.size(), domain.size(), domain) == 0 &&
         host[host.size() - domain.size() - 1] == '.';
}

bool path_matches(const std::string& request_path, const std::string& cookie_path) {
  if (request_path.compare(0, cookie_path.size(), cookie_path) != 0) return false;
  return request_path.size() == cookie_path.size() || cookie_path.back() == '/' ||
         request_path[cookie_path.size()] == '/';
}

// RFC 6265 5.1.4: the request path up to (not including) its last '/', or "/".
std::string default_path(const Url& url) {
  std::string p = url.path();
  std::size_t slash = p.rfind('/');
  if (slash == 0 || slash == std::string::npos) return "/";
  return p.substr(0, slash);
}

// Cookie names and values must not smuggle separators or controls into our Cookie header.
bool clean(std::string_view s, bool is_name) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == ';' || (is_name && (c == '=' || c == ' ' || c == ','))) {
      return false;
    }
  }
  return true;
}

}  // namespace

void CookieJar::store(const Url& from, std::string_view set_cookie, std::int64_t now_unix) {
  if (set_cookie.size() > kMaxCookieBytes) return;
  std::size_t semi = set_cookie.find(';');
  std::string_view pair = trim(set_cookie.substr(0, semi));
  std::size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return;
  Cookie c;
  c.name = std::string(trim(pair.substr(0, eq)));
  c.value = std::string(trim(pair.substr(eq + 1)));
  if (c.name.empty() || !clean(c.name, true) || !clean(c.value, false)) return;
  c.domain = from.host;
  c.path = default_path(from);

  std::string_view attrs = semi == std::string_view::npos ? std::string_view() : set_cookie.substr(semi + 1);
  std::optional<std::int64_t> max_age;
  std::optional<std::int64_t> expires;
  while (!attrs.empty()) {
    std::size_t next = attrs.find(';');
    std::string_view attr = trim(attrs.substr(0, next));
    attrs = next == std::string_view::npos ? std::string_view() : attrs.substr(next + 1);
    std::size_t aeq = attr.find('=');
    std::string key = lower(trim(attr.substr(0, aeq)));
    std::string_view val = aeq == std::string_view::npos ? std::string_view() : trim(attr.substr(aeq + 1));
    if (key == "domain") {
      std::string d = lower(val);
      while (!d.empty() && d.front() == '.') d.erase(0, 1);
      if (d.empty()) continue;
      // Only the host itself or a parent of it, never a bare TLD-like name or another site;
      // for an IP host only the IP itself.
      if (!domain_matches(from.host, d)) return;
      if (d.find('.') == std::string::npos && d != from.host) return;
      if (from.host_is_ip && d != from.host) return;
      c.domain = d;
      c.host_only = d == from.host;
    } else if (key == "path") {
      if (!val.empty() && val.front() == '/') c.path = std::string(val);
    } else if (key == "secure") {
      c.secure = true;
    } else if (key == "max-age") {
      bool negative = !val.empty() && val.front() == '-';
      std::string_view digits = negative ? val.substr(1) : val;
      if (digits.empty() || digits.size() > 12 ||
          digits.find_first_not_of("0123456789") != std::string_view::npos) {
        continue;
      }
      std::int64_t n = std::stoll(std::string(digits));
      max_age = negative ? -n : n;
    } else if (key == "expires") {
      expires = parse_http_date(val);
    }
  }
  if (max_age) {
    c.expires = *max_age <= 0 ? now_unix - 1 : now_unix + *max_age;
  } else if (expires) {
    c.expires = *expires;
  }

  std::lock_guard lock(mutex_);
  auto same = std::find_if(cookies_.begin(), cookies_.end(), [&](const Cookie& o) {
    return o.name == c.name && o.domain == c.domain && o.path == c.path;
  });
  if (same != cookies_.end()) cookies_.erase(same);
  if (c.expires && *c.expires <= now_unix) return;  // a deletion
  std::size_t in_domain = static_cast<std::size_t>(std::count_if(
      cookies_.begin(), cookies_.end(), [&](const Cookie& o) { return o.domain == c.domain; }));
  if (in_domain >= kMaxCookiesPerDomain) {
    cookies_.erase(std::find_if(cookies_.begin(), cookies_.end(),
                                [&](const Cookie& o) { return o.domain == c.domain; }));
  }
  if (cookies_.size() >= kMaxCookies) cookies_.erase(cookies_.begin());
  cookies_.push_back(std::move(c));
}

std::vector<std::pair<std::string, std::string>> CookieJar::cookies_for(
    const Url& to, std::int64_t now_unix) const {
  std::lock_guard lock(mutex_);
  std::vector<const Cookie*> matching;
  std::string path = to.path();
  for (const Cookie& c : cookies_) {
    if (c.expires && *c.expires <= now_unix) continue;
    if (c.secure && !to.https()) continue;
    bool domain_ok = c.host_only ? to.host == c.domain : domain_matches(to.host, c.domain);
    if (!domain_ok || !path_matches(path, c.path)) continue;
    matching.push_back(&c);
  }
  std::stable_sort(matching.begin(), matching.end(),
                   [](const Cookie* a, const Cookie* b) { return a->path.size() > b->path.size(); });
  std::vector<std::pair<std::string, std::string>> out;
  for (const Cookie* c : matching) out.emplace_back(c->name, c->value);
  return out;
}

std::string CookieJar::header_for(const Url& to, std::int64_t now_unix) const {
  std::string out;
  for (const auto& [name, value] : cookies_for(to, now_unix)) {
    if (!out.empty()) out += "; ";
    out += name + "=" + value;
  }
  return out;
}

std::size_t CookieJar::size() const {
  std::lock_guard lock(mutex_);
  return cookies_.size();
}

void CookieJar::clear() {
  std::lock_guard lock(mutex_);
  cookies_.clear();
}

}  // namespace dealstack::http
