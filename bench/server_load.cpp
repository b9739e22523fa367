// server_load: requests per second that dealstack-server answers on loopback, beside a
// baseline measured in the same run. Native only; bench/run.mjs (part "server") runs it.
//
// It starts the real bin/dealstack-server (a temporary data folder, port 0, request logs off,
// rate limits off, `--server-threads` I/O threads), imports a one-retailer offers feed with
// `admin offers import`, registers and logs in one account, then drives `--connections`
// keep-alive TLS connections (one request outstanding each, `--client-threads` threads) for
// `--seconds` per measurement:
//   health  GET /v1/health                                  -> 200
//   offers  GET /v1/offers/shop.example, If-None-Match ETag -> 304
//   sync    POST /v1/sync {"cursor":N} with a bearer token  -> 200 (an empty push)
// The baseline is a minimal Beast HTTPS server inside this binary (same certificate and key,
// same TLS settings, same number of threads) that answers every request 200 with a 16-byte
// JSON body: the cost of TLS + HTTP on this machine, so ratio = server / baseline.
// Prints one JSON object on stdout.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <utility>  // before Asio: its C++20 awaitable.hpp uses std::exchange

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Json = nlohmann::json;

namespace {

struct Options {
  std::string server;
  double seconds = 3;
  int connections = 32;
  int client_threads = 2;
  int server_threads = 2;
  std::string only;  // run just the scenarios whose name contains this (profiling)
};

[[noreturn]] void die(const std::string& why) {
  std::cerr << "server_load: " << why << "\n";
  std::exit(1);
}

// ---- the baseline server --------------------------------------------------------------

class BaselineSession : public std::enable_shared_from_this<BaselineSession> {
 public:
  BaselineSession(tcp::socket s, ssl::context& ctx) : stream_(std::move(s), ctx) {}
  void run() {
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->read();
    });
  }

 private:
  void read() {
    req_ = {};
    http::async_read(stream_, buf_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->res_ = {http::status::ok, 11};
      self->res_.set(http::field::content_type, "application/json");
      self->res_.body() = R"({"status":"ok"})";
      self->res_.keep_alive(self->req_.keep_alive());
      self->res_.prepare_payload();
      http::async_write(self->stream_, self->res_, [self](beast::error_code ec, std::size_t) {
        if (!ec) self->read();
      });
    });
  }
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
};

struct Baseline {
  net::io_context ioc;
  ssl::context ctx{ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  unsigned short port = 0;

  Baseline(const std::filesystem::path& cert, const std::filesystem::path& key, int n) {
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                    ssl::context::single_dh_use);
    ctx.use_certificate_chain_file(cert.string());
    ctx.use_private_key_file(key.string(), ssl::context::pem);
    const tcp::endpoint ep(net::ip::make_address("127.0.0.1"), 0);
    acceptor.open(ep.protocol());
    acceptor.set_option(net::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    port = acceptor.local_endpoint().port();
    accept();
    for (int i = 0; i < n; ++i) threads.emplace_back([this] { ioc.run(); });
  }
  void accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      s.set_option(tcp::no_delay(true));
      std::make_shared<BaselineSession>(std::move(s), ctx)->run();
      accept();
    });
  }
  ~Baseline() {
    ioc.stop();
    for (auto& t : threads) t.join();
  }
};

// ---- the load generator ---------------------------------------------------------------

struct Scenario {
  std::string name;
  http::verb method = http::verb::get;
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  unsigned expect = 200;
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  Client(net::io_context& ioc, ssl::context& ctx, std::atomic<std::uint64_t>& done, std::atomic<std::uint64_t>& bad,
         std::atomic<bool>& stop)
      : stream_(net::make_strand(ioc), ctx), done_(done), bad_(bad), stop_(stop) {}

  void connect(unsigned short port) {
    beast::get_lowest_layer(stream_).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    beast::get_lowest_layer(stream_).socket().set_option(tcp::no_delay(true));
    SSL_set_tlsext_host_name(stream_.native_handle(), "localhost");
    stream_.set_verify_callback(ssl::host_name_verification("localhost"));
    stream_.handshake(ssl::stream_base::client);
  }

