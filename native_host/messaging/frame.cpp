#include "messaging/frame.hpp"

#include <bit>
#include <cstring>

#include "text/utf8.hpp"

namespace dealstack::messaging {

namespace {

std::uint32_t read_length(const unsigned char* h, ByteOrder order) {
  const bool big = order == ByteOrder::big || std::endian::native == std::endian::big;
  if (big)
    return (std::uint32_t{h[0]} << 24) | (std::uint32_t{h[1]} << 16) | (std::uint32_t{h[2]} << 8) | h[3];
  return (std::uint32_t{h[3]} << 24) | (std::uint32_t{h[2]} << 16) | (std::uint32_t{h[1]} << 8) | h[0];
}

void write_length(std::uint32_t n, ByteOrder order, char* out) {
  const bool big = order == ByteOrder::big || std::endian::native == std::endian::big;
  for (int i = 0; i < 4; ++i) {
    const int shift = big ? 24 - 8 * i : 8 * i;
    out[i] = static_cast<char>((n >> shift) & 0xff);
  }
}

}  // namespace

Status FrameDecoder::feed(std::string_view bytes) {
  if (failed_) return error_;
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (have_header_ < 4) {
      const std::size_t n = std::min<std::size_t>(4 - have_header_, bytes.size() - at);
      std::memcpy(header_ + have_header_, bytes.data() + at, n);
      have_header_ += n;
      at += n;
      if (have_header_ < 4) break;
      const std::uint32_t length = read_length(header_, order_);
      if (length == 0) {
        failed_ = true;
        error_ = make_error("empty_frame", "a frame of length 0 (a message must be JSON)");
        return error_;
      }
      if (length > max_) {
        failed_ = true;
        error_ = make_error("frame_too_large", "a frame of " + std::to_string(length) +
                                                   " bytes is over the limit of " +
                                                   std::to_string(max_) + " bytes");
        return error_;
      }
      want_ = length;
      body_.clear();
      // Allocate as the bytes arrive, never the announced length up front: a peer that
      // announces 8 MiB and sends nothing costs nothing.
    }
    const std::size_t n = std::min(want_ - body_.size(), bytes.size() - at);
    body_.append(bytes.data() + at, n);
    at += n;
    if (body_.size() == want_) {
      if (!utf8::is_valid(body_)) {
        failed_ = true;
        error_ = make_error("invalid_utf8", "a frame of " + std::to_string(want_) +
                                                " bytes is not valid UTF-8");
        return error_;
      }
      ready_.push_back(std::move(body_));
      body_.clear();
      have_header_ = 0;
      want_ = 0;
    }
  }
  return Unit{};
}

std::string FrameDecoder::pop() {
  std::string s = std::move(ready_.front());
  ready_.pop_front();
  return s;
}

Result<std::string> encode_frame(std::string_view payload, ByteOrder order, std::size_t max_frame) {
  if (payload.size() > max_frame || payload.size() > 0xffffffffu)
    return make_error("frame_too_large", "a message of " + std::to_string(payload.size()) +
                                             " bytes is over the limit of " +
                                             std::to_string(max_frame) + " bytes");
  std::string out(4, '\0');
  write_length(static_cast<std::uint32_t>(payload.size()), order, out.data());
  out.append(payload);
  return out;
}

}  // namespace dealstack::messaging
