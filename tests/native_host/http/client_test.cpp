#include "http/client.hpp"

#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <ctime>
#include <string>

#include "http/content_coding.hpp"
#include "compress.hpp"
#include "http/http_date.hpp"
#include "loopback_server.hpp"
#include "test_pki.hpp"

using dealstack::Result;
using namespace dealstack::http;
using namespace dealstack::http::testing;
using namespace std::chrono_literals;

namespace {

// Short deadlines: every test stays fast, and a slow path shows up as a failure. (One
// second, not less, so that a busy machine running sanitizers does not fail good paths.)
ClientOptions fast_options() {
  ClientOptions o;
  o.resolve_timeout = 1000ms;
  o.connect_timeout = 1000ms;
  o.handshake_timeout = 1000ms;
  o.write_timeout = 1000ms;
  o.read_header_timeout = 1000ms;
  o.read_body_timeout = 1000ms;
  return o;
}

// The test CA trusted, and one step's deadline cut to 300 ms.
ClientOptions short_step(std::chrono::milliseconds ClientOptions::*step) {
  ClientOptions o = fast_options();
  o.ca_file = test_pki().ca_file;
  o.*step = 300ms;
  return o;
}

ClientOptions tls_options() {
  ClientOptions o = fast_options();
  o.ca_file = test_pki().ca_file;
  return o;
}

Result<Response> get(const std::string& url, const ClientOptions& o = fast_options()) {
  return fetch(Request{url, {}, {}, {}}, o);
}

std::string product_page(int price_cents, bool in_stock) {
  return "<html><body><h1>Kettle</h1><span class=price>" + std::to_string(price_cents / 100) +
         "." + std::to_string(price_cents % 100 / 10) + std::to_string(price_cents % 10) +
         "</span><span class=stock>" + (in_stock ? "In stock" : "Out of stock") +
         "</span></body></html>";
}

std::int64_t now_unix() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace

TEST_CASE("plain GET returns status, headers and body, and says who we are") {
  LoopbackServer server([](const Seen&) {
    return Reply{http_response(200, product_page(1999, true),
                               {{"Content-Type", "text/html; charset=utf-8"}, {"X-Test", "yes"}})};
  });
  auto r = get(server.url("/kettle?id=7"));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == product_page(1999, true));
  CHECK(r->content_type == "text/html; charset=utf-8");
  CHECK(r->header("x-test") == "yes");
  CHECK(r->final_url == server.url("/kettle?id=7"));
  CHECK(r->redirects == 0);
  CHECK_FALSE(r->not_modified);

  auto seen = server.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].target == "/kettle?id=7");
  CHECK(seen[0].header("host") == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(seen[0].header("user-agent") == default_user_agent());
  CHECK(default_user_agent().rfind("dealstack/", 0) == 0);
  CHECK(default_user_agent().find("price watcher") != std::string::npos);
  CHECK(seen[0].header("accept-encoding") == "gzip, deflate");
  CHECK(seen[0].header("connection") == "close");
  CHECK_FALSE(seen[0].has("cookie"));
}

TEST_CASE("error statuses are responses, not errors") {
  LoopbackServer server([](const Seen& s) {
    return Reply{http_response(s.target == "/gone" ? 404 : 500, "nope")};
  });
  CHECK(get(server.url("/gone"))->status == 404);
  CHECK(get(server.url("/x"))->status == 500);
}

TEST_CASE("HTTPS GET is verified against the test CA, with SNI, by name and by IP") {
  const auto& pki = test_pki();
  LoopbackServer server([](const Seen&) { return Reply{http_response(200, "secure page")}; },
                        pki.good);
  auto by_name = get(server.url("/p", "localhost"), tls_options());
  REQUIRE(by_name.ok());
  CHECK(by_name->body == "secure page");
  auto by_ip = get(server.url("/p", "127.0.0.1"), tls_options());
  REQUIRE(by_ip.ok());
  CHECK(by_ip->status == 200);
  auto seen = server.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].sni == "localhost");
  CHECK(seen[1].sni.empty());  // no SNI for IP literals
}

