// A small in-memory cookie jar, one per agent (never written to disk: cookies can be
// session secrets). Set-Cookie is honoured loosely (RFC 6265 in spirit): name=value, Domain
// (must cover the setting host; single-label domains refused), Path (prefix match), Secure
// (sent over https only), Max-Age and Expires (a time in the past deletes the cookie).
// HttpOnly and SameSite mean nothing to a non-browser client and are ignored.
// Bounded: kMaxCookieBytes per cookie, kMaxCookiesPerDomain per domain, kMaxCookies in all
// (oldest dropped first). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/url.hpp"

namespace dealstack::http {

struct Cookie {
  std::string name;
  std::string value;
  std::string domain;  // lowercased, no leading dot
  std::string path;    // starts with '/'
  bool host_only = true;  // no Domain attribute: only this exact host gets it back
  bool secure = false;
  std::optional<std::int64_t> expires;  // Unix seconds; nullopt = until the jar is dropped
};

class CookieJar {
 public:
  static constexpr std::size_t kMaxCookieBytes = 4096;
  static constexpr std::size_t kMaxCookiesPerDomain = 50;
  static constexpr std::size_t kMaxCookies = 1000;

  // Remembers one Set-Cookie header value received from `from`. Malformed or foreign-domain
  // cookies are ignored (a client must not fail a fetch over a bad cookie).
  void store(const Url& from, std::string_view set_cookie, std::int64_t now_unix);

  // The cookies (name, value) for a request to `to`, longer paths first.
  std::vector<std::pair<std::string, std::string>> cookies_for(const Url& to,
                                                               std::int64_t now_unix) const;
  // The same as a Cookie header value: "a=1; b=2", empty if none apply.
  std::string header_for(const Url& to, std::int64_t now_unix) const;

  std::size_t size() const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::vector<Cookie> cookies_;  // in arrival order (oldest first)
};

}  // namespace dealstack::http
