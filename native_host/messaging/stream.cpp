#include "messaging/stream.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dealstack::messaging {

Result<std::size_t> FdStream::read_some(char* buf, std::size_t size) {
  for (;;) {
    const ssize_t n = ::read(in_, buf, size);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    return make_error("io_error", std::string("read failed: ") + std::strerror(errno));
  }
}

Status FdStream::write_all(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(out_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE || errno == ECONNRESET) return make_error("closed", "the reader has gone");
      return make_error("io_error", std::string("write failed: ") + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Unit{};
}

Result<std::optional<std::string>> read_frame(ByteStream& in, FrameDecoder& decoder) {
  char buf[16384];
  while (!decoder.has_frame()) {
    auto n = in.read_some(buf, sizeof buf);
    if (!n) return n.error();
    if (*n == 0) {
      if (decoder.mid_frame())
        return make_error("truncated_frame", "the stream ended in the middle of a frame");
      return std::optional<std::string>{};
    }
    auto fed = decoder.feed(std::string_view(buf, *n));
    if (!fed) return fed.error();
  }
  return std::optional<std::string>{decoder.pop()};
}

Status write_frame(ByteStream& out, std::string_view payload, ByteOrder order, std::size_t max_frame) {
  auto frame = encode_frame(payload, order, max_frame);
  if (!frame) return frame.error();
  return out.write_all(*frame);
}

}  // namespace dealstack::messaging