TEST_CASE("a CA outside the system store is refused without the CA file") {
  LoopbackServer server([](const Seen&) { return Reply{http_response(200, "x")}; }, test_pki().good);
  auto r = get(server.url("/", "localhost"), fast_options());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "tls_failed");
  CHECK(r.error().message.find("unknown issuer") != std::string::npos);
  CHECK(server.seen().empty());  // no request was ever sent
}

TEST_CASE("bad certificates are refused with tls_failed saying why") {
  const auto& pki = test_pki();
  struct Case {
    const char* name;
    const Identity* identity;
    const char* says;
  };
  const Case cases[] = {
      {"expired", &pki.expired, "expired"},
      {"wrong host", &pki.wrong_host, "host name mismatch"},
      {"self-signed", &pki.self_signed, "self-signed"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    LoopbackServer server([](const Seen&) { return Reply{http_response(200, "x")}; }, *c.identity);
    for (const char* host : {"localhost", "127.0.0.1"}) {
      CAPTURE(host);
      auto r = get(server.url("/", host), tls_options());
      REQUIRE_FALSE(r.ok());
      CHECK(r.error().code == "tls_failed");
      CHECK(r.error().message.find(c.says) != std::string::npos);
    }
    CHECK(server.seen().empty());
  }
}

TEST_CASE("https to a plain HTTP server fails the handshake; a bad CA file is tls_failed") {
  LoopbackServer plain([](const Seen&) { return Reply{http_response(400, "bad request")}; },
                       LoopbackServer::Tls::plain_eager, nullptr);
  auto r = get("https://127.0.0.1:" + std::to_string(plain.port()) + "/", tls_options());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "tls_failed");
  CHECK(plain.connections() == 1);

  ClientOptions o = fast_options();
  o.ca_file = "/nonexistent/ca.pem";
  auto missing = get("https://127.0.0.1:" + std::to_string(plain.port()) + "/", o);
  CHECK(missing.error().code == "tls_failed");
  CHECK(missing.error().message.find("/nonexistent/ca.pem") != std::string::npos);
}

TEST_CASE("redirects: relative and absolute Locations are followed, up to five") {
  LoopbackServer target([](const Seen& s) { return Reply{http_response(200, "landed at " + s.target)}; });
  const std::string elsewhere = target.url("/final?x=1", "localhost");
  LoopbackServer server([&](const Seen& s) {
    if (s.target == "/a/b") return Reply{http_response(301, "", {{"Location", "../c?step=2"}})};
    if (s.target == "/c?step=2") return Reply{http_response(302, "", {{"Location", "/d"}})};
    if (s.target == "/d") return Reply{http_response(307, "", {{"Location", elsewhere}})};
    if (s.target.rfind("/chain/", 0) == 0) {
      int n = std::stoi(s.target.substr(7));
      if (n == 0) return Reply{http_response(200, "end of chain")};
      return Reply{http_response(308, "", {{"Location", "/chain/" + std::to_string(n - 1)}})};
    }
    if (s.target == "/loop") return Reply{http_response(302, "", {{"Location", "/loop"}})};
    if (s.target == "/nowhere") return Reply{http_response(302, "no location")};
    if (s.target == "/badloc") return Reply{http_response(302, "", {{"Location", "ftp://x/"}})};
    return Reply{http_response(404, "")};
  });

  auto r = get(server.url("/a/b"));
  REQUIRE(r.ok());
  CHECK(r->status == 200);
  CHECK(r->body == "landed at /final?x=1");
  CHECK(r->redirects == 3);
  CHECK(r->final_url == elsewhere);

  auto five = get(server.url("/chain/5"));
  REQUIRE(five.ok());
  CHECK(five->body == "end of chain");
  CHECK(five->redirects == 5);

  auto six = get(server.url("/chain/6"));
  REQUIRE_FALSE(six.ok());
  CHECK(six.error().code == "too_many_redirects");

  auto loop = get(server.url("/loop"));
  CHECK(loop.error().code == "too_many_redirects");
  CHECK(server.seen().size() == 3 + 6 + 6 + 6);  // a chain or loop stops after 5 redirects

  ClientOptions none = fast_options();
  none.max_redirects = 0;
  CHECK(get(server.url("/d"), none).error().code == "too_many_redirects");

  auto no_location = get(server.url("/nowhere"));
  REQUIRE(no_location.ok());
  CHECK(no_location->status == 302);
  CHECK(no_location->body == "no location");

  CHECK(get(server.url("/badloc")).error().code == "bad_url");
}

