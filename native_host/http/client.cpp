#include "http/client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <exception>
#include <map>
#include <mutex>

#include "http/content_coding.hpp"
#include "http/http_date.hpp"
#include "http/url.hpp"

#ifndef DEALSTACK_VERSION
#define DEALSTACK_VERSION "0.0.0"
#endif

namespace dealstack::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using boost::system::error_code;
template <typename T>
using Task = asio::awaitable<T>;

constexpr auto kAccept = "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8";

// The raw outcome of one request/response exchange, before redirects and decoding.
struct Exchange {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // as received (still Content-Encoded)
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Where a request went, for messages: no query string (it may carry tokens).
std::string where(const Url& url) { return url.scheme + "://" + url.authority() + url.path(); }

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

Error timeout(std::string_view step, std::chrono::milliseconds limit, const Url& url) {
  return make_error("timeout", std::string(step) + " timed out after " + ms(limit) + " (" +
                                   url.authority() + ")");
}

// Errors while writing the request or reading the response.
Error exchange_error(std::string_view step, const error_code& ec, std::chrono::milliseconds limit,
                     const Url& url, const ClientOptions& opt) {
  if (ec == beast::error::timeout) return timeout(step, limit, url);
  if (ec == bhttp::error::header_limit) {
    return make_error("header_too_large", "response header from " + url.authority() +
                                              " is larger than " +
                                              std::to_string(opt.header_limit) + " bytes");
  }
  if (ec == bhttp::error::body_limit) {
    return make_error("body_too_large", "response body from " + url.authority() +
                                            " is larger than " + std::to_string(opt.body_limit) +
                                            " bytes");
  }
  if (ec == asio::error::eof || ec == bhttp::error::partial_message ||
      ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset ||
      ec == ssl::error::stream_truncated || ec == asio::error::broken_pipe) {
    return make_error("http_protocol_error", "connection to " + url.authority() +
                                                 " closed during " + std::string(step) + " (" +
                                                 ec.message() + ")");
  }
  return make_error("http_protocol_error", std::string(step) + " from " + url.authority() +
                                               " failed: " + ec.message());
}

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Header names must be tokens and values free of CR, LF and NUL (no header injection).
// Messages name the header, never its value (it may be a secret).
Status check_header(std::string_view name, std::string_view value) {
  if (name.empty() || name.size() > 256) return make_error("bad_header", "header name is empty or too long");
  for (char c : name) {
    if (!is_token_char(c)) {
      return make_error("bad_header", "header name '" + std::string(name.substr(0, 64)) +
                                          "' has a character not allowed in names");
    }
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return make_error("bad_header", "value of header '" + std::string(name) +
                                          "' contains CR, LF or NUL");
    }
  }
  return Unit{};
}

Status check_cookie(std::string_view name, std::string_view value) {
  auto bad = [&] {
    return make_error("bad_header", "cookie '" + std::string(name.substr(0, 64)) +
                                        "' has a name or value that cannot be sent");
  };
  if (name.empty()) return bad();
  for (char c : name) {
    if (!is_token_char(c)) return bad();
  }
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ';') return bad();
  }
  return Unit{};
}

using OutRequest = bhttp::request<bhttp::string_body>;

// The method's verb; GET and HEAD never carry a body.
Result<bhttp::verb> request_verb(const Request& request, const ClientOptions& opt) {
  static const std::pair<const char*, bhttp::verb> kVerbs[] = {
      {"GET", bhttp::verb::get},   {"HEAD", bhttp::verb::head},   {"POST", bhttp::verb::post},
      {"PUT", bhttp::verb::put},   {"PATCH", bhttp::verb::patch}, {"DELETE", bhttp::verb::delete_}};
  for (const auto& [name, verb] : kVerbs) {
    if (request.method != name) continue;
    if ((verb == bhttp::verb::get || verb == bhttp::verb::head) && !request.body.empty())
      return make_error("bad_method", request.method + " requests carry no body");
    if (request.body.size() > opt.request_body_limit)
      return make_error("body_too_large", "request body is " + std::to_string(request.body.size()) +
                                              " bytes; the limit is " +
                                              std::to_string(opt.request_body_limit));
    return verb;
  }
  return make_error("bad_method", "unsupported HTTP method '" + request.method.substr(0, 16) +
                                      "' (GET, HEAD, POST, PUT, PATCH or DELETE)");
}

