#include "cli/agent_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "host/host.hpp"
#include "messaging/frame.hpp"
#include "messaging/stream.hpp"
#include "protocol/wire.hpp"

namespace dealstack::cli {
namespace {

using Clock = std::chrono::steady_clock;

// The connected socket as a byte stream with a deadline: reads wait with poll() until the
// deadline (a hung agent must not hang the CLI), writes use send(MSG_NOSIGNAL) so a vanished
// agent is an error value rather than SIGPIPE killing the process.
class SocketStream : public messaging::ByteStream {
 public:
  SocketStream(int fd, Clock::time_point deadline, int timeout_ms)
      : fd_(fd), deadline_(deadline), timeout_ms_(timeout_ms) {}

  Result<std::size_t> read_some(char* buf, std::size_t size) override {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
      if (left <= 0) return timed_out();
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left));
      if (ready < 0) {
        if (errno == EINTR) continue;
        return make_error("io_error", std::string("poll failed: ") + std::strerror(errno));
      }
      if (ready == 0) return timed_out();
      const ssize_t n = ::recv(fd_, buf, size, 0);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR || errno == EAGAIN) continue;
      return make_error("io_error", std::string("read failed: ") + std::strerror(errno));
    }
  }

  Status write_all(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EPIPE || errno == ECONNRESET) return make_error("closed", "the agent closed the connection");
        return make_error("io_error", std::string("write failed: ") + std::strerror(errno));
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return Unit{};
  }

 private:
  Error timed_out() const {
    return make_error("timeout", "no reply within " + std::to_string(timeout_ms_) + " ms");
  }
  int fd_;
  Clock::time_point deadline_;
  int timeout_ms_;
};

struct Fd {
  int fd;
  ~Fd() { ::close(fd); }
};

Error unavailable(const std::string& why) {
  return make_error(protocol::error::agent_unavailable, "the dealstack agent: " + why);
}

Error invalid_reply(const std::string& why) {
  return make_error("invalid_reply", "the dealstack agent answered " + why);
}

// The reply's error object as an Error; an unreadable one is itself an invalid reply.
Error reply_error(const protocol::Json& e) {
  if (!e.is_object()) return invalid_reply("an error that is not an object");
  const auto code = e.find("code");
  const auto message = e.find("message");
  if (code == e.end() || !code->is_string()) return invalid_reply("an error without a code");
  std::string text = message != e.end() && message->is_string() ? message->get<std::string>() : "";
  return make_error(code->get<std::string>(), text.empty() ? code->get<std::string>() : text);
}

}  // namespace

Result<protocol::Json> call_agent(const platform::Paths& paths, std::string_view method,
                                  const protocol::Json& params, const AgentCall& how) {
  // One request per connection, so a fixed id is enough to tell our reply from anything
  // else on the socket.
  const protocol::Json id = "cli-1";
  std::string text;
  try {
    text = protocol::Json{{"id", id}, {"method", std::string(method)}, {"params", params}}.dump();
  } catch (const protocol::Json::exception&) {
    // nlohmann refuses to write strings that aren't UTF-8 (they came from the arguments).
    return make_error("invalid_utf8", "a value given is not valid UTF-8 text");
  }
  const int timeout_ms = how.timeout_ms > 0 ? how.timeout_ms : 1;
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  auto connected = host::connect_agent(paths, how.program, timeout_ms);
  if (!connected) return connected.error();
  Fd fd{*connected};
  SocketStream stream(fd.fd, deadline, timeout_ms);

  if (auto sent = messaging::write_frame(stream, text, messaging::ByteOrder::big); !sent) {
    if (sent.error().code == "frame_too_large") return sent.error();
    return unavailable("can't send the request: " + sent.error().message);
  }
  messaging::FrameDecoder decoder(messaging::ByteOrder::big);
  for (;;) {
    auto frame = messaging::read_frame(stream, decoder);
    if (!frame) {
      if (frame.error().code == "timeout") return unavailable(frame.error().message);
      if (frame.error().code == "io_error" || frame.error().code == "truncated_frame")
        return unavailable("went away before replying (" + frame.error().message + ")");
      return invalid_reply("a frame that can't be read: " + frame.error().message);
    }
    if (!*frame) return unavailable("closed the connection before replying");
    const auto reply = protocol::Json::parse(**frame, nullptr, false);
    if (reply.is_discarded() || !reply.is_object()) return invalid_reply("something that is not a JSON object");
    if (reply.contains("event")) continue;  // pushed to every client; not ours to show
    const auto rid = reply.find("id");
    // The agent answers unreadable requests with id null; that is still our answer.
    if (rid == reply.end() || (!rid->is_null() && *rid != id)) continue;
    if (const auto e = reply.find("error"); e != reply.end()) return reply_error(*e);
    if (const auto r = reply.find("result"); r != reply.end()) return *r;
    return invalid_reply("a reply with neither result nor error");
  }
}

Result<protocol::Json> call_agent(const platform::Paths& paths, std::string_view method,
                                  const protocol::Json& params, int timeout_ms) {
  AgentCall how;
  how.timeout_ms = timeout_ms;
  return call_agent(paths, method, params, how);
}

}  // namespace dealstack::cli