TEST_CASE("a redirect from https to http is refused") {
  LoopbackServer plain([](const Seen&) { return Reply{http_response(200, "insecure")}; });
  const std::string downgrade = plain.url("/");
  LoopbackServer server([&](const Seen&) {
    return Reply{http_response(302, "", {{"Location", downgrade}})};
  }, test_pki().good);
  auto r = get(server.url("/", "localhost"), tls_options());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "insecure_redirect");
  CHECK(plain.seen().empty());
}

TEST_CASE("gzip and deflate bodies are decoded; a zip bomb stops at the limit") {
  const std::string page = product_page(4250, true) + std::string(20000, ' ');
  LoopbackServer server([&](const Seen& s) {
    if (s.target == "/gzip") return Reply{http_response(200, gzip(page), {{"Content-Encoding", "gzip"}})};
    if (s.target == "/gzip-chunked") {
      return Reply{chunked_response(200, gzip(page), 100, {{"Content-Encoding", "gzip"}})};
    }
    if (s.target == "/deflate") {
      return Reply{http_response(200, raw_deflate(page), {{"Content-Encoding", "deflate"}})};
    }
    if (s.target == "/bomb") {
      return Reply{http_response(200, gzip(std::string(4 << 20, 'a')), {{"Content-Encoding", "gzip"}})};
    }
    if (s.target == "/corrupt") {
      return Reply{http_response(200, "not gzip at all", {{"Content-Encoding", "gzip"}})};
    }
    return Reply{http_response(200, "x", {{"Content-Encoding", "br"}})};
  });
  for (const char* path : {"/gzip", "/gzip-chunked", "/deflate"}) {
    CAPTURE(path);
    auto r = get(server.url(path));
    REQUIRE(r.ok());
    CHECK(r->body == page);
  }
  ClientOptions o = fast_options();
  o.decoded_limit = 1 << 20;
  auto bomb = get(server.url("/bomb"), o);
  REQUIRE_FALSE(bomb.ok());
  CHECK(bomb.error().code == "body_too_large");
  CHECK(get(server.url("/corrupt")).error().code == "bad_encoding");
  CHECK(get(server.url("/br")).error().code == "bad_encoding");
}

TEST_CASE("oversized bodies and headers are refused") {
  LoopbackServer server([](const Seen& s) {
    if (s.target == "/big") return Reply{http_response(200, std::string(100000, 'x'))};
    if (s.target == "/big-chunked") return Reply{chunked_response(200, std::string(100000, 'x'), 4096)};
    if (s.target == "/big-unsized") {
      return Reply{"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + std::string(100000, 'x')};
    }
    return Reply{http_response(200, "x", {{"X-Padding", std::string(20000, 'p')}})};
  });
  ClientOptions o = fast_options();
  o.body_limit = 50000;
  o.header_limit = 8192;
  for (const char* path : {"/big", "/big-chunked", "/big-unsized"}) {
    CAPTURE(path);
    auto r = get(server.url(path), o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "body_too_large");
  }
  auto h = get(server.url("/header"), o);
  REQUIRE_FALSE(h.ok());
  CHECK(h.error().code == "header_too_large");
  o.body_limit = 100000;
  CHECK(get(server.url("/big"), o).ok());  // exactly at the limit
  CHECK(get(server.url("/big-unsized"), o)->body.size() == 100000);
}

TEST_CASE("slow servers time out, and the error names the step") {
  LoopbackServer server([](const Seen& s) {
    if (s.target == "/silent") return Reply{http_response(200, "late"), 2000ms};
    Reply r{http_response(200, std::string(1000, 'b'))};
    r.stall_at = r.bytes.size() - 500;  // headers and half the body, then nothing
    r.stall = 2000ms;
    return r;
  });
  {
    auto r = get(server.url("/silent"), short_step(&ClientOptions::read_header_timeout));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "timeout");
    CHECK(r.error().message.find("read_header") != std::string::npos);
    CHECK(r.error().message.find("300 ms") != std::string::npos);
  }
  {
    auto r = get(server.url("/stall"), short_step(&ClientOptions::read_body_timeout));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "timeout");
    CHECK_MESSAGE(r.error().message.find("read_body") != std::string::npos, r.error().message);
  }
}