// One request to `url`, with its body.
Result<OutRequest> build_request(const Url& url, const Request& request,
                                 const ClientOptions& opt, const CookieJar& jar, bool same_host) {
  auto verb = request_verb(request, opt);
  if (!verb) return verb.error();
  OutRequest req{*verb, url.target, 11};
  req.set(bhttp::field::host, url.authority());
  req.set(bhttp::field::user_agent, opt.user_agent);
  req.set(bhttp::field::accept, kAccept);
  req.set(bhttp::field::accept_encoding, "gzip, deflate");
  // One request per connection: no state between checks, nothing to drain.
  req.set(bhttp::field::connection, "close");
  if (request.etag) {
    if (auto s = check_header("If-None-Match", *request.etag); !s) return s.error();
    req.set(bhttp::field::if_none_match, *request.etag);
  }
  if (request.last_modified) {
    if (auto s = check_header("If-Modified-Since", *request.last_modified); !s) return s.error();
    req.set(bhttp::field::if_modified_since, *request.last_modified);
  }

  std::vector<std::pair<std::string, std::string>> cookies = jar.cookies_for(url, unix_now());
  HostCredentials creds;
  // Credentials are secrets: never over plain http, where anyone on the path can read them.
  if (opt.credentials && url.https()) creds = opt.credentials(url.host);
  for (const auto& [name, value] : creds.cookies) {
    if (auto s = check_cookie(name, value); !s) return s.error();
    std::erase_if(cookies, [&](const auto& c) { return c.first == name; });
    cookies.emplace_back(name, value);
  }
  for (const auto& [name, value] : creds.headers) {
    if (auto s = check_header(name, value); !s) return s.error();
    req.set(name, value);
  }
  std::string cookie_header;
  for (const auto& [name, value] : cookies) {
    if (!cookie_header.empty()) cookie_header += "; ";
    cookie_header += name + "=" + value;
  }

  for (const auto& [name, value] : request.headers) {
    if (auto s = check_header(name, value); !s) return s.error();
    std::string key = lower(name);
    if (key == "host" || key == "connection" || key == "accept-encoding" ||
        key == "content-length" || key == "transfer-encoding") {
      return make_error("bad_header", "header '" + name + "' is set by the client itself");
    }
    // The caller's secrets were meant for the first host, not wherever it redirects us.
    if (!same_host && (key == "cookie" || key == "authorization")) continue;
    if (key == "cookie") {
      if (!cookie_header.empty()) cookie_header += "; ";
      cookie_header += value;
      continue;
    }
    req.set(name, value);
  }
  if (!cookie_header.empty()) req.set(bhttp::field::cookie, cookie_header);
  if (*verb != bhttp::verb::get && *verb != bhttp::verb::head) {
    if (!request.body.empty() && req.find(bhttp::field::content_type) == req.end())
      req.set(bhttp::field::content_type, "application/json");
    req.body() = request.body;
    req.prepare_payload();  // Content-Length, also 0 for an empty POST
  }
  return req;
}

Result<std::shared_ptr<ssl::context>> make_tls_context(const ClientOptions& opt) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_verify_mode(ssl::verify_peer);
  error_code ec;
  ctx->set_default_verify_paths(ec);  // the system trust store, never built-in roots
  if (ec) return make_error("tls_failed", "cannot load the system trust store: " + ec.message());
  if (opt.ca_file) {
    ctx->load_verify_file(*opt.ca_file, ec);
    if (ec) {
      return make_error("tls_failed",
                        "cannot load CA file '" + *opt.ca_file + "': " + ec.message());
    }
  }
  return ctx;
}

