#include "http/url.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace dealstack::http;

TEST_CASE("absolute URLs split into scheme, host, port and target") {
  auto u = parse_url("HTTPS://Shop.Example.COM/p/123?colour=red#reviews");
  REQUIRE(u.ok());
  CHECK(u->scheme == "https");
  CHECK(u->host == "shop.example.com");
  CHECK(u->port == 443);
  CHECK(u->target == "/p/123?colour=red");  // fragment dropped
  CHECK(u->authority() == "shop.example.com");
  CHECK(u->str() == "https://shop.example.com/p/123?colour=red");
  CHECK_FALSE(u->host_is_ip);

  auto p = parse_url("http://127.0.0.1:8080");
  REQUIRE(p.ok());
  CHECK(p->port == 8080);
  CHECK(p->target == "/");
  CHECK(p->host_is_ip);
  CHECK(p->authority() == "127.0.0.1:8080");

  auto q = parse_url("http://example.com?x=1");
  REQUIRE(q.ok());
  CHECK(q->target == "/?x=1");
  CHECK(parse_url("http://example.com.:80/")->host == "example.com");  // FQDN dot
  CHECK(parse_url("http://example.com:/")->port == 80);
}

TEST_CASE("IPv6 literals keep brackets only in the authority") {
  auto u = parse_url("https://[::1]:8443/a");
  REQUIRE(u.ok());
  CHECK(u->host == "::1");
  CHECK(u->host_is_ipv6);
  CHECK(u->port == 8443);
  CHECK(u->authority() == "[::1]:8443");
  CHECK(parse_url("http://[2001:DB8::1]/")->authority() == "[2001:db8::1]");
  CHECK(parse_url("http://[fe80::1%25eth0]/").error().message.find("zone") != std::string::npos);
  CHECK(parse_url("http://[::1/").error().code == "bad_url");
  CHECK(parse_url("http://[not-an-ip]/").error().code == "bad_url");
  CHECK(parse_url("http://[::1]x/").error().code == "bad_url");
}

TEST_CASE("bad URLs are refused with a message naming the problem") {
  struct Case {
    const char* url;
    const char* says;
  };
  const Case cases[] = {
      {"", "scheme"},
      {"example.com/x", "scheme"},
      {"ftp://example.com/", "not supported"},
      {"javascript://x", "not supported"},
      {"http://user:pw@example.com/", "credentials"},
      {"http:///path", "no host"},
      {"http://exa mple.com/", "not allowed"},
      {"http://exa%6dple.com/", "not allowed"},
      {"http://bücher.de/", "punycode"},
      {"http://example.com:0/", "port"},
      {"http://example.com:65536/", "port"},
      {"http://example.com:80a/", "port"},
      {"http://example..com/", "empty label"},
      {"http://127.1/", "IPv4"},
      {"http://999.1.1.1/", "IPv4"},
      {"http://example.com/a\r\nX-Injected: 1", "control character"},
      {"http://example.com/\x7f", "control character"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.url);
    auto r = parse_url(c.url);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "bad_url");
    CHECK(r.error().message.find(c.says) != std::string::npos);
  }
  CHECK(parse_url(std::string("http://a.com/") + std::string(kMaxUrlLength, 'a')).error().message.find("longer") !=
        std::string::npos);
  CHECK(parse_url("http://" + std::string(64, 'a') + ".com/").error().message.find("63") != std::string::npos);
}

TEST_CASE("spaces and non-ASCII bytes in the path are percent-encoded") {
  auto u = parse_url("http://example.com/a b/ü?q=é ");
  REQUIRE(u.ok());
  CHECK(u->target == "/a%20b/%C3%BC?q=%C3%A9");
}

TEST_CASE("dot segments are removed from paths") {
  CHECK(parse_url("http://h/a/b/../c")->target == "/a/c");
  CHECK(parse_url("http://h/a/./b/.")->target == "/a/b/");
  CHECK(parse_url("http://h/../../x")->target == "/x");
  CHECK(parse_url("http://h/a/..")->target == "/");
  CHECK(parse_url("http://h/a/b/?x=../y")->target == "/a/b/?x=../y");
}

TEST_CASE("redirect references resolve against the current URL (RFC 3986 examples)") {
  auto base = parse_url("http://a/b/c/d;p?q");
  REQUIRE(base.ok());
  const std::pair<const char*, const char*> cases[] = {
      {"g", "http://a/b/c/g"},          {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},        {"/g", "http://a/g"},
      {"//g", "http://g/"},             {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},      {"#s", "http://a/b/c/d;p?q"},
      {"g#s", "http://a/b/c/g"},        {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},           {"./", "http://a/b/c/"},
      {"..", "http://a/b/"},            {"../g", "http://a/b/g"},
      {"../..", "http://a/"},           {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},     {"/./g", "http://a/g"},
      {"g;x=1/../y", "http://a/b/c/y"}, {"https://other:8443/x", "https://other:8443/x"},
  };
  for (const auto& [ref, want] : cases) {
    CAPTURE(ref);
    auto r = resolve_reference(*base, ref);
    REQUIRE(r.ok());
    CHECK(r->str() == want);
  }
  auto tls = parse_url("https://shop.example:8443/x/y");
  CHECK(resolve_reference(*tls, "//cdn.example/z")->str() == "https://cdn.example/z");
  CHECK(resolve_reference(*tls, "../q")->str() == "https://shop.example:8443/q");
  CHECK(resolve_reference(*base, "mailto:x@y").error().code == "bad_url");
  CHECK(resolve_reference(*base, "/a\nb").error().code == "bad_url");
}
