#include "server/session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <optional>

#include "log/request_log.hpp"
#include "server/router.hpp"

namespace dealstack::backend::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, net::ssl::context& tls, ServerState& state)
      : stream_(std::move(socket), tls), state_(state) {
    ++state_.connections;
    beast::error_code ec;
    const auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    addr_ = ec ? std::string("unknown") : remote.address().to_string();
  }
  ~Session() { --state_.connections; }

  void run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->handshake(); });
  }

 private:
  using Clock = std::chrono::steady_clock;

  void handshake() {
    deadline(state_.config.header_timeout_ms);
    stream_.async_handshake(net::ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (ec) return self->close_now();
                              self->read_header();
                            });
  }

  void deadline(int ms) { beast::get_lowest_layer(stream_).expires_after(std::chrono::milliseconds(ms)); }

  void read_header() {
    if (state_.stopping) return shutdown();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_.config.max_header_bytes));
    parser_->body_limit(state_.config.max_body_bytes);
    deadline(first_ ? state_.config.header_timeout_ms : state_.config.idle_timeout_ms);
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_header(ec);
    });
  }

  void on_header(beast::error_code ec) {
    started_ = Clock::now();
    if (ec) return on_read_error(ec);
    const auto& h = parser_->get();
    method_ = std::string(h.method_string());
    path_ = std::string(log::path_of(h.target()));
    deadline(state_.config.body_timeout_ms);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
      if (method_.empty() && parser_->is_header_done()) {
        method_ = std::string(parser_->get().method_string());
        path_ = std::string(log::path_of(parser_->get().target()));
      }
      const bool body = ec == http::error::body_limit;
      keep_alive_ = false;
      drain_after_ = true;
      ++state_.in_flight;
      return send(api::error_response(
          "too_large", body ? "the body is over " + std::to_string(state_.config.max_body_bytes) + " bytes"
                            : "the request's headers are over " + std::to_string(state_.config.max_header_bytes) + " bytes"));
    }
    if (ec == http::error::bad_target || ec == http::error::bad_method || ec == http::error::bad_version ||
        ec == http::error::bad_field || ec == http::error::bad_value || ec == http::error::bad_content_length ||
        ec == http::error::bad_transfer_encoding || ec == http::error::bad_chunk || ec == http::error::bad_line_ending) {
      keep_alive_ = false;
      ++state_.in_flight;
      return send(api::error_response("invalid_request", "malformed HTTP request: " + ec.message()));
    }
    // Timeouts, resets, a client that went away: nothing to answer.
    close_now();
  }

  void on_read(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    api::Request req;
    req.method = method_;
    req.path = path_;
    req.body = std::move(msg.body());
    if (auto it = msg.find(http::field::authorization); it != msg.end()) req.authorization = std::string(it->value());
    if (auto it = msg.find(http::field::if_none_match); it != msg.end()) req.if_none_match = std::string(it->value());
    req.addr = addr_;
    ++state_.in_flight;
    auto self = shared_from_this();
    route(state_, req, [self](api::Response r) {
      net::post(self->stream_.get_executor(), [self, r = std::move(r)]() mutable { self->send(std::move(r)); });
    });
  }

  void send(api::Response r) {
    res_ = {};
    res_.version(11);
    res_.result(static_cast<http::status>(r.status));
    res_.set(http::field::server, "dealstack-server");
    if (r.status != 204 && r.status != 304) res_.set(http::field::content_type, "application/json");
    if (!r.etag.empty()) res_.set(http::field::etag, r.etag);
    if (r.retry_after > 0) res_.set(http::field::retry_after, std::to_string(r.retry_after));
    res_.set(http::field::cache_control, r.etag.empty() ? "no-store" : "no-cache");
    keep_alive_ = keep_alive_ && !state_.stopping;
    res_.keep_alive(keep_alive_);
    if (method_ == "HEAD") {
      // HEAD: the length GET would have, no body.
      if (r.status != 204 && r.status != 304) res_.content_length(r.body.size());
    } else {
      res_.body() = std::move(r.body);
      res_.prepare_payload();
    }
    status_ = r.status;
    account_ = r.account;
    error_ = std::move(r.error);
    deadline(state_.config.body_timeout_ms);
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  void on_write(beast::error_code ec) {
    --state_.in_flight;
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    log::request({method_, path_, status_, ms, res_.body().size(), addr_, account_, error_});
    method_.clear();
    path_.clear();
    if (ec) return close_now();
    if (drain_after_) return drain();
    if (!keep_alive_) return shutdown();
    first_ = false;
    read_header();
  }

  // Reads and drops what the client still sends (the rest of a too-large body) for up to 2 s,
  // so it gets to read our 413 before the connection goes.
  void drain() {
    deadline(2000);
    drained_ = 0;
    drain_some();
  }
  void drain_some() {
    stream_.async_read_some(net::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > 4 * self->state_.config.max_body_bytes) return self->close_now();
      self->drain_some();
    });
  }

  void shutdown() {
    deadline(1000);
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->close_now(); });
  }

  void close_now() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).close();
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  ServerState& state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::string addr_;
  std::string method_;
  std::string path_;
  std::string error_;
  std::optional<std::int64_t> account_;
  int status_ = 0;
  bool first_ = true;
  bool keep_alive_ = false;
  bool drain_after_ = false;
  std::size_t drained_ = 0;
  std::array<char, 16384> scratch_{};
  Clock::time_point started_{};
};

}  // namespace

void start_session(tcp::socket socket, net::ssl::context& tls, ServerState& state) {
  std::make_shared<Session>(std::move(socket), tls, state)->run();
}

}  // namespace dealstack::backend::server