// Loading the system trust store takes about 40 ms, so TLS contexts are made once and
// shared (an SSL_CTX may back many connections on many threads). Keyed by the extra CA
// file's path, size and modification time; rebuilt after an hour so that trust store
// updates are picked up by a long-running agent.
Result<std::shared_ptr<ssl::context>> shared_tls_context(const ClientOptions& opt) {
  std::string key = "system";
  if (opt.ca_file) {
    struct stat st {};
    if (::stat(opt.ca_file->c_str(), &st) != 0) return make_tls_context(opt);  // reports why
    key = *opt.ca_file + '\n' + std::to_string(st.st_size) + '\n' +
          std::to_string(st.st_mtim.tv_sec) + '.' + std::to_string(st.st_mtim.tv_nsec);
  }
  struct Entry {
    std::shared_ptr<ssl::context> context;
    std::chrono::steady_clock::time_point made;
  };
  static std::mutex mutex;
  static std::map<std::string, Entry> cache;
  std::lock_guard lock(mutex);
  auto now = std::chrono::steady_clock::now();
  auto it = cache.find(key);
  if (it != cache.end() && now - it->second.made < std::chrono::hours(1)) return it->second.context;
  auto made = make_tls_context(opt);
  if (!made) return made.error();
  if (cache.size() >= 16) cache.clear();
  cache[key] = Entry{*made, now};
  return made;
}

// Checks the chain as OpenSSL did and the host name on the leaf (via Asio's
// host_name_verification), and remembers the first reason for refusing, since the
// handshake error alone only says "certificate verify failed".
struct RecordingVerifier {
  ssl::host_name_verification check_host;
  std::string host;
  std::shared_ptr<std::string> why;

  bool operator()(bool preverified, ssl::verify_context& vc) {
    X509_STORE_CTX* store = vc.native_handle();
    if (!preverified) {
      int err = X509_STORE_CTX_get_error(store);
      if (why->empty()) {
        *why = std::string("certificate verification failed: ") +
               X509_verify_cert_error_string(err);
        if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
            err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT) {
          *why += " (unknown issuer)";
        }
        *why += " at depth " + std::to_string(X509_STORE_CTX_get_error_depth(store));
      }
      return false;
    }
    bool ok = check_host(preverified, vc);
    if (!ok && why->empty()) {
      *why = "host name mismatch: the certificate is not valid for '" + host + "'";
    }
    return ok;
  }
};

Result<std::vector<tcp::endpoint>> endpoints_of_literal(const Url& url) {
  error_code ec;
  auto addr = asio::ip::make_address(url.host, ec);
  if (ec) return make_error("bad_url", "'" + url.host + "' is not an IP address");
  return std::vector<tcp::endpoint>{tcp::endpoint(addr, url.port)};
}

Task<Result<std::vector<tcp::endpoint>>> resolve(const Url& url, const ClientOptions& opt) {
  if (url.host_is_ip) co_return endpoints_of_literal(url);
  auto ex = co_await asio::this_coro::executor;
  // The resolver has no deadline of its own: a timer cancels it. Both live in shared
  // state because the timer's handler may run after this frame has moved on.
  auto resolver = std::make_shared<tcp::resolver>(ex);
  auto timed_out = std::make_shared<bool>(false);
  asio::steady_timer timer(ex);
  timer.expires_after(opt.resolve_timeout);
  timer.async_wait([resolver, timed_out](const error_code& e) {
    if (!e) {
      *timed_out = true;
      resolver->cancel();
    }
  });
  error_code ec;
  auto results = co_await resolver->async_resolve(url.host, std::to_string(url.port),
                                                  tcp::resolver::numeric_service,
                                                  asio::redirect_error(asio::use_awaitable, ec));
  timer.cancel();
  if (*timed_out) co_return timeout("resolve", opt.resolve_timeout, url);
  if (ec) {
    co_return make_error("dns_failed", "cannot resolve '" + url.host + "': " + ec.message());
  }
  std::vector<tcp::endpoint> out;
  for (const auto& entry : results) out.push_back(entry.endpoint());
  if (out.empty()) co_return make_error("dns_failed", "'" + url.host + "' has no addresses");
  co_return out;
}

Task<Status> connect(beast::tcp_stream& stream, const Url& url, const ClientOptions& opt) {
  auto endpoints = co_await resolve(url, opt);
  if (!endpoints) co_return endpoints.error();
  error_code ec;
  stream.expires_after(opt.connect_timeout);
  co_await stream.async_connect(*endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == beast::error::timeout) co_return timeout("connect", opt.connect_timeout, url);
  if (ec) {
    co_return make_error("connect_failed",
                         "cannot connect to " + url.authority() + ": " + ec.message());
  }
  // The TLS handshake and the request are small writes: without this, Nagle's algorithm
  // and the peer's delayed ACK cost about 40 ms per round trip.
  stream.socket().set_option(tcp::no_delay(true), ec);
  co_return Unit{};
}

