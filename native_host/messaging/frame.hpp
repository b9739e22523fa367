// Framing: a 32-bit length, then that many bytes of UTF-8 JSON.
//   native messaging (browser <-> host, stdin/stdout): the length in native byte order,
//     as Chromium and Firefox write it;
//   the agent socket (host/CLI <-> agent): the length big-endian, so a capture reads the
//     same on every machine.
// The decoder takes bytes as they arrive (a read may hold part of a frame or several
// frames) and checks each length against its cap before allocating anything for it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dealstack::messaging {

enum class ByteOrder { native, big };

// Browsers refuse messages from a host over 1 MiB.
inline constexpr std::size_t kBrowserMessageLimit = 1024 * 1024;
// Default cap on inbound frames (configurable).
inline constexpr std::size_t kDefaultMaxFrame = 8 * 1024 * 1024;

class FrameDecoder {
 public:
  explicit FrameDecoder(ByteOrder order, std::size_t max_frame = kDefaultMaxFrame)
      : order_(order), max_(max_frame) {}

  // Takes the next bytes of the stream. After an error the stream is out of step and the
  // decoder stays failed (the connection must be closed): errors "empty_frame" (length 0),
  // "frame_too_large" (over the cap; names both), "invalid_utf8".
  Status feed(std::string_view bytes);
  // Complete frames in arrival order.
  bool has_frame() const { return !ready_.empty(); }
  std::string pop();
  // Bytes of a frame begun but not finished (at end of stream: a truncated frame).
  bool mid_frame() const { return have_header_ < 4 ? have_header_ > 0 : true; }
  std::size_t max_frame() const { return max_; }

 private:
  ByteOrder order_;
  std::size_t max_;
  unsigned char header_[4] = {};
  std::size_t have_header_ = 0;
  std::size_t want_ = 0;     // body length, valid once the header is complete
  std::string body_;
  std::deque<std::string> ready_;
  bool failed_ = false;
  Error error_;
};

// The 4-byte header followed by `payload`. Errors "frame_too_large" when payload is over
// `max_frame` (or 2^32 - 1).
Result<std::string> encode_frame(std::string_view payload, ByteOrder order,
                                 std::size_t max_frame = kDefaultMaxFrame);

}  // namespace dealstack::messaging