  void start(const Scenario& s) {
    req_ = {s.method, s.target, 11};
    req_.set(http::field::host, "localhost");
    for (const auto& [k, v] : s.headers) req_.set(k, v);
    if (!s.body.empty()) {
      req_.set(http::field::content_type, "application/json");
      req_.body() = s.body;
    }
    req_.keep_alive(true);
    req_.prepare_payload();
    expect_ = s.expect;
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->send(); });
  }

 private:
  void send() {
    if (stop_) return;
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->failed();
      self->res_ = {};
      http::async_read(self->stream_, self->buf_, self->res_, [self](beast::error_code ec, std::size_t) {
        if (ec) return self->failed();
        if (self->res_.result_int() == self->expect_) ++self->done_;
        else ++self->bad_;
        self->send();
      });
    });
  }
  void failed() { ++bad_; }

  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buf_;
  http::request<http::string_body> req_;
  http::response<http::string_body> res_;
  unsigned expect_ = 200;
  std::atomic<std::uint64_t>& done_;
  std::atomic<std::uint64_t>& bad_;
  std::atomic<bool>& stop_;
};

struct Measured {
  double rps = 0;
  std::uint64_t requests = 0;
  std::uint64_t unexpected = 0;
};

// N connections (made first, outside the timed window), a 0.3 s warm-up, then `seconds`.
Measured measure(unsigned short port, const std::filesystem::path& ca, const Scenario& s, const Options& o) {
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(ca.string());
  ctx.set_verify_mode(ssl::verify_peer);
  std::atomic<std::uint64_t> done{0}, bad{0};
  std::atomic<bool> stop{false};
  std::vector<std::shared_ptr<Client>> clients;
  for (int i = 0; i < o.connections; ++i) {
    auto c = std::make_shared<Client>(ioc, ctx, done, bad, stop);
    try {
      c->connect(port);
    } catch (const std::exception& e) {
      die(std::string("connect: ") + e.what());
    }
    clients.push_back(c);
  }
  for (auto& c : clients) c->start(s);
  auto guard = net::make_work_guard(ioc);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.client_threads; ++i) threads.emplace_back([&] { ioc.run(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto d0 = done.load();
  const auto b0 = bad.load();
  const auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  const auto d1 = done.load();
  const auto b1 = bad.load();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop = true;
  guard.reset();
  ioc.stop();
  for (auto& t : threads) t.join();
  return {static_cast<double>(d1 - d0) / secs, d1 - d0, b1 - b0};
}

// One blocking HTTPS request for the set-up.
http::response<http::string_body> once(unsigned short port, const std::filesystem::path& ca, http::verb method,
                                       const std::string& target, const std::string& body,
                                       const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  net::io_context ioc;
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(ca.string());
  ctx.set_verify_mode(ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  SSL_set_tlsext_host_name(stream.native_handle(), "localhost");
  stream.handshake(ssl::stream_base::client);
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "localhost");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(stream, buf, res);
  beast::error_code ignored;
  stream.shutdown(ignored);
  return res;
}

int run_child(const std::vector<std::string>& args, bool quiet) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (quiet) {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
    }
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    const std::string v = argv[i + 1];
    if (k == "--server") o.server = v;
    else if (k == "--seconds") o.seconds = std::stod(v);
    else if (k == "--connections") o.connections = std::stoi(v);
    else if (k == "--client-threads") o.client_threads = std::stoi(v);
    else if (k == "--server-threads") o.server_threads = std::stoi(v);
    else if (k == "--only") o.only = v;
    else die("unknown option " + k);
  }
  if (o.server.empty()) die("usage: server_load --server PATH [--seconds S] [--connections N] [--client-threads T] [--server-threads T]");
  ::signal(SIGPIPE, SIG_IGN);

  char tmpl[] = "/tmp/dealstack-server-bench-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) die("mkdtemp failed");
  const std::filesystem::path dir = tmpl;
  const auto data = dir / "data";
  const auto config = dir / "server.json";
  std::ofstream(config) << Json{{"listen", {{"address", "127.0.0.1"}, {"port", 0}}},
                                {"data_dir", data.string()},
                                {"threads", o.server_threads},
                                {"log_requests", false},
                                {"accounts", {{"scrypt_log2_n", 12}}},
                                {"rate_limits", {{"per_address", {{"per_second", 0}}},
                                                 {"per_account", {{"per_second", 0}}},
                                                 {"auth_per_address", {{"per_minute", 0}}}}}}
                               .dump();
  std::ofstream(dir / "feed.json") << R"({"retailers":[{"retailer":"shop.example","currency":"USD","offers":[
    {"id":"spring20","kind":"code","code":"SPRING20","discount":{"type":"percent","percent":"20"}},
    {"id":"ship","kind":"promotion","discount":{"type":"amount","amount":"5.00"},"min_spend":"50.00"}]}]})";
  if (run_child({o.server, "admin", "offers", "import", (dir / "feed.json").string(), "--config", config.string()}, true) != 0)
    die("admin offers import failed");

  // The server, its first stdout line read through a pipe.
  int out[2];
  if (::pipe(out) != 0) die("pipe failed");
  const pid_t server = ::fork();
  if (server == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::execl(o.server.c_str(), o.server.c_str(), "serve", "--config", config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  char ch;
  while (::read(out[0], &ch, 1) == 1 && ch != '\n') line.push_back(ch);
  const Json first = Json::parse(line, nullptr, false);
  if (first.is_discarded() || !first.contains("port")) die("the server did not start: " + line);
  const unsigned short port = first["port"].get<unsigned short>();
  const std::filesystem::path ca = first["ca"].get<std::string>();

  const std::string auth_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  auto reg = once(port, ca, http::verb::post, "/v1/accounts", R"({"email":"bench@example.org","auth_key":")" + auth_key + "\"}");
  if (reg.result_int() != 201) die("register: " + reg.body());
  auto login = once(port, ca, http::verb::post, "/v1/sessions",
                    R"({"email":"bench@example.org","auth_key":")" + auth_key + R"(","device":"bench"})");
  if (login.result_int() != 201) die("login: " + login.body());
  const std::string token = Json::parse(login.body())["token"];
  // A few records so the sync answer reads the account's state, not an empty table.
  Json push = Json::array();
  for (int i = 0; i < 100; ++i) push.push_back({{"id", "w/" + std::to_string(i)}, {"base_version", 0}, {"blob", "eA=="}});
  auto pushed = once(port, ca, http::verb::post, "/v1/sync", Json{{"push", push}}.dump(), {{"authorization", "Bearer " + token}});
  if (pushed.result_int() != 200) die("push: " + pushed.body());
  const auto cursor = Json::parse(pushed.body())["cursor"].get<std::int64_t>();
  auto offers = once(port, ca, http::verb::get, "/v1/offers/shop.example", "");
  const std::string etag = std::string(offers[http::field::etag]);
  if (offers.result_int() != 200 || etag.empty()) die("offers: " + offers.body());

  const std::vector<Scenario> scenarios = {
      {"GET /v1/health", http::verb::get, "/v1/health", "", {}, 200},
      {"GET /v1/offers/{retailer} (304)", http::verb::get, "/v1/offers/shop.example", "", {{"if-none-match", etag}}, 304},
      {"POST /v1/sync (empty push)", http::verb::post, "/v1/sync", Json{{"cursor", cursor}}.dump(),
       {{"authorization", "Bearer " + token}}, 200},
  };

  Json results = Json::array();
  {
    Baseline baseline(data / "tls/server.pem", data / "tls/server.key", o.server_threads);
    const Scenario base{"baseline", http::verb::get, "/x", "", {}, 200};
    for (const auto& s : scenarios) {
      if (!o.only.empty() && s.name.find(o.only) == std::string::npos) continue;
      // Interleaved, so a change in the machine's load hits both sides of each ratio.
      const Measured b = measure(baseline.port, ca, base, o);
      const Measured m = measure(port, ca, s, o);
      results.push_back({{"name", s.name}, {"rps", m.rps}, {"requests", m.requests}, {"unexpected", m.unexpected},
                         {"baseline_rps", b.rps}, {"ratio", b.rps > 0 ? m.rps / b.rps : 0.0}});
    }
  }
  ::kill(server, SIGTERM);
  int status = 0;
  ::waitpid(server, &status, 0);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  std::cout << Json{{"connections", o.connections}, {"seconds", o.seconds}, {"server_threads", o.server_threads},
                    {"client_threads", o.client_threads}, {"cpus", std::thread::hardware_concurrency()},
                    {"results", results}}
                   .dump()
            << "\n";
  return 0;
}
