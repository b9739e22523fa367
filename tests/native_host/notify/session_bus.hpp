// Real D-Bus pieces for the notify tests:
//   TempDir             a private folder, removed afterwards
//   BusDaemon           a real `dbus-daemon` (its own config: no service activation, so a
//                       name nobody owns stays unowned) on unix:path=<dir>/bus, killed and
//                       reaped by the destructor
//   NotificationServer  a thread owning org.freedesktop.Notifications on that bus, written
//                       with libdbus: it records every Notify call and answers with an id,
//                       an error, nothing at all, or by hanging up
//   DeafSocket          a Unix socket that takes connections and never speaks D-Bus
//   CuttingProxy        a relay to the bus that hangs up after N bytes from the bus
#pragma once

#include <dbus/dbus.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace dealstack::notify::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "dealstack-notify-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class BusDaemon {
 public:
  // Starts dbus-daemon listening at <dir>/bus and waits (up to 10 s) until it prints its
  // address, which means it accepts connections.
  explicit BusDaemon(const std::filesystem::path& dir) {
    const auto conf = dir / "bus.conf";
    std::ofstream(conf) << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
                           " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                           "<busconfig>\n"
                           "  <type>session</type>\n"
                           "  <listen>unix:path="
                        << (dir / "bus").string()
                        << "</listen>\n"
                           "  <auth>EXTERNAL</auth>\n"
                           "  <policy context=\"default\">\n"
                           "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
                           "    <allow eavesdrop=\"true\"/>\n"
                           "    <allow own=\"*\"/>\n"
                           "  </policy>\n"
                           "</busconfig>\n";
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);  // --print-address writes to stdout
    // Its warnings (as root: "Failed to set fd limit") go to a file, not the test's output.
    const std::string log = (dir / "dbus-daemon.log").string();
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    const std::string conf_arg = "--config-file=" + conf.string();
    std::vector<std::string> argv_s = {"dbus-daemon", conf_arg, "--nofork", "--nopidfile", "--print-address"};
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid_, "dbus-daemon", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      throw std::runtime_error("cannot start dbus-daemon: " + std::string(std::strerror(rc)));
    }
    std::string out;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (out.find('\n') == std::string::npos && std::chrono::steady_clock::now() < until) {
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[512];
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    if (out.find('\n') == std::string::npos) {
      kill();
      throw std::runtime_error("dbus-daemon did not print its address");
    }
    address_ = out.substr(0, out.find('\n'));
  }
  ~BusDaemon() { kill(); }
  BusDaemon(const BusDaemon&) = delete;
  BusDaemon& operator=(const BusDaemon&) = delete;

  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }

  // SIGKILL and reap; idempotent. The tests call it to make the bus vanish mid-call.
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  std::string address_;
};

struct NotifyCall {
  std::string app_name;
  std::uint32_t replaces_id = 0;
  std::string app_icon;
  std::string summary;
  std::string body;
  std::vector<std::string> actions;
  std::optional<int> urgency;  // the "urgency" hint, if sent (a byte)
  std::vector<std::string> hint_names;
  std::int32_t expire_timeout = 0;
  std::uint32_t answered_id = 0;  // the id the server replied with (answer mode)
};

class NotificationServer {
 public:
  enum class Mode {
    answer,     // reply with a fresh id (first_id, first_id + 1, ...)
    error,      // reply with org.freedesktop.Notifications.Error.TestRefused
    silent,     // never reply
    hang_up,    // close the connection without replying
  };
  static constexpr const char* kErrorName = "org.freedesktop.Notifications.Error.TestRefused";