template <class Stream>
Task<Result<Exchange>> exchange(Stream& stream, const OutRequest& req,
                                const Url& url, const ClientOptions& opt) {
  auto& lowest = beast::get_lowest_layer(stream);
  error_code ec;
  lowest.expires_after(opt.write_timeout);
  co_await bhttp::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return exchange_error("write_request", ec, opt.write_timeout, url, opt);

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(opt.header_limit);
  parser.body_limit(opt.body_limit);
  if (req.method() == bhttp::verb::head) parser.skip(true);  // a HEAD answer has no body
  lowest.expires_after(opt.read_header_timeout);
  co_await bhttp::async_read_header(stream, buffer, parser,
                                    asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return exchange_error("read_header", ec, opt.read_header_timeout, url, opt);
  if (!parser.is_done()) {
    lowest.expires_after(opt.read_body_timeout);
    co_await bhttp::async_read(stream, buffer, parser,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return exchange_error("read_body", ec, opt.read_body_timeout, url, opt);
  }
  lowest.expires_never();

  Exchange out;
  auto& msg = parser.get();
  out.status = static_cast<int>(msg.result_int());
  for (const auto& field : msg) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(msg.body());
  co_return out;
}

Task<Result<Exchange>> plain_hop(const Url& url, const OutRequest& req,
                                 const ClientOptions& opt) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  if (auto s = co_await connect(stream, url, opt); !s) co_return s.error();
  auto result = co_await exchange(stream, req, url, opt);
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return result;
}

Task<Result<Exchange>> tls_hop(const Url& url, const OutRequest& req,
                               const ClientOptions& opt, ssl::context& ctx) {
  beast::ssl_stream<beast::tcp_stream> stream(co_await asio::this_coro::executor, ctx);
  // SNI: the name of the site we want (not for IP literals, which RFC 6066 forbids there).
  if (!url.host_is_ip && !SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str())) {
    co_return make_error("tls_failed", "cannot set the TLS server name for '" + url.host + "'");
  }
  auto why = std::make_shared<std::string>();
  stream.set_verify_mode(ssl::verify_peer);
  stream.set_verify_callback(
      RecordingVerifier{ssl::host_name_verification(url.host), url.host, why});

  if (auto s = co_await connect(beast::get_lowest_layer(stream), url, opt); !s) {
    co_return s.error();
  }
  error_code ec;
  beast::get_lowest_layer(stream).expires_after(opt.handshake_timeout);
  co_await stream.async_handshake(ssl::stream_base::client,
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec == beast::error::timeout) co_return timeout("tls_handshake", opt.handshake_timeout, url);
  if (ec) {
    co_return make_error("tls_failed", "TLS handshake with " + url.authority() + " failed: " +
                                           (why->empty() ? ec.message() : *why));
  }
  auto result = co_await exchange(stream, req, url, opt);
  // No close_notify round trip: the response is complete (or failed) and we are done.
  beast::get_lowest_layer(stream).close();
  co_return result;
}

const std::string* find_header(const Exchange& ex, std::string_view name) {
  for (const auto& [key, value] : ex.headers) {
    if (key.size() == name.size() && lower(key) == name) return &value;
  }
  return nullptr;
}

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

