#include "notify/send.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "session_bus.hpp"

using namespace dealstack::notify;
using namespace dealstack::notify::testing;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

// An environment with only the given variables (never the test machine's own bus).
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

NotifyOptions on_bus(const std::string& address, std::int32_t timeout_ms = 5000) {
  NotifyOptions o;
  o.bus_address = address;
  o.env = env_of({});
  o.timeout_ms = timeout_ms;
  return o;
}

Notification alert(const std::string& summary = "Price drop") {
  Notification n;
  n.summary = summary;
  n.body = "Now 19.99 EUR";
  return n;
}

std::string code_of(const dealstack::Result<std::uint32_t>& r) { return r.ok() ? "ok" : r.error().code; }

bool process_gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

TEST_CASE("Notify arrives with every field as sent and the server's id comes back") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::answer, 1000);

  Notification n;
  n.summary = "Tom & Jerry <DVD> -20 %";
  n.body = "Was <s>29.99</s> & now 23.99 EUR";
  n.app_icon = "dialog-information";
  n.expire_timeout_ms = 8000;
  n.urgency = Urgency::critical;
  n.url = "https://shop.example/dvd?id=7&x=1";
  NotifyOptions o = on_bus(bus.address());
  o.app_name = "dealstack-test";
  auto id = send_notification(n, o);
  REQUIRE_MESSAGE(id.ok(), id.error().message);

  const auto calls = server.calls();
  REQUIRE(calls.size() == 1);
  const NotifyCall& c = calls[0];
  CHECK(*id == c.answered_id);
  CHECK(*id == 1000);
  CHECK(c.app_name == "dealstack-test");
  CHECK(c.replaces_id == 0);
  CHECK(c.app_icon == "dialog-information");
  CHECK(c.summary == "Tom & Jerry <DVD> -20 %");  // the summary is plain text, never markup
  CHECK(c.body ==
        "Was &lt;s&gt;29.99&lt;/s&gt; &amp; now 23.99 EUR\n"
        "<a href=\"https://shop.example/dvd?id=7&amp;x=1\">https://shop.example/dvd?id=7&amp;x=1</a>");
  CHECK(c.actions.empty());
  REQUIRE(c.urgency.has_value());
  CHECK(*c.urgency == 2);
  CHECK(c.expire_timeout == 8000);
}

TEST_CASE("each urgency and the default expiry reach the server, with a new id each time") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::answer, 5);
  const Urgency levels[] = {Urgency::low, Urgency::normal, Urgency::critical};
  std::vector<std::uint32_t> ids;
  for (Urgency u : levels) {
    Notification n = alert();
    n.urgency = u;
    auto id = send_notification(n, on_bus(bus.address()));
    REQUIRE_MESSAGE(id.ok(), id.error().message);
    ids.push_back(*id);
  }
  const auto calls = server.calls();
  REQUIRE(calls.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(ids[i] == calls[i].answered_id);
    REQUIRE(calls[i].urgency.has_value());
    CHECK(*calls[i].urgency == static_cast<int>(levels[i]));
    CHECK(calls[i].expire_timeout == -1);
    CHECK(calls[i].app_name == "dealstack");
    CHECK(calls[i].body == "Now 19.99 EUR");
  }
  CHECK(ids == std::vector<std::uint32_t>{5, 6, 7});
}

TEST_CASE("invalid UTF-8 and control characters are cleaned, not refused by D-Bus") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::answer);
  Notification n = alert("caf\xE9 \x01 deal");  // Latin-1 é, and a control character
  n.body = std::string("nul\0byte", 8);
  auto id = send_notification(n, on_bus(bus.address()));
  REQUIRE_MESSAGE(id.ok(), id.error().message);
  const auto calls = server.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].summary == "caf\xEF\xBF\xBD   deal");
  CHECK(calls[0].body == "nul byte");
}