  // Connects and owns the name before returning. `on_call` runs on the server thread after a
  // Notify call is recorded (before any reply).
  NotificationServer(const std::string& address, Mode mode, std::uint32_t first_id = 41,
                     std::function<void()> on_call = {})
      : mode_(mode), next_id_(first_id), on_call_(std::move(on_call)) {
    DBusError err;
    dbus_error_init(&err);
    conn_ = dbus_connection_open_private(address.c_str(), &err);
    if (conn_ == nullptr) {
      const std::string m = err.message ? err.message : "?";
      dbus_error_free(&err);
      throw std::runtime_error("server cannot connect: " + m);
    }
    if (!dbus_bus_register(conn_, &err) ||
        dbus_bus_request_name(conn_, "org.freedesktop.Notifications", DBUS_NAME_FLAG_DO_NOT_QUEUE, &err) !=
            DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
      const std::string m = err.message ? err.message : "not primary owner";
      dbus_error_free(&err);
      close();
      throw std::runtime_error("server cannot own the name: " + m);
    }
    thread_ = std::thread([this] { run(); });
  }
  ~NotificationServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    close();
  }
  NotificationServer(const NotificationServer&) = delete;
  NotificationServer& operator=(const NotificationServer&) = delete;

  std::vector<NotifyCall> calls() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }
  // Waits until at least `n` calls were recorded (or `limit` passed).
  bool wait_for_calls(std::size_t n, std::chrono::milliseconds limit = std::chrono::seconds(10)) const {
    std::unique_lock<std::mutex> lock(mutex_);
    return seen_.wait_for(lock, limit, [&] { return calls_.size() >= n; });
  }

 private:
  void close() {
    if (conn_ == nullptr) return;
    dbus_connection_close(conn_);
    dbus_connection_unref(conn_);
    conn_ = nullptr;
  }

  void run() {
    while (!stop_) {
      if (!dbus_connection_read_write(conn_, 20)) return;  // the bus went away
      while (DBusMessage* msg = dbus_connection_pop_message(conn_)) {
        const bool keep_going = handle(msg);
        dbus_message_unref(msg);
        if (!keep_going) return;
      }
    }
  }

  static std::string read_string(DBusMessageIter* it) {
    const char* s = "";
    if (dbus_message_iter_get_arg_type(it) == DBUS_TYPE_STRING) dbus_message_iter_get_basic(it, &s);
    dbus_message_iter_next(it);
    return s;
  }

  static NotifyCall parse(DBusMessage* msg) {
    NotifyCall c;
    DBusMessageIter it;
    dbus_message_iter_init(msg, &it);
    c.app_name = read_string(&it);
    dbus_uint32_t replaces = 0;
    if (dbus_message_iter_get_arg_type(&it) == DBUS_TYPE_UINT32) dbus_message_iter_get_basic(&it, &replaces);
    c.replaces_id = replaces;
    dbus_message_iter_next(&it);
    c.app_icon = read_string(&it);
    c.summary = read_string(&it);
    c.body = read_string(&it);
    if (dbus_message_iter_get_arg_type(&it) == DBUS_TYPE_ARRAY) {
      DBusMessageIter a;
      dbus_message_iter_recurse(&it, &a);
      while (dbus_message_iter_get_arg_type(&a) == DBUS_TYPE_STRING) c.actions.push_back(read_string(&a));
    }
    dbus_message_iter_next(&it);
    if (dbus_message_iter_get_arg_type(&it) == DBUS_TYPE_ARRAY) {
      DBusMessageIter dict;
      dbus_message_iter_recurse(&it, &dict);
      while (dbus_message_iter_get_arg_type(&dict) == DBUS_TYPE_DICT_ENTRY) {
        DBusMessageIter entry, variant;
        dbus_message_iter_recurse(&dict, &entry);
        const std::string key = read_string(&entry);
        c.hint_names.push_back(key);
        dbus_message_iter_recurse(&entry, &variant);
        if (key == "urgency" && dbus_message_iter_get_arg_type(&variant) == DBUS_TYPE_BYTE) {
          unsigned char b = 0;
          dbus_message_iter_get_basic(&variant, &b);
          c.urgency = b;
        }
        dbus_message_iter_next(&dict);
      }
    }
    dbus_message_iter_next(&it);
    dbus_int32_t expire = 0;
    if (dbus_message_iter_get_arg_type(&it) == DBUS_TYPE_INT32) dbus_message_iter_get_basic(&it, &expire);
    c.expire_timeout = expire;
    return c;
  }

  // False: stop serving (hang_up mode).
  bool handle(DBusMessage* msg) {
    if (!dbus_message_is_method_call(msg, "org.freedesktop.Notifications", "Notify")) return true;
    NotifyCall c = parse(msg);
    const std::uint32_t id = next_id_++;
    if (mode_ == Mode::answer) c.answered_id = id;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      calls_.push_back(c);
    }
    seen_.notify_all();
    if (on_call_) on_call_();
    DBusMessage* reply = nullptr;
    switch (mode_) {
      case Mode::answer: {
        reply = dbus_message_new_method_return(msg);
        dbus_uint32_t v = id;
        dbus_message_append_args(reply, DBUS_TYPE_UINT32, &v, DBUS_TYPE_INVALID);
        break;
      }
      case Mode::error:
        reply = dbus_message_new_error(msg, kErrorName, "the test server refuses notifications");
        break;
      case Mode::silent:
        return true;
      case Mode::hang_up:
        close();
        return false;
    }
    dbus_connection_send(conn_, reply, nullptr);
    dbus_connection_flush(conn_);
    dbus_message_unref(reply);
    return true;
  }

  const Mode mode_;
  std::uint32_t next_id_;
  std::function<void()> on_call_;
  DBusConnection* conn_ = nullptr;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable seen_;
  std::vector<NotifyCall> calls_;
  std::thread thread_;
};

