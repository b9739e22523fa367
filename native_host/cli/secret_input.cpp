#include "cli/secret_input.hpp"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ostream>
#include <string>

namespace dealstack::cli {
namespace {

// Turns the terminal's echo off while alive (restored on every path out).
class NoEcho {
 public:
  NoEcho() {
    if (::tcgetattr(0, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      quiet.c_lflag |= ECHONL;
      active_ = ::tcsetattr(0, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~NoEcho() {
    if (active_) ::tcsetattr(0, TCSAFLUSH, &saved_);
  }
  NoEcho(const NoEcho&) = delete;
  NoEcho& operator=(const NoEcho&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

}  // namespace

std::optional<crypto::SecretBytes> read_secret(std::size_t cap, bool whole_input) {
  std::string buf;
  buf.reserve(whole_input ? 4096 : 256);
  bool got_any = false;
  for (;;) {
    char c;
    const ssize_t n = ::read(0, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got_any = true;
    if (c == '\n' && !whole_input) break;
    if (buf.size() >= cap + 1) continue;  // keep reading to the line's end, but don't grow
    if (buf.size() == buf.capacity()) {
      // Grow by hand so the old buffer is wiped, not just freed.
      std::string bigger;
      bigger.reserve(buf.capacity() * 2);
      bigger.append(buf);
      crypto::wipe(buf);
      buf.swap(bigger);
    }
    buf.push_back(c);
  }
  if (!got_any) return std::nullopt;
  if (whole_input && !buf.empty() && buf.back() == '\n') buf.pop_back();
  if (!buf.empty() && buf.back() == '\r') buf.pop_back();
  crypto::SecretBytes out(std::string_view(buf).substr(0, std::min(buf.size(), cap + 1)));
  crypto::wipe(buf);
  return out;
}

std::optional<crypto::SecretBytes> ask_secret(Io io, const SecretPrompt& p) {
  std::optional<crypto::SecretBytes> got;
  if (p.from_stdin) {
    got = read_secret(p.cap, p.whole_input);
  } else if (!::isatty(0)) {
    io.err << "dealstack " << p.command << ": standard input is not a terminal: pass --stdin to read the " << p.what
           << " from it\n";
    return std::nullopt;
  } else {
    io.err << p.prompt << std::flush;
    NoEcho quiet;
    got = read_secret(p.cap, false);
  }
  if (!got || got->empty()) {
    io.err << "dealstack " << p.command << ": no " << p.what << " was given ("
           << (p.from_stdin ? "standard input ended" : "an empty line") << ")\n";
    return std::nullopt;
  }
  return got;
}

}  // namespace dealstack::cli