TEST_CASE("a long summary and body arrive cut at a character boundary") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::answer);
  std::string long_text;
  for (int i = 0; i < 5000; ++i) long_text += "\xE2\x82\xAC";  // €, 3 bytes each
  Notification n = alert(long_text);
  n.body = long_text;
  NotifyOptions o = on_bus(bus.address());
  o.limits.max_summary_bytes = 100;
  o.limits.max_body_bytes = 1000;
  auto id = send_notification(n, o);
  REQUIRE_MESSAGE(id.ok(), id.error().message);
  const auto calls = server.calls();
  REQUIRE(calls.size() == 1);
  // 32 € (96 bytes) + the ellipsis fit in 100 (33 would need 102); 332 € (996 bytes) + the
  // ellipsis fit in 1000.
  CHECK(calls[0].summary.size() == 32 * 3 + 3);
  CHECK(calls[0].body.size() == 332 * 3 + 3);
  CHECK(calls[0].body.compare(calls[0].body.size() - 3, 3, "\xE2\x80\xA6") == 0);
}

TEST_CASE("the address comes from DBUS_SESSION_BUS_ADDRESS, else XDG_RUNTIME_DIR/bus") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::answer);

  NotifyOptions o;
  o.env = env_of({{"DBUS_SESSION_BUS_ADDRESS", bus.address()}});
  CHECK(session_bus_address(o).value() == bus.address());
  auto id = send_notification(alert("via DBUS_SESSION_BUS_ADDRESS"), o);
  CHECK_MESSAGE(id.ok(), code_of(id));

  o.env = env_of({{"XDG_RUNTIME_DIR", dir.path().string()}});
  CHECK(session_bus_address(o).value() == "unix:path=" + (dir.path() / "bus").string());
  id = send_notification(alert("via XDG_RUNTIME_DIR"), o);
  CHECK_MESSAGE(id.ok(), code_of(id));

  const auto calls = server.calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].summary == "via DBUS_SESSION_BUS_ADDRESS");
  CHECK(calls[1].summary == "via XDG_RUNTIME_DIR");
}

TEST_CASE("no session bus: nothing set, no socket, nobody listening, or a garbled address") {
  TempDir dir;
  NotifyOptions o;
  o.env = env_of({});
  auto r = send_notification(alert(), o);
  CHECK(code_of(r) == "no_session_bus");

  o.env = env_of({{"XDG_RUNTIME_DIR", dir.path().string()}});
  r = send_notification(alert(), o);
  REQUIRE(code_of(r) == "no_session_bus");
  CHECK(r.error().message.find("/bus") != std::string::npos);

  r = send_notification(alert(), on_bus("unix:path=" + (dir.path() / "missing").string()));
  CHECK(code_of(r) == "no_session_bus");

  r = send_notification(alert(), on_bus("not-a-dbus-address"));
  CHECK(code_of(r) == "no_session_bus");
  r = send_notification(alert(), on_bus(""));  // empty option: falls back to the (empty) env
  CHECK(code_of(r) == "no_session_bus");

  {
    // A socket file that nobody listens on any more.
    DeafSocket gone(dir.path() / "stale", false);
  }
  r = send_notification(alert(), on_bus("unix:path=" + (dir.path() / "stale").string()));
  CHECK(code_of(r) == "no_session_bus");
}

TEST_CASE("transports other than unix: are refused before connecting") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::answer);
  const std::vector<std::string> refused = {"autolaunch:", "tcp:host=localhost,port=1", "unixexec:path=/bin/true",
                                            "tcp:host=localhost,port=1;" + bus.address()};
  for (const std::string& address : refused) {
    CAPTURE(address);
    auto r = send_notification(alert(), on_bus(address));
    REQUIRE(code_of(r) == "no_session_bus");
    CHECK(r.error().message.find("only unix: is supported") != std::string::npos);
  }
  CHECK(server.calls().empty());
  // Several unix: entries are fine (libdbus tries them in order).
  auto r = send_notification(alert(), on_bus("unix:path=" + (dir.path() / "missing").string() + ";" + bus.address()));
  CHECK_MESSAGE(r.ok(), code_of(r));
}

TEST_CASE("a bus that hangs up during authentication is no session bus") {
  TempDir dir;
  DeafSocket rude(dir.path() / "rude", /*hang_up=*/true);
  auto r = send_notification(alert(), on_bus("unix:path=" + (dir.path() / "rude").string(), 3000));
  CHECK(code_of(r) == "no_session_bus");
}

