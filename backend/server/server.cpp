#include "server/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <cstdio>
#include <iostream>
#include <thread>
#include <vector>

#include "db/sqlite.hpp"
#include "log/request_log.hpp"
#include "platform/paths.hpp"
#include "server/session.hpp"
#include "server/state.hpp"
#include "server/tls_setup.hpp"

namespace dealstack::backend::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

int start_failed(const Error& e) {
  log::event("error", "start_failed", {{"code", e.code}, {"message", e.message}});
  return 1;
}

class Listener {
 public:
  Listener(net::io_context& ioc, tcp::acceptor acceptor, net::ssl::context& tls, ServerState& state)
      : ioc_(ioc), acceptor_(std::move(acceptor)), tls_(tls), state_(state) {}

  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) {
        if (state_.connections.load() >= state_.config.max_connections) {
          boost::system::error_code ignored;
          socket.close(ignored);
          log::event("warn", "connection_refused", {{"reason", "max_connections"}});
        } else {
          socket.set_option(tcp::no_delay(true), ec);
          start_session(std::move(socket), tls_, state_);
        }
      } else if (ec == net::error::no_descriptors) {
        log::event("warn", "accept_failed", {{"message", ec.message()}});
      }
      accept();
    });
  }

  void stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }

 private:
  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  net::ssl::context& tls_;
  ServerState& state_;
};

}  // namespace

int serve(const Config& config) {
  if (auto s = platform::ensure_private_dir(config.data_dir); !s) return start_failed(s.error());
  {
    // Creates and migrates the database before anything listens.
    auto db = db::Db::open(config.database());
    if (!db) return start_failed(db.error());
  }
  auto files = ensure_tls_files(config);
  if (!files) return start_failed(files.error());
  auto tls = make_tls_context(*files);
  if (!tls) return start_failed(tls.error());
  log::set_request_logging(config.log_requests);

  // Before the io_context: sessions still queued in it when it is destroyed touch the state.
  ServerState state(config);
  const int threads = config.threads > 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  net::io_context ioc(threads);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(config.address, ec);
  if (ec) return start_failed(make_error("invalid_config", "listen.address: \"" + config.address + "\" is not an IP address"));
  tcp::acceptor acceptor(ioc);
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(config.port));
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return start_failed(make_error("listen_failed", "can't listen on " + config.address + ":" +
                                                        std::to_string(config.port) + ": " + ec.message()));
  const unsigned short port = acceptor.local_endpoint().port();

  Listener listener(ioc, std::move(acceptor), **tls, state);
  listener.accept();

  nlohmann::json first = {{"event", "listening"}, {"address", config.address}, {"port", port},
                          {"ca", files->ca.empty() ? nlohmann::json(nullptr) : nlohmann::json(files->ca.string())},
                          {"data_dir", config.data_dir.string()}};
  std::fputs((first.dump() + "\n").c_str(), stdout);
  std::fflush(stdout);
  if (files->generated_now)
    log::event("info", "tls_generated", {{"ca", files->ca.string()}, {"note", "clients must trust this CA"}});
  log::event("info", "started", {{"port", port}, {"threads", threads}});

  // SIGTERM/SIGINT: stop accepting, answer what is in flight, then stop (at most 10 s).
  net::signal_set signals(ioc, SIGTERM, SIGINT);
  net::steady_timer drain_timer(ioc);
  auto stop_deadline = std::chrono::steady_clock::now();
  std::function<void()> wait_for_drain = [&] {
    if (state.in_flight.load() == 0 || std::chrono::steady_clock::now() >= stop_deadline) {
      ioc.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([&](boost::system::error_code) { wait_for_drain(); });
  };
  signals.async_wait([&](boost::system::error_code e, int signal) {
    if (e) return;
    log::event("info", "stopping", {{"signal", signal}, {"in_flight", state.in_flight.load()}});
    state.stopping = true;
    listener.stop();
    stop_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    wait_for_drain();
  });

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  state.hash_pool.stop();
  log::event("info", "stopped", {});
  return 0;
}

}  // namespace dealstack::backend::server
