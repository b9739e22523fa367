#include "host/host.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>
#include <thread>

#include "install/allow_list.hpp"
#include "messaging/stream.hpp"
#include "protocol/message.hpp"
#include "protocol/wire.hpp"

namespace dealstack::host {

namespace {

int try_connect(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return -1;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Starts `program agent` detached: a grandchild in its own session, stdio on /dev/null (so
// nothing it prints can reach the browser), reaped by init.
bool spawn_agent(const std::string& program) {
  const pid_t child = ::fork();
  if (child < 0) return false;
  if (child == 0) {
    ::setsid();
    if (::fork() != 0) ::_exit(0);
    const int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
    }
    ::signal(SIGPIPE, SIG_DFL);
    ::execl(program.c_str(), program.c_str(), "agent", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return true;
}

// A request for a method only the CLI may call (vault.init, vault.unlock, vault.passwd,
// sync.login, sync.logout: they carry what the shopper types at a terminal): its id, to
// answer not_allowed, or none to relay the frame. Parsed only when the text could name one
// (a method name spelled with JSON escapes needs a backslash).
std::optional<protocol::Json> cli_only_request(const std::string& frame) {
  if (frame.find('\\') == std::string::npos && frame.find("vault.") == std::string::npos &&
      frame.find("sync.") == std::string::npos)
    return std::nullopt;
  auto req = protocol::parse_request(frame);
  if (!req) return std::nullopt;  // the agent answers what is wrong with it
  for (const char* m : protocol::kCliOnlyMethods)
    if (req->method == m) return req->id;
  return std::nullopt;
}

}  // namespace

Result<int> connect_agent(const platform::Paths& paths, const std::string& program, int timeout_ms) {
  const std::string path = paths.socket().string();
  int fd = try_connect(path);
  if (fd >= 0) return fd;
  if (!spawn_agent(program.empty() ? "/proc/self/exe" : program))
    return make_error(protocol::error::agent_unavailable, "can't start the dealstack agent");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    fd = try_connect(path);
    if (fd >= 0) return fd;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return make_error(protocol::error::agent_unavailable,
                    "the dealstack agent didn't start within " + std::to_string(timeout_ms) +
                        " ms (run: dealstack doctor)");
}

int run_host(const std::string& caller, const std::vector<std::string>& allowed,
             const platform::Paths& paths, int in_fd, int out_fd, const HostOptions& options) {
  ::signal(SIGPIPE, SIG_IGN);
  messaging::FdStream browser(in_fd, out_fd);
  const auto to_browser = [&](const std::string& message) {
    for (const std::string& part : protocol::split_for_browser(message, options.browser_limit))
      if (!messaging::write_frame(browser, part, messaging::ByteOrder::native, options.browser_limit))
        return false;
    return true;
  };
  if (caller.empty() || !install::origin_allowed(allowed, caller)) {
    to_browser(protocol::error_text(
        nullptr, make_error(protocol::error::origin_not_allowed,
                            "caller \"" + caller + "\" is not allowed (run: dealstack install --extension-id ID)")));
    return 1;
  }
  auto agent_fd = connect_agent(paths, options.program, options.agent_start_timeout_ms);
  if (!agent_fd) {
    to_browser(protocol::error_text(nullptr, agent_fd.error()));
    return 1;
  }
  messaging::FdStream agent(*agent_fd, *agent_fd);
  messaging::FrameDecoder from_browser(messaging::ByteOrder::native, options.max_frame);
  messaging::FrameDecoder from_agent(messaging::ByteOrder::big, 0xffffffffu);
  char buf[65536];
  pollfd fds[2] = {{in_fd, POLLIN, 0}, {*agent_fd, POLLIN, 0}};
  int code = 0;
  for (;;) {
    const int n = ::poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      code = 1;
      break;
    }
    if (fds[0].revents != 0) {
      auto got = browser.read_some(buf, sizeof buf);
      if (!got || *got == 0) {
        code = (!got || from_browser.mid_frame()) ? 1 : 0;  // the port closed
        break;
      }
      auto fed = from_browser.feed(std::string_view(buf, *got));
      while (from_browser.has_frame()) {
        std::string frame = from_browser.pop();
        if (auto id = cli_only_request(frame)) {
          to_browser(protocol::error_text(
              *id, make_error(protocol::error::not_allowed,
                              "this method is for the dealstack command line only (it carries a passphrase)")));
          continue;
        }
        if (!messaging::write_frame(agent, frame, messaging::ByteOrder::big, 0xffffffffu)) {
          to_browser(protocol::error_text(nullptr, make_error(protocol::error::agent_unavailable,
                                                              "the dealstack agent went away")));
          return 1;
        }
      }
      if (!fed) {
        // The stream is out of step: say why, then hang up (the extension reconnects).
        to_browser(protocol::error_text(nullptr, fed.error()));
        code = 1;
        break;
      }
    }
    if (fds[1].revents != 0) {
      auto got = agent.read_some(buf, sizeof buf);
      if (!got || *got == 0) {
        to_browser(protocol::error_text(nullptr, make_error(protocol::error::agent_unavailable,
                                                            "the dealstack agent went away")));
        code = 1;
        break;
      }
      auto fed = from_agent.feed(std::string_view(buf, *got));
      while (from_agent.has_frame())
        if (!to_browser(from_agent.pop())) {
          code = 0;  // the browser has gone
          goto done;
        }
      if (!fed) {
        code = 1;
        break;
      }
    }
  }
done:
  ::close(*agent_fd);
  return code;
}

}  // namespace dealstack::host