TEST_CASE("a server that never answers the TLS handshake times out in tls_handshake") {
  LoopbackServer server([](const Seen&) { return Reply{}; }, LoopbackServer::Tls::accept_only, nullptr);
  {
    auto r = get(server.url("/", "localhost"), short_step(&ClientOptions::handshake_timeout));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "timeout");
    CHECK(r.error().message.find("tls_handshake timed out after 300 ms") != std::string::npos);
  }
}

TEST_CASE("a connect that never completes times out in connect; a closed port is connect_failed") {
  namespace asio = boost::asio;
  asio::io_context io;
  // A listener that never accepts, its one-slot queue already taken: the next SYN waits.
  // (The connect step's deadline is what ends it.)
  asio::ip::tcp::acceptor full(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), true);
  full.listen(0);
  const auto port = full.local_endpoint().port();
  asio::ip::tcp::socket filler(io);
  filler.connect(full.local_endpoint());
  {
    auto r = get("http://127.0.0.1:" + std::to_string(port) + "/", short_step(&ClientOptions::connect_timeout));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "timeout");
    CHECK(r.error().message.find("connect timed out after 300 ms") != std::string::npos);
  }

  asio::ip::tcp::acceptor closed(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto closed_port = closed.local_endpoint().port();
  closed.close();
  auto refused = get("http://127.0.0.1:" + std::to_string(closed_port) + "/");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "connect_failed");
  CHECK(refused.error().message.find(std::to_string(closed_port)) != std::string::npos);
}

TEST_CASE("an unknown host is dns_failed and a bad URL is bad_url") {
  auto r = get("http://nonexistent.invalid/");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "dns_failed");
  CHECK(r.error().message.find("nonexistent.invalid") != std::string::npos);
  for (const char* bad : {"", "localhost/x", "file:///etc/passwd", "http://u:p@h/", "http://h:99999/"}) {
    CAPTURE(bad);
    CHECK(get(bad).error().code == "bad_url");
  }
}

TEST_CASE("429 and 503 with Retry-After give the wait in seconds, in either form") {
  LoopbackServer server([](const Seen& s) {
    if (s.target == "/429") return Reply{http_response(429, "slow down", {{"Retry-After", "120"}})};
    return Reply{http_response(503, "maintenance", {{"Retry-After", format_http_date(now_unix() + 90)}})};
  });
  auto a = get(server.url("/429"));
  REQUIRE(a.ok());
  CHECK(a->status == 429);
  CHECK(a->retry_after_seconds == 120);
  auto b = get(server.url("/503"));
  REQUIRE(b.ok());
  CHECK(b->status == 503);
  REQUIRE(b->retry_after_seconds.has_value());
  CHECK(*b->retry_after_seconds >= 88);
  CHECK(*b->retry_after_seconds <= 90);
}

TEST_CASE("conditional requests: a changing page, validators sent back, 304 is not_modified") {
  // The page's price and stock change between checks; its validators change with it.
  int version = 1;
  LoopbackServer server([&](const Seen& s) {
    std::string etag = "\"v" + std::to_string(version) + "\"";
    std::string modified = format_http_date(1700000000 + version);
    if (s.header("if-none-match") == etag) return Reply{http_response(304, "", {{"ETag", etag}})};
    std::string body = version == 1 ? product_page(2999, true) : product_page(2499, false);
    return Reply{http_response(200, body, {{"ETag", etag}, {"Last-Modified", modified}})};
  });
  Request req{server.url("/kettle"), {}, {}, {}};
  auto first = fetch(req, fast_options());
  REQUIRE(first.ok());
  CHECK(first->body == product_page(2999, true));
  REQUIRE(first->etag == "\"v1\"");
  REQUIRE(first->last_modified.has_value());

  req.etag = first->etag;
  req.last_modified = first->last_modified;
  auto same = fetch(req, fast_options());
  REQUIRE(same.ok());
  CHECK(same->status == 304);
  CHECK(same->not_modified);
  CHECK(same->body.empty());

  version = 2;
  auto changed = fetch(req, fast_options());
  REQUIRE(changed.ok());
  CHECK(changed->status == 200);
  CHECK_FALSE(changed->not_modified);
  CHECK(changed->body == product_page(2499, false));
  CHECK(changed->etag == "\"v2\"");

  auto seen = server.seen();
  REQUIRE(seen.size() == 3);
  CHECK_FALSE(seen[0].has("if-none-match"));
  CHECK(seen[1].header("if-none-match") == "\"v1\"");
  CHECK(seen[1].header("if-modified-since") == *first->last_modified);
}