// A Unix socket at `path` that takes connections (the kernel's backlog completes them) and
// never says a word; with `hang_up`, a thread accepts each connection and closes it at once.
class DeafSocket {
 public:
  DeafSocket(const std::filesystem::path& path, bool hang_up) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 8) != 0) {
      throw std::runtime_error("cannot listen at " + path.string());
    }
    if (hang_up) {
      thread_ = std::thread([this] {
        while (!stop_) {
          pollfd p{fd_, POLLIN, 0};
          if (::poll(&p, 1, 20) <= 0) continue;
          const int c = ::accept(fd_, nullptr, nullptr);
          if (c >= 0) ::close(c);
        }
      });
    }
  }
  ~DeafSocket() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  DeafSocket(const DeafSocket&) = delete;
  DeafSocket& operator=(const DeafSocket&) = delete;

 private:
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// A Unix socket at `path` relaying each connection to the bus at `upstream` (a socket path),
// byte for byte, that hangs up on both sides once `limit` bytes have come back from the bus:
// the failure-injection seam for "the connection dies after N bytes". One connection at a
// time, which is all send_notification opens; set_limit() applies to the next connection.
class CuttingProxy {
 public:
  CuttingProxy(const std::filesystem::path& path, std::filesystem::path upstream, std::size_t limit = 0)
      : upstream_(std::move(upstream)), limit_(limit) {
    fd_ = listen_at(path);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 20) <= 0) continue;
        const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0) continue;
        relay(client);
        ::close(client);
      }
    });
  }
  ~CuttingProxy() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  CuttingProxy(const CuttingProxy&) = delete;
  CuttingProxy& operator=(const CuttingProxy&) = delete;

  void set_limit(std::size_t limit) { limit_ = limit; }

 private:
  static sockaddr_un address_of(const std::filesystem::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    return addr;
  }
  static int listen_at(const std::filesystem::path& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_un addr = address_of(path);
    if (fd < 0 || ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 8) != 0) {
      throw std::runtime_error("cannot listen at " + path.string());
    }
    return fd;
  }

  void relay(int client) {
    const int bus = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_un addr = address_of(upstream_);
    if (bus < 0 || ::connect(bus, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
      if (bus >= 0) ::close(bus);
      return;
    }
    const std::size_t limit = limit_;
    std::size_t returned = 0;
    char buf[4096];
    while (!stop_ && returned < limit) {
      pollfd p[2] = {{client, POLLIN, 0}, {bus, POLLIN, 0}};
      if (::poll(p, 2, 20) <= 0) continue;
      if (p[0].revents) {
        const ssize_t n = ::read(client, buf, sizeof buf);
        if (n <= 0 || ::send(bus, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
      }
      if (p[1].revents) {
        const std::size_t room = limit - returned;
        const ssize_t n = ::read(bus, buf, std::min(sizeof buf, room));
        if (n <= 0 || ::send(client, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
        returned += static_cast<std::size_t>(n);
      }
    }
    ::close(bus);
  }

  std::filesystem::path upstream_;
  std::atomic<std::size_t> limit_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace dealstack::notify::testing
