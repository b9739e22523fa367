#include "http/cookie_jar.hpp"

#include <doctest/doctest.h>

using namespace dealstack::http;

namespace {
Url url(const char* text) { return parse_url(text).value(); }
const std::int64_t kNow = 1700000000;
}  // namespace

TEST_CASE("a cookie comes back to the host that set it, and only there") {
  CookieJar jar;
  jar.store(url("https://shop.example/cart"), "sid=abc123; Path=/; HttpOnly; SameSite=Lax", kNow);
  CHECK(jar.header_for(url("https://shop.example/p/1"), kNow) == "sid=abc123");
  CHECK(jar.header_for(url("https://www.shop.example/"), kNow).empty());  // host-only
  CHECK(jar.header_for(url("https://other.example/"), kNow).empty());
  CHECK(jar.size() == 1);
}

TEST_CASE("Domain covers subdomains; foreign and bare domains are ignored") {
  CookieJar jar;
  jar.store(url("https://www.shop.example/"), "a=1; Domain=.shop.example", kNow);
  jar.store(url("https://www.shop.example/"), "b=2; Domain=other.example", kNow);
  jar.store(url("https://www.shop.example/"), "c=3; Domain=example", kNow);
  jar.store(url("https://www.shop.example/"), "d=4; Domain=hop.example", kNow);
  jar.store(url("http://127.0.0.1/"), "e=5; Domain=0.0.1", kNow);
  CHECK(jar.header_for(url("https://api.shop.example/"), kNow) == "a=1");
  CHECK(jar.header_for(url("https://shop.example/"), kNow) == "a=1");
  CHECK(jar.header_for(url("https://xshop.example/"), kNow).empty());
  CHECK(jar.size() == 1);
}

TEST_CASE("Path, Secure and the default path decide which requests get a cookie") {
  CookieJar jar;
  jar.store(url("http://s.example/account/login"), "p=1", kNow);  // default path /account
  jar.store(url("http://s.example/"), "q=2; Path=/account/orders", kNow);
  jar.store(url("https://s.example/"), "r=3; Secure", kNow);
  CHECK(jar.header_for(url("http://s.example/account"), kNow) == "p=1");
  CHECK(jar.header_for(url("http://s.example/account/orders/7"), kNow) == "q=2; p=1");
  CHECK(jar.header_for(url("http://s.example/accounting"), kNow).empty());
  CHECK(jar.header_for(url("http://s.example/"), kNow).empty());  // r is https-only
  CHECK(jar.header_for(url("https://s.example/"), kNow) == "r=3");
}

TEST_CASE("a newer cookie replaces the old one; Max-Age and Expires end it") {
  CookieJar jar;
  Url u = url("https://s.example/");
  jar.store(u, "n=1", kNow);
  jar.store(u, "n=2", kNow);
  CHECK(jar.header_for(u, kNow) == "n=2");
  jar.store(u, "t=x; Max-Age=60", kNow);
  CHECK(jar.header_for(u, kNow + 59) == "n=2; t=x");
  CHECK(jar.header_for(u, kNow + 61) == "n=2");
  jar.store(u, "n=gone; Max-Age=0", kNow);
  jar.store(u, "e=1; Expires=Sun, 06 Nov 1994 08:49:37 GMT", kNow);
  CHECK(jar.header_for(u, kNow) == "t=x");
}

TEST_CASE("malformed and oversized cookies are ignored, and the jar is bounded") {
  CookieJar jar;
  Url u = url("https://s.example/");
  jar.store(u, "novalue", kNow);
  jar.store(u, "=v", kNow);
  jar.store(u, "a b=c", kNow);
  jar.store(u, std::string("x=") + std::string(CookieJar::kMaxCookieBytes, 'v'), kNow);
  CHECK(jar.size() == 0);
  for (int i = 0; i < 80; ++i) jar.store(u, "c" + std::to_string(i) + "=v", kNow);
  CHECK(jar.size() == CookieJar::kMaxCookiesPerDomain);
  auto header = jar.header_for(u, kNow);
  CHECK(header.find("c79=v") != std::string::npos);
  CHECK(header.find("c0=v") == std::string::npos);  // oldest dropped
  jar.clear();
  CHECK(jar.size() == 0);
}
