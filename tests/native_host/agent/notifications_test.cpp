// Alerts reach the desktop when no browser listens: the real `dealstack agent` (a child
// process) on a real session bus (dbus-daemon) with a real notification server, checking a
// real loopback shop. With a browser's host connected, the extension gets the alert and the
// desktop stays quiet.
#include "agent/agent.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "messaging/frame.hpp"
#include "messaging/stream.hpp"
#include "native_host/http/loopback_server.hpp"
#include "native_host/notify/session_bus.hpp"

extern char** environ;

namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using dealstack::http::testing::http_response;
using dealstack::http::testing::LoopbackServer;
using dealstack::http::testing::Reply;
using dealstack::http::testing::Seen;
using dealstack::notify::testing::BusDaemon;
using dealstack::notify::testing::NotificationServer;

constexpr const char* kOrigin = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/";

std::string page(const std::string& price) {
  return R"(<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"Product",)"
         R"("name":"Steel Kettle 1.7 l","offers":{"@type":"Offer","price":")" +
         price + R"(","priceCurrency":"EUR","availability":"https://schema.org/InStock"}}</script></head>)"
                 R"(<body><h1>Steel Kettle 1.7 l</h1></body></html>)";
}

// A process started with its own environment; killed and reaped at the end.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::vector<std::string>& env, bool pipes = false) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (pipes) {
      REQUIRE(::pipe(to_child_) == 0);
      REQUIRE(::pipe(from_child_) == 0);
      posix_spawn_file_actions_adddup2(&actions, to_child_[0], 0);
      posix_spawn_file_actions_adddup2(&actions, from_child_[1], 1);
      posix_spawn_file_actions_addclose(&actions, to_child_[1]);
      posix_spawn_file_actions_addclose(&actions, from_child_[0]);
    }
    REQUIRE(::posix_spawn(&pid_, args[0].c_str(), &actions, nullptr, argv.data(), envp.data()) == 0);
    posix_spawn_file_actions_destroy(&actions);
    if (pipes) {
      ::close(to_child_[0]);
      ::close(from_child_[1]);
    }
  }
  ~Child() {
    if (pipes_open()) {
      ::close(to_child_[1]);
      ::close(from_child_[0]);
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  int in() const { return to_child_[1]; }
  int out() const { return from_child_[0]; }

 private:
  bool pipes_open() const { return to_child_[1] >= 0; }
  pid_t pid_ = -1;
  int to_child_[2] = {-1, -1};
  int from_child_[2] = {-1, -1};
};

int connect_socket(const fs::path& path) {
  for (int i = 0; i < 300; ++i) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    ::close(fd);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("the agent's socket never answered: " << path);
  return -1;
}

// Sends one request and reads frames (events skipped) until its reply.
json call(dealstack::messaging::ByteStream& stream, dealstack::messaging::FrameDecoder& decoder,
          dealstack::messaging::ByteOrder order, const json& request) {
  REQUIRE(dealstack::messaging::write_frame(stream, request.dump(), order).ok());
  for (;;) {
    auto frame = dealstack::messaging::read_frame(stream, decoder);
    REQUIRE(frame.ok());
    REQUIRE(frame->has_value());
    json j = json::parse(**frame);
    if (j.contains("id") && j["id"] == request["id"]) return j;
  }
}

struct Home {
  dealstack::notify::testing::TempDir dir;
  fs::path runtime() const { return dir.path() / "run"; }
  std::vector<std::string> env(const std::string& bus) const {
    return {"HOME=" + dir.path().string(),
            "XDG_RUNTIME_DIR=" + runtime().string(),
            "XDG_DATA_HOME=" + (dir.path() / "data").string(),
            "XDG_CONFIG_HOME=" + (dir.path() / "config").string(),
            "DBUS_SESSION_BUS_ADDRESS=" + bus,
            "PATH=/usr/bin:/bin"};
  }
  Home() {
    fs::create_directories(runtime());
    fs::permissions(runtime(), fs::perms::owner_all, fs::perm_options::replace);
    fs::create_directories(dir.path() / "config" / "dealstack");
    std::ofstream(dir.path() / "config" / "dealstack" / "agent.json") << R"({"monitor":{"min_host_gap_ms":0}})";
    std::ofstream(dir.path() / "config" / "dealstack" / "allowed_origins.json")
        << R"({"allowed":[")" << kOrigin << R"("]})";
  }
};

}  // namespace