TEST_CASE("Set-Cookie is remembered for the host and sent back, across redirects too") {
  LoopbackServer server([](const Seen& s) {
    if (s.target == "/login") {
      return Reply{http_response(302, "", {{"Set-Cookie", "session=s1; Path=/"}, {"Location", "/home"}})};
    }
    return Reply{http_response(200, "cookie was [" + s.header("cookie") + "]",
                               {{"Set-Cookie", "seen=" + std::to_string(s.target.size()) + "; Path=/"}})};
  });
  ClientOptions o = fast_options();
  o.cookies = std::make_shared<CookieJar>();
  auto r = get(server.url("/login"), o);
  REQUIRE(r.ok());
  CHECK(r->body == "cookie was [session=s1]");  // set by the redirect, sent on the next hop
  auto again = get(server.url("/other"), o);
  REQUIRE(again.ok());
  CHECK(again->body == "cookie was [session=s1; seen=5]");
  CHECK(o.cookies->size() == 2);
  // Another host (localhost is not 127.0.0.1) gets none of them.
  auto other_host = get(server.url("/other", "localhost"), o);
  CHECK(other_host->body == "cookie was []");
  // Without a shared jar nothing is kept between calls.
  CHECK(get(server.url("/other"))->body == "cookie was []");
}

TEST_CASE("per-host credentials go to their host over https only") {
  const auto& pki = test_pki();
  auto echo = [](const Seen& s) {
    return Reply{http_response(200, "member=" + s.header("x-member-token") + " cookie=" + s.header("cookie"))};
  };
  LoopbackServer secure(echo, pki.good);
  LoopbackServer plain(echo);
  ClientOptions o = tls_options();
  o.credentials = [](const std::string& host) {
    HostCredentials c;
    if (host == "localhost") {
      c.headers["X-Member-Token"] = "t0ps3cret";
      c.cookies["member"] = "gold";
    }
    return c;
  };
  auto r = get(secure.url("/price", "localhost"), o);
  REQUIRE(r.ok());
  CHECK(r->body == "member=t0ps3cret cookie=member=gold");
  auto insecure = get(plain.url("/price", "localhost"), o);
  REQUIRE(insecure.ok());
  CHECK(insecure->body == "member= cookie=");
  auto other_host = get(secure.url("/price", "127.0.0.1"), o);
  REQUIRE(other_host.ok());
  CHECK(other_host->body == "member= cookie=");
}

TEST_CASE("request headers: caller's are sent, injection is refused, secrets stay on their host") {
  LoopbackServer target([](const Seen& s) {
    return Reply{http_response(200, "auth=" + s.header("authorization") + " cookie=" + s.header("cookie") +
                                        " x=" + s.header("x-extra"))};
  });
  const std::string elsewhere = target.url("/", "localhost");
  LoopbackServer server([&](const Seen& s) {
    if (s.target == "/go") return Reply{http_response(302, "", {{"Location", elsewhere}})};
    return Reply{http_response(200, "auth=" + s.header("authorization") + " ua=" + s.header("user-agent"))};
  });
  Request req{server.url("/"), {{"Authorization", "Bearer abc"}, {"User-Agent", "custom"}}, {}, {}};
  auto same = fetch(req, fast_options());
  REQUIRE(same.ok());
  CHECK(same->body == "auth=Bearer abc ua=custom");

  Request moved{server.url("/go"), {{"Authorization", "Bearer abc"}, {"Cookie", "a=1"}, {"X-Extra", "1"}}, {}, {}};
  auto r = fetch(moved, fast_options());
  REQUIRE(r.ok());
  CHECK(r->body == "auth= cookie= x=1");

  Request injected{server.url("/"), {{"X-Evil", "v\r\nX-Injected: 1"}}, {}, {}};
  auto bad = fetch(injected, fast_options());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "bad_header");
  CHECK(bad.error().message.find("X-Evil") != std::string::npos);
  CHECK(bad.error().message.find("Injected") == std::string::npos);  // never the value
  Request host{server.url("/"), {{"Host", "evil.example"}}, {}, {}};
  CHECK(fetch(host, fast_options()).error().code == "bad_header");
  Request etag{server.url("/"), {}, std::string("\"x\"\r\nA: b"), {}};
  CHECK(fetch(etag, fast_options()).error().code == "bad_header");
}

