// The agent's HTTP(S) client for price checks and sync: Boost.Beast over OpenSSL, asynchronous
// (many requests on one thread), one request per call (GET by default; POST, PUT, PATCH and
// DELETE with a body for the sync server) with redirects followed.
//
// Safety controls, each set explicitly on every request:
//   - a deadline before every step: resolve, connect, tls_handshake, write_request,
//     read_header, read_body (ClientOptions' *_timeout fields)
//   - TLS 1.2+ with peer verification against the system trust store (plus an optional
//     extra CA file), host name (or IP) verification of the certificate, SNI
//   - header and body limits (on the wire and after decoding: zip bombs stop at the cap)
//   - at most max_redirects redirects, and never from https to http; a 303 (and a 301/302
//     answering a POST) continues as a GET without the body, a 307/308 repeats the method
//     and body
//   - secrets (cookies, per-host credential headers) are never put in error messages, and
//     credentials from the provider go over https only
//
// Errors (stable codes): "bad_url", "bad_header", "dns_failed", "connect_failed",
// "tls_failed" (message says why: expired, host name mismatch, unknown issuer, self-signed,
// CA file unreadable), "timeout" (message names the step), "too_many_redirects",
// "insecure_redirect", "header_too_large", "body_too_large", "bad_encoding",
// "http_protocol_error" (malformed response, connection closed mid-response; over TLS a
// body that ends with the connection must end with close_notify, or a cut-short page could
// be read as a whole one).
// HTTP error statuses (404, 429, 503...) are not errors: they come back as a Response.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "http/cookie_jar.hpp"

namespace boost::asio {
class io_context;
}

namespace dealstack::http {

struct Request {
  std::string url;  // absolute http:// or https:// URL
  // Extra request headers (names case-insensitive). They may replace User-Agent and
  // Accept, but not Host, Connection, Accept-Encoding, Content-Length, Transfer-Encoding
  // (refused with "bad_header"). Cookie and Authorization here are dropped when a
  // redirect leaves the original host.
  std::map<std::string, std::string> headers;
  std::optional<std::string> etag;           // sent as If-None-Match (from an earlier Response)
  std::optional<std::string> last_modified;  // sent as If-Modified-Since, verbatim
  // Last, so that existing aggregate initialisers {url, headers, etag, last_modified} keep
  // their meaning.
  // GET (default), HEAD, POST, PUT, PATCH or DELETE; anything else is "bad_method".
  std::string method = "GET";
  // Sent with a Content-Length (any method but GET and HEAD, which refuse a non-empty body
  // with "bad_method"); at most ClientOptions::request_body_limit ("body_too_large").
  // Content-Type comes from `headers` (default "application/json" when a body is sent).
  std::string body;
};

struct Response {
  int status = 0;
  std::string final_url;  // after redirects
  std::vector<std::pair<std::string, std::string>> headers;  // final response, as received
  std::string body;  // after Content-Encoding is undone; empty for 304
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> content_type;
  // Retry-After (on 429, 503 or any response) in seconds from now, from either form.
  std::optional<std::int64_t> retry_after_seconds;
  int redirects = 0;          // redirects followed to reach final_url
  bool not_modified = false;  // 304: the validators sent still match

  // First header of that name (case-insensitive), if any.
  std::optional<std::string> header(std::string_view name) const;
};

// Per-host secrets for member prices (values come from the vault): extra headers and
// cookies sent to exactly this host (lowercased, as in the URL), over https only.
struct HostCredentials {
  std::map<std::string, std::string> headers;
  std::map<std::string, std::string> cookies;  // name -> value; override jar cookies
};
using CredentialsProvider = std::function<HostCredentials(const std::string& host)>;

// "dealstack/<version> (+price watcher; ...)": who we are, truthfully.
std::string default_user_agent();

struct ClientOptions {
  // Deadlines per step, in milliseconds. read_header covers the status line and headers,
  // read_body the whole body (so a server trickling bytes cannot hold us longer).
  std::chrono::milliseconds resolve_timeout{5000};
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  std::chrono::milliseconds read_header_timeout{15000};
  std::chrono::milliseconds read_body_timeout{30000};
  int max_redirects = 5;                       // redirects followed; one more is an error
  std::uint32_t header_limit = 64 * 1024;      // bytes of status line + headers
  std::uint64_t body_limit = 8 * 1024 * 1024;  // bytes of body on the wire (compressed)
  std::size_t request_body_limit = 16 * 1024 * 1024;  // bytes of Request::body we send
  std::size_t decoded_limit = 8 * 1024 * 1024; // bytes of body after decoding
  std::string user_agent = default_user_agent();
  // An extra PEM file of trusted CAs, added to the system store (tests use their own CA).
  std::optional<std::string> ca_file;
  // Cookies kept between calls; null = a fresh jar per call (still used across redirects).
  std::shared_ptr<CookieJar> cookies;
  // Credentials per host; null = none.
  CredentialsProvider credentials;
};

using FetchHandler = std::function<void(Result<Response>)>;

// Starts the request on `io`; `done` is called exactly once, from `io`'s run(), with the response
// or an error. Many fetches may run on one io_context at once.
void async_fetch(boost::asio::io_context& io, Request request, ClientOptions options,
                 FetchHandler done);

// The same, blocking: runs its own io_context until the fetch completes.
Result<Response> fetch(const Request& request, const ClientOptions& options);

}  // namespace dealstack::http