TEST_CASE("a bus that never speaks is a timeout within the bound") {
  TempDir dir;
  DeafSocket deaf(dir.path() / "deaf", /*hang_up=*/false);
  const auto start = Clock::now();
  auto r = send_notification(alert(), on_bus("unix:path=" + (dir.path() / "deaf").string(), 300));
  const auto took = Clock::now() - start;
  CHECK(code_of(r) == "timeout");
  CHECK(took >= 300ms);
  CHECK(took < 5s);  // far below libdbus's own 25 s default
}

TEST_CASE("the connection cut after N bytes from the bus, N from 0 up: no_session_bus until it succeeds") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::answer);
  const auto proxy_path = dir.path() / "cutting";
  CuttingProxy proxy(proxy_path, dir.path() / "bus");
  bool succeeded = false;
  std::size_t n = 0;
  for (; n < 4096 && !succeeded; ++n) {
    CAPTURE(n);
    proxy.set_limit(n);
    auto r = send_notification(alert("cut at " + std::to_string(n)), on_bus("unix:path=" + proxy_path.string(), 3000));
    if (r.ok()) {
      succeeded = true;
      const auto calls = server.calls();
      REQUIRE_FALSE(calls.empty());
      CHECK(*r == calls.back().answered_id);
      CHECK(calls.back().summary == "cut at " + std::to_string(n));
    } else {
      REQUIRE(r.error().code == "no_session_bus");
    }
  }
  CHECK(succeeded);
  CHECK(n > 100);  // the auth lines, Hello's reply and Notify's reply all come back before
}

TEST_CASE("a bus with no notification server: notifications_unavailable") {
  TempDir dir;
  BusDaemon bus(dir.path());
  auto r = send_notification(alert(), on_bus(bus.address()));
  REQUIRE(code_of(r) == "notifications_unavailable");
  CHECK(r.error().message.find("org.freedesktop.DBus.Error.ServiceUnknown") != std::string::npos);
}

TEST_CASE("a server that never answers: timeout within the bound, after the call arrived") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::silent);
  const auto start = Clock::now();
  auto r = send_notification(alert(), on_bus(bus.address(), 400));
  const auto took = Clock::now() - start;
  CHECK(code_of(r) == "timeout");
  CHECK(r.error().message.find("Notify") != std::string::npos);
  CHECK(took >= 400ms);
  CHECK(took < 5s);
  CHECK(server.calls().size() == 1);
}

TEST_CASE("a server answering with an error: notify_failed naming the error") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::error);
  auto r = send_notification(alert(), on_bus(bus.address()));
  REQUIRE(code_of(r) == "notify_failed");
  CHECK(r.error().message.find(NotificationServer::kErrorName) != std::string::npos);
  CHECK(r.error().message.find("the test server refuses notifications") != std::string::npos);
  CHECK(server.calls().size() == 1);
}

TEST_CASE("a server that hangs up without answering: notify_failed") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::hang_up);
  auto r = send_notification(alert(), on_bus(bus.address(), 3000));
  REQUIRE(code_of(r) == "notify_failed");
  CHECK(r.error().message.find("org.freedesktop.DBus.Error.NoReply") != std::string::npos);
}

TEST_CASE("the bus dying mid-call: no_session_bus, not a hang and not an exit") {
  TempDir dir;
  BusDaemon bus(dir.path());
  const pid_t pid = bus.pid();
  dealstack::Result<std::uint32_t> r = 0u;
  {
    // The server kills the bus as soon as the call reaches it (and is joined at the brace,
    // so the daemon has been reaped before the check below).
    NotificationServer server(bus.address(), NotificationServer::Mode::silent, 1, [&bus] { bus.kill(); });
    r = send_notification(alert(), on_bus(bus.address(), 3000));
  }
  CHECK(code_of(r) == "no_session_bus");
  CHECK(process_gone(pid));
}

TEST_CASE("an invalid notification is refused before anything is sent") {
  TempDir dir;
  BusDaemon bus(dir.path());
  NotificationServer server(bus.address(), NotificationServer::Mode::answer);
  auto r = send_notification(alert(""), on_bus(bus.address()));
  CHECK(code_of(r) == "invalid_notification");
  CHECK(server.calls().empty());
}

TEST_CASE("the test's dbus-daemon is gone after each test") {
  pid_t pid = -1;
  {
    TempDir dir;
    BusDaemon bus(dir.path());
    pid = bus.pid();
    CHECK_FALSE(process_gone(pid));
  }
  CHECK(process_gone(pid));
}
