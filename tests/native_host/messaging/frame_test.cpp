#include "messaging/frame.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>
#include <vector>

using namespace dealstack::messaging;

namespace {
std::string frame(std::string_view payload, ByteOrder order = ByteOrder::native) {
  auto f = encode_frame(payload, order);
  REQUIRE(f.ok());
  return *f;
}
std::vector<std::string> drain(FrameDecoder& d) {
  std::vector<std::string> out;
  while (d.has_frame()) out.push_back(d.pop());
  return out;
}
}  // namespace

TEST_CASE("a frame fed one byte at a time comes out whole") {
  const std::string f = frame(R"({"id":1,"method":"hello"})");
  FrameDecoder d(ByteOrder::native);
  for (std::size_t i = 0; i < f.size(); ++i) {
    CHECK(!d.has_frame());
    REQUIRE(d.feed(std::string_view(&f[i], 1)).ok());
  }
  auto frames = drain(d);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0] == R"({"id":1,"method":"hello"})");
  CHECK(!d.mid_frame());
}

TEST_CASE("many frames in one read, and one split across reads at every point") {
  const std::string all = frame("[1]") + frame("\"two\"") + frame("{\"three\":3}");
  for (std::size_t cut = 0; cut <= all.size(); ++cut) {
    FrameDecoder d(ByteOrder::native);
    REQUIRE(d.feed(std::string_view(all).substr(0, cut)).ok());
    REQUIRE(d.feed(std::string_view(all).substr(cut)).ok());
    auto frames = drain(d);
    REQUIRE(frames.size() == 3);
    CHECK(frames[0] == "[1]");
    CHECK(frames[1] == "\"two\"");
    CHECK(frames[2] == "{\"three\":3}");
  }
}

TEST_CASE("native order is the machine's, the socket order big-endian") {
  const std::string n = frame("ab", ByteOrder::native);
  const std::string b = frame("ab", ByteOrder::big);
  CHECK(b.substr(0, 4) == std::string("\0\0\0\2", 4));
  std::uint32_t len = 0;
  std::memcpy(&len, n.data(), 4);
  CHECK(len == 2);
  FrameDecoder big(ByteOrder::big);
  REQUIRE(big.feed(b).ok());
  CHECK(big.pop() == "ab");
}

TEST_CASE("a zero length frame is an error and the decoder stays failed") {
  FrameDecoder d(ByteOrder::native);
  auto r = d.feed(std::string(4, '\0'));
  REQUIRE(!r.ok());
  CHECK(r.error().code == "empty_frame");
  auto again = d.feed(frame("{}"));
  REQUIRE(!again.ok());
  CHECK(!d.has_frame());
}

TEST_CASE("a length over the cap is refused before any body arrives") {
  FrameDecoder d(ByteOrder::big, 1000);
  const std::string header("\x00\x00\x03\xe9", 4);  // 1001
  auto r = d.feed(header);
  REQUIRE(!r.ok());
  CHECK(r.error().code == "frame_too_large");
  CHECK(r.error().message.find("1001") != std::string::npos);
  CHECK(r.error().message.find("1000") != std::string::npos);
  // The largest 32-bit length too: nothing is allocated for it.
  FrameDecoder e(ByteOrder::big);
  auto huge = e.feed(std::string("\xff\xff\xff\xff", 4));
  REQUIRE(!huge.ok());
  CHECK(huge.error().code == "frame_too_large");
  // Exactly at the cap is fine.
  FrameDecoder f(ByteOrder::big, 3);
  REQUIRE(f.feed(frame("[1]", ByteOrder::big)).ok());
  CHECK(f.pop() == "[1]");
}

TEST_CASE("invalid UTF-8 in a frame is refused") {
  FrameDecoder d(ByteOrder::native);
  auto r = d.feed(frame("\"\xc3\x28\""));
  REQUIRE(!r.ok());
  CHECK(r.error().code == "invalid_utf8");
  FrameDecoder ok(ByteOrder::native);
  REQUIRE(ok.feed(frame("\"caf\xc3\xa9\"")).ok());
  CHECK(ok.pop() == "\"caf\xc3\xa9\"");
}

TEST_CASE("a partial header or body is reported as mid-frame") {
  const std::string f = frame("{\"a\":1}");
  FrameDecoder d(ByteOrder::native);
  REQUIRE(d.feed(f.substr(0, 2)).ok());
  CHECK(d.mid_frame());
  REQUIRE(d.feed(f.substr(2, 4)).ok());
  CHECK(d.mid_frame());
  REQUIRE(d.feed(f.substr(6)).ok());
  CHECK(!d.mid_frame());
  CHECK(d.has_frame());
}

TEST_CASE("encoding refuses payloads over the cap") {
  auto r = encode_frame(std::string(11, 'x'), ByteOrder::big, 10);
  REQUIRE(!r.ok());
  CHECK(r.error().code == "frame_too_large");
}
