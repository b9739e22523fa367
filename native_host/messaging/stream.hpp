// The I/O seam under the framing: a byte stream that reads what is there and writes all it
// is given. FdStream is the real one (pipes, sockets); tests wrap streams to fail after N
// operations (tests/native_host/messaging/).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "messaging/frame.hpp"

namespace dealstack::messaging {

class ByteStream {
 public:
  virtual ~ByteStream() = default;
  // Up to `size` bytes into `buf`; 0 at end of stream. Errors "io_error".
  virtual Result<std::size_t> read_some(char* buf, std::size_t size) = 0;
  // All of `bytes`, or an error ("io_error", "closed").
  virtual Status write_all(std::string_view bytes) = 0;
};

// Reads from `in` and writes to `out` (the same descriptor for a socket). Retries on EINTR;
// a closed reader on write gives "closed" (SIGPIPE must be ignored by the process).
class FdStream : public ByteStream {
 public:
  FdStream(int in, int out) : in_(in), out_(out) {}
  Result<std::size_t> read_some(char* buf, std::size_t size) override;
  Status write_all(std::string_view bytes) override;

 private:
  int in_;
  int out_;
};

// The next frame from `in`: its payload, or nothing at a clean end of stream (between
// frames). Errors: the decoder's, "truncated_frame" (the stream ended inside a frame), the
// stream's.
Result<std::optional<std::string>> read_frame(ByteStream& in, FrameDecoder& decoder);

// One frame holding `payload`.
Status write_frame(ByteStream& out, std::string_view payload, ByteOrder order,
                   std::size_t max_frame = kDefaultMaxFrame);

}  // namespace dealstack::messaging