Task<Result<Response>> fetch_all(Request request, ClientOptions opt) {
  auto parsed = parse_url(request.url);
  if (!parsed) co_return parsed.error();
  Url url = std::move(parsed).value();
  const std::string first_host = url.host;
  auto jar = opt.cookies ? opt.cookies : std::make_shared<CookieJar>();
  std::shared_ptr<ssl::context> tls;
  int redirects = 0;

  while (true) {
    auto req = build_request(url, request, opt, *jar, url.host == first_host);
    if (!req) co_return req.error();
    Result<Exchange> hop = make_error("http_protocol_error", "no exchange");
    if (url.https()) {
      if (!tls) {
        auto made = shared_tls_context(opt);
        if (!made) co_return made.error();
        tls = *made;
      }
      hop = co_await tls_hop(url, *req, opt, *tls);
    } else {
      hop = co_await plain_hop(url, *req, opt);
    }
    if (!hop) co_return hop.error();

    std::int64_t now = unix_now();
    for (const auto& [key, value] : hop->headers) {
      if (lower(key) == "set-cookie") jar->store(url, value, now);
    }

    const std::string* location = is_redirect(hop->status) ? find_header(*hop, "location") : nullptr;
    if (location) {
      if (redirects >= opt.max_redirects) {
        co_return make_error("too_many_redirects", "gave up after " + std::to_string(redirects) +
                                                       " redirects (last at " + where(url) + ")");
      }
      auto next = resolve_reference(url, *location);
      if (!next) {
        co_return make_error("bad_url", "redirect from " + where(url) +
                                            " to an invalid Location: " + next.error().message);
      }
      if (url.https() && !next->https()) {
        co_return make_error("insecure_redirect", "refused redirect from " + where(url) +
                                                      " to plain http (" + where(*next) + ")");
      }
      // 303 (and 301/302 after a POST, as browsers do) continue as a GET without the body.
      if (hop->status == 303 || ((hop->status == 301 || hop->status == 302) && request.method == "POST")) {
        if (request.method != "HEAD") request.method = "GET";
        request.body.clear();
        std::erase_if(request.headers, [](const auto& h) { return lower(h.first) == "content-type"; });
      }
      url = std::move(next).value();
      ++redirects;
      continue;
    }

    Response out;
    out.status = hop->status;
    out.final_url = url.str();
    out.redirects = redirects;
    out.not_modified = hop->status == 304;
    if (auto* v = find_header(*hop, "etag")) out.etag = *v;
    if (auto* v = find_header(*hop, "last-modified")) out.last_modified = *v;
    if (auto* v = find_header(*hop, "content-type")) out.content_type = *v;
    if (auto* v = find_header(*hop, "retry-after")) {
      out.retry_after_seconds = parse_retry_after(*v, now);
    }
    if (!out.not_modified) {
      const std::string* coding = find_header(*hop, "content-encoding");
      auto body = decode_content(coding ? *coding : "", std::move(hop->body), opt.decoded_limit);
      if (!body) {
        co_return make_error(body.error().code,
                             body.error().message + " (from " + url.authority() + ")");
      }
      out.body = std::move(body).value();
    }
    out.headers = std::move(hop->headers);
    co_return out;
  }
}

using Slot = std::shared_ptr<std::optional<Result<Response>>>;

// Catches everything (allocation failure, a library that throws) so that no exception
// leaves the client: the caller always gets a Result.
Task<void> run(Request request, ClientOptions opt, Slot slot) {
  try {
    slot->emplace(co_await fetch_all(std::move(request), std::move(opt)));
  } catch (const std::exception& e) {
    slot->emplace(make_error("http_protocol_error", std::string("HTTP client failure: ") + e.what()));
  } catch (...) {
    slot->emplace(make_error("http_protocol_error", "HTTP client failure"));
  }
}

}  // namespace

std::optional<std::string> Response::header(std::string_view name) const {
  std::string want = lower(name);
  for (const auto& [key, value] : headers) {
    if (lower(key) == want) return value;
  }
  return std::nullopt;
}

std::string default_user_agent() {
  return std::string("dealstack/") + DEALSTACK_VERSION +
         " (+price watcher; checks the prices of pages its user asked it to watch)";
}

void async_fetch(boost::asio::io_context& io, Request request, ClientOptions options,
                 FetchHandler done) {
  auto slot = std::make_shared<std::optional<Result<Response>>>();
  asio::co_spawn(io, run(std::move(request), std::move(options), slot),
                 [slot, done = std::move(done)](std::exception_ptr failure) {
                   if (failure || !*slot) {
                     done(make_error("http_protocol_error", "HTTP client failure"));
                   } else {
                     done(std::move(**slot));
                   }
                 });
}

Result<Response> fetch(const Request& request, const ClientOptions& options) {
  asio::io_context io;
  std::optional<Result<Response>> out;
  async_fetch(io, request, options, [&out](Result<Response> r) { out.emplace(std::move(r)); });
  io.run();
  if (!out) return make_error("http_protocol_error", "HTTP client stopped without a result");
  return std::move(*out);
}

}  // namespace dealstack::http