TEST_CASE("many fetches run at once on one io_context") {
  // The servers answer one connection at a time, so later fetches wait their turn.
  ClientOptions o = tls_options();
  o.handshake_timeout = o.read_header_timeout = 5000ms;
  LoopbackServer server([](const Seen& s) { return Reply{http_response(200, "page " + s.target)}; });
  LoopbackServer secure([](const Seen& s) { return Reply{http_response(200, "secure " + s.target)}; },
                        test_pki().good);
  boost::asio::io_context io;
  std::vector<std::optional<Result<Response>>> results(20);
  for (int i = 0; i < 20; ++i) {
    std::string url = i % 2 ? secure.url("/" + std::to_string(i), "localhost") : server.url("/" + std::to_string(i));
    async_fetch(io, Request{url, {}, {}, {}}, o,
                [&results, i](Result<Response> r) { results[static_cast<std::size_t>(i)].emplace(std::move(r)); });
  }
  io.run();
  for (int i = 0; i < 20; ++i) {
    CAPTURE(i);
    REQUIRE(results[static_cast<std::size_t>(i)].has_value());
    REQUIRE(results[static_cast<std::size_t>(i)]->ok());
    CHECK(results[static_cast<std::size_t>(i)]->value().body ==
          std::string(i % 2 ? "secure /" : "page /") + std::to_string(i));
  }
}

TEST_CASE("a server closing after N bytes, for every N, gives a clean error, never a hang") {
  const std::string page = product_page(1234, true);
  const std::string sized = http_response(200, page, {{"ETag", "\"e\""}});
  const std::string chunked = chunked_response(200, gzip(page), 16, {{"Content-Encoding", "gzip"}});
  for (bool tls : {false, true}) {
    for (const std::string* full : {&sized, &chunked}) {
      std::size_t cut = 0;
      auto handler = [&](const Seen&) {
        Reply r{*full};
        r.cut_after = cut;
        return r;
      };
      std::optional<LoopbackServer> server;
      if (tls) {
        server.emplace(handler, test_pki().good);
      } else {
        server.emplace(handler);
      }
      for (cut = 0; cut <= full->size(); ++cut) {
        CAPTURE(tls);
        CAPTURE(cut);
        auto r = get(server->url("/", "localhost"), tls_options());
        if (cut == full->size()) {
          REQUIRE(r.ok());
          CHECK(r->body == page);
        } else {
          REQUIRE_FALSE(r.ok());
          const auto& code = r.error().code;
          CHECK((code == "http_protocol_error" || code == "bad_encoding"));
        }
      }
    }
  }
}

TEST_CASE("a server that hangs up before reading the request gives a clean error") {
  LoopbackServer hangup([](const Seen&) { return Reply{}; }, LoopbackServer::Tls::plain_eager, nullptr);
  for (int i = 0; i < 20; ++i) {
    auto plain = get(hangup.url("/"));
    REQUIRE_FALSE(plain.ok());
    CHECK(plain.error().code == "http_protocol_error");
    auto tls = get("https://localhost:" + std::to_string(hangup.port()) + "/", tls_options());
    REQUIRE_FALSE(tls.ok());
    CHECK(tls.error().code == "tls_failed");
  }
}

