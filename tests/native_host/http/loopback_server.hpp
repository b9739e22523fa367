// A real HTTP or HTTPS server on 127.0.0.1 (an ephemeral port) for the client's tests: one
// thread accepts, and each connection gets a thread of its own. Each request is read up to
// its blank line and recorded (headers by lowercased name, and the TLS server name asked for),
// then the handler's Reply is written byte for byte: with a delay, a stall part-way, or
// cut short after N bytes to simulate servers that fail. Waits are cut short when the
// server is destroyed, so a test never waits for a slow reply it no longer needs.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "test_pki.hpp"

namespace dealstack::http::testing {

struct Seen {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lowercased names
  std::string sni;                             // TLS server name sent, if any
  std::string body;                            // the request body (by Content-Length)

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool has(const std::string& name) const { return headers.count(name) != 0; }
};

struct Reply {
  Reply() = default;
  explicit Reply(std::string raw, std::chrono::milliseconds wait = std::chrono::milliseconds(0))
      : bytes(std::move(raw)), delay(wait) {}

  std::string bytes;                      // the whole raw response
  std::chrono::milliseconds delay{0};     // before the first byte
  std::size_t stall_at = std::string::npos;  // after this many bytes...
  std::chrono::milliseconds stall{0};     // ...wait this long
  std::optional<std::size_t> cut_after;   // close (no TLS close_notify) after this many bytes
};

// "HTTP/1.1 <status> X" with Content-Length and the given headers.
inline std::string http_response(int status, const std::string& body,
                                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " Test\r\n";
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

// The same with a chunked body, in chunks of `chunk` bytes.
inline std::string chunked_response(int status, const std::string& body, std::size_t chunk,
                                    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " Test\r\n";
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  out += "Transfer-Encoding: chunked\r\n\r\n";
  for (std::size_t i = 0; i < body.size(); i += chunk) {
    std::string part = body.substr(i, chunk);
    std::ostringstream size;
    size << std::hex << part.size();
    out += size.str() + "\r\n" + part + "\r\n";
  }
  return out + "0\r\n\r\n";
}

class LoopbackServer {
 public:
  using Handler = std::function<Reply(const Seen&)>;
  enum class Tls {
    none,
    on,
    accept_only,   // TCP accepted, TLS never answered
    plain_eager,   // plain HTTP that answers at once, without reading the request (as a
                   // server does to a TLS ClientHello it cannot parse)
  };

  explicit LoopbackServer(Handler handler) : LoopbackServer(std::move(handler), Tls::none, nullptr) {}
  LoopbackServer(Handler handler, const Identity& identity)
      : LoopbackServer(std::move(handler), Tls::on, &identity) {}
  LoopbackServer(Handler handler, Tls mode, const Identity* identity)
      : handler_(std::move(handler)), mode_(mode), tls_(boost::asio::ssl::context::tls_server) {
    using boost::asio::ip::tcp;
    if (identity) {
      tls_.use_certificate_chain(boost::asio::buffer(identity->cert_pem));
      tls_.use_private_key(boost::asio::buffer(identity->key_pem), boost::asio::ssl::context::pem);
    }
    acceptor_.open(tcp::v4());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }

  ~LoopbackServer() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    // Wake the blocking accept() with a connection of our own.
    boost::system::error_code ignored;
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path, const std::string& host = "127.0.0.1") const {
    bool plain = mode_ == Tls::none || mode_ == Tls::plain_eager;
    return std::string(plain ? "http" : "https") + "://" + host + ":" +
           std::to_string(port_) + path;
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  int connections() const { return connections_.load(); }

 private:
  bool stopping() {
    std::lock_guard lock(mutex_);
    return stop_;
  }

  // Sleeps up to `d`; false if the server is being destroyed.
  bool wait(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex_);
    return !wake_.wait_for(lock, d, [this] { return stop_; });
  }

  void serve() {
    using boost::asio::ip::tcp;
    std::vector<std::thread> workers;
    while (true) {
      auto socket = std::make_shared<tcp::socket>(io_);
      boost::system::error_code ec;
      acceptor_.accept(*socket, ec);
      if (stopping()) break;
      if (ec) continue;
      ++connections_;
      workers.emplace_back([this, socket] { serve_one(*socket); });
    }
    for (auto& w : workers) w.join();
  }

  void serve_one(boost::asio::ip::tcp::socket& socket) {
    boost::system::error_code ec;
    socket.set_option(boost::asio::ip::tcp::no_delay(true), ec);
    if (mode_ == Tls::none) {
      handle(socket, socket, "");
    } else if (mode_ == Tls::accept_only) {
      wait(std::chrono::seconds(10));
    } else if (mode_ == Tls::plain_eager) {
      Reply reply;
      {
        std::lock_guard lock(handler_mutex_);
        reply = handler_(Seen{});
      }
      boost::asio::write(socket, boost::asio::buffer(reply.bytes), ec);
      socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    } else {
      boost::asio::ssl::stream<boost::asio::ip::tcp::socket&> tls(socket, tls_);
      tls.handshake(boost::asio::ssl::stream_base::server, ec);
      if (!ec) {
        const char* sni = SSL_get_servername(tls.native_handle(), TLSEXT_NAMETYPE_host_name);
        handle(tls, socket, sni ? sni : "");
      }
    }
    socket.close(ec);
  }

  template <class Stream>
  void handle(Stream& stream, boost::asio::ip::tcp::socket& socket, std::string sni) {
    boost::system::error_code ec;
    boost::asio::streambuf buf;
    boost::asio::read_until(stream, buf, "\r\n\r\n", ec);
    if (ec) return;
    std::string head(boost::asio::buffers_begin(buf.data()), boost::asio::buffers_end(buf.data()));
    std::string rest;  // bytes read past the header: the body's start
    if (auto end = head.find("\r\n\r\n"); end != std::string::npos) {
      rest = head.substr(end + 4);
      head.resize(end + 4);
    }
    Seen seen;
    seen.sni = std::move(sni);
    std::istringstream in(head);
    std::string line;
    std::getline(in, line);
    std::istringstream request_line(line);
    request_line >> seen.method >> seen.target;
    while (std::getline(in, line) && line != "\r") {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      seen.headers[name] = value;
    }
    if (seen.has("content-length")) {
      const std::size_t want = std::stoul(seen.header("content-length"));
      if (rest.size() < want) {
        std::string more(want - rest.size(), '\0');
        boost::asio::read(stream, boost::asio::buffer(more), ec);
        if (ec) return;
        rest += more;
      }
      seen.body = rest.substr(0, want);
    }
    {
      std::lock_guard lock(mutex_);
      seen_.push_back(seen);
    }
    Reply reply;
    {
      std::lock_guard lock(handler_mutex_);  // handlers need not be thread-safe
      reply = handler_(seen);
    }
    if (reply.delay.count() > 0 && !wait(reply.delay)) return;
    std::size_t total = reply.cut_after ? std::min(*reply.cut_after, reply.bytes.size()) : reply.bytes.size();
    std::size_t first = std::min(total, reply.stall_at);
    boost::asio::write(stream, boost::asio::buffer(reply.bytes.data(), first), ec);
    if (ec) return;
    if (first < total) {
      if (!wait(reply.stall)) return;
      boost::asio::write(stream, boost::asio::buffer(reply.bytes.data() + first, total - first), ec);
      if (ec) return;
    }
    if (reply.cut_after) return;  // an abrupt close, without TLS close_notify
    if constexpr (!std::is_same_v<Stream, boost::asio::ip::tcp::socket>) stream.shutdown(ec);
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  }

  Handler handler_;
  std::mutex handler_mutex_;
  Tls mode_;
  boost::asio::io_context io_;
  boost::asio::ssl::context tls_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::vector<Seen> seen_;
  std::atomic<int> connections_{0};
};

}  // namespace dealstack::http::testing