TEST_CASE("an alert with no browser connected becomes one desktop notification; with a browser, none") {
  Home home;
  BusDaemon bus(home.dir.path());
  NotificationServer desktop(bus.address(), NotificationServer::Mode::answer);
  std::atomic<int> price_cents{3999};
  LoopbackServer shop([&](const Seen&) {
    const int c = price_cents.load();
    return Reply(http_response(200, page(std::to_string(c / 100) + "." + (c % 100 < 10 ? "0" : "") +
                                         std::to_string(c % 100)),
                               {{"Content-Type", "text/html; charset=utf-8"}}));
  });
  const std::string url = "http://127.0.0.1:" + std::to_string(shop.port()) + "/p/kettle";

  Child agent({DEALSTACK_BINARY, "agent"}, home.env(bus.address()));
  const int fd = connect_socket(home.runtime() / "dealstack" / "agent.sock");
  dealstack::messaging::FdStream cli(fd, fd);
  dealstack::messaging::FrameDecoder decoder(dealstack::messaging::ByteOrder::big, 1 << 20);
  const auto big = dealstack::messaging::ByteOrder::big;

  json added = call(cli, decoder, big,
                    {{"id", 1}, {"method", "watch.add"},
                     {"params", {{"url", url}, {"target_price", "35.00"}, {"currency", "EUR"}}}});
  REQUIRE(added.contains("result"));
  const auto id = added["result"]["id"].get<std::int64_t>();
  json first = call(cli, decoder, big, {{"id", 2}, {"method", "watch.check"}, {"params", {{"id", id}}}});
  REQUIRE_MESSAGE(first.contains("result"), first.dump());
  CHECK(first["result"]["alert"].is_null());

  SUBCASE("only the CLI is connected: the desktop shows the alert") {
    price_cents = 2999;
    json second = call(cli, decoder, big, {{"id", 3}, {"method", "watch.check"}, {"params", {{"id", id}}}});
    REQUIRE_MESSAGE(second.contains("result"), second.dump());
    REQUIRE(second["result"]["alert"].is_object());
    REQUIRE(desktop.wait_for_calls(1));
    const auto calls = desktop.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].app_name == "dealstack");
    CHECK(calls[0].summary == "Price alert: Steel Kettle 1.7 l");
    CHECK(calls[0].body.find("29.99 EUR") != std::string::npos);
    CHECK(calls[0].body.find(url) != std::string::npos);  // the page, as a link
    // The next identical check raises nothing, so nothing more reaches the desktop.
    json third = call(cli, decoder, big, {{"id", 4}, {"method", "watch.check"}, {"params", {{"id", id}}}});
    CHECK(third["result"]["alert"].is_null());
    CHECK_FALSE(desktop.wait_for_calls(2, std::chrono::milliseconds(500)));
  }

  SUBCASE("a browser's host is connected: the extension gets the event, the desktop nothing") {
    Child host({DEALSTACK_BINARY, kOrigin}, home.env(bus.address()), true);
    dealstack::messaging::FdStream browser(host.out(), host.in());
    dealstack::messaging::FrameDecoder from_host(dealstack::messaging::ByteOrder::native, 1 << 20);
    const auto native = dealstack::messaging::ByteOrder::native;
    json hello = call(browser, from_host, native, {{"id", "h"}, {"method", "hello"}});
    REQUIRE(hello.contains("result"));  // the host is connected to the agent now

    price_cents = 2999;
    json second = call(cli, decoder, big, {{"id", 3}, {"method", "watch.check"}, {"params", {{"id", id}}}});
    REQUIRE(second["result"]["alert"].is_object());
    // The alert event reaches the browser.
    bool got_alert = false;
    for (int i = 0; i < 10 && !got_alert; ++i) {
      auto frame = dealstack::messaging::read_frame(browser, from_host);
      REQUIRE(frame.ok());
      REQUIRE(frame->has_value());
      const json j = json::parse(**frame);
      got_alert = j.value("event", "") == "alert" && j["data"]["price"] == "29.99";
    }
    CHECK(got_alert);
    CHECK_FALSE(desktop.wait_for_calls(1, std::chrono::milliseconds(500)));
  }
  ::close(fd);
}