TEST_CASE("over TLS a body ended by the connection needs close_notify to count as whole") {
  const std::string unsized = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + product_page(999, true);
  bool clean_close = true;
  LoopbackServer server([&](const Seen&) {
    Reply r{unsized};
    if (!clean_close) r.cut_after = unsized.size();  // every byte, then a bare TCP close
    return r;
  }, test_pki().good);
  auto whole = get(server.url("/", "localhost"), tls_options());
  REQUIRE(whole.ok());
  CHECK(whole->body == product_page(999, true));
  clean_close = false;
  auto cut = get(server.url("/", "localhost"), tls_options());
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().code == "http_protocol_error");
  CHECK(cut.error().message.find("read_body") != std::string::npos);
}

TEST_CASE("POST and DELETE send their method, body and Content-Length; GET refuses a body") {
  LoopbackServer server([](const Seen& s) {
    return Reply{http_response(s.method == "DELETE" ? 204 : 201, s.method == "DELETE" ? "" : "{\"ok\":true}")};
  });
  Request post{server.url("/v1/sync"), {{"Authorization", "Bearer t0k"}}, {}, {}};
  post.method = "POST";
  post.body = "{\"cursor\":0,\"push\":[]}";
  auto r = fetch(post, fast_options());
  REQUIRE(r.ok());
  CHECK(r->status == 201);
  CHECK(r->body == "{\"ok\":true}");

  Request del{server.url("/v1/sessions/current"), {}, {}, {}};
  del.method = "DELETE";
  auto d = fetch(del, fast_options());
  REQUIRE(d.ok());
  CHECK(d->status == 204);

  auto seen = server.seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].body == post.body);
  CHECK(seen[0].header("content-length") == std::to_string(post.body.size()));
  CHECK(seen[0].header("content-type") == "application/json");
  CHECK(seen[0].header("authorization") == "Bearer t0k");
  CHECK(seen[1].method == "DELETE");
  CHECK(seen[1].body.empty());

  Request bad{server.url("/x"), {}, {}, {}};
  bad.body = "not for a GET";
  auto b = fetch(bad, fast_options());
  REQUIRE_FALSE(b.ok());
  CHECK(b.error().code == "bad_method");
  bad.method = "BREW";
  bad.body.clear();
  CHECK(fetch(bad, fast_options()).error().code == "bad_method");
  Request huge{server.url("/x"), {}, {}, {}};
  huge.method = "POST";
  huge.body.assign(2000, 'x');
  ClientOptions small = fast_options();
  small.request_body_limit = 1000;
  CHECK(fetch(huge, small).error().code == "body_too_large");
  Request spoof{server.url("/x"), {{"Content-Length", "5"}}, {}, {}};
  spoof.method = "POST";
  CHECK(fetch(spoof, fast_options()).error().code == "bad_header");
  CHECK(server.seen().size() == 2);  // none of the refused ones went out
}

TEST_CASE("a POST redirected by 303 continues as a GET without the body; 307 repeats it") {
  LoopbackServer server([](const Seen& s) {
    if (s.target == "/see-other") return Reply{http_response(303, "", {{"Location", "/done"}})};
    if (s.target == "/temporary") return Reply{http_response(307, "", {{"Location", "/done"}})};
    return Reply{http_response(200, s.method + ":" + s.body)};
  });
  Request post{server.url("/see-other"), {}, {}, {}};
  post.method = "POST";
  post.body = "{\"a\":1}";
  auto r = fetch(post, fast_options());
  REQUIRE(r.ok());
  CHECK(r->body == "GET:");
  post.url = server.url("/temporary");
  auto t = fetch(post, fast_options());
  REQUIRE(t.ok());
  CHECK(t->body == "POST:{\"a\":1}");
}

TEST_CASE("a POST over TLS is verified like a GET") {
  LoopbackServer server([](const Seen& s) { return Reply{http_response(200, s.body)}; }, test_pki().good);
  Request post{server.url("/v1/sync", "localhost"), {}, {}, {}};
  post.method = "POST";
  post.body = std::string(100000, 'b');
  auto r = fetch(post, tls_options());
  REQUIRE(r.ok());
  CHECK(r->body == post.body);
  CHECK(fetch(post, fast_options()).error().code == "tls_failed");  // test CA not trusted
}
