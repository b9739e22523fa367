#include "messaging/stream.hpp"

#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

using namespace dealstack;
using namespace dealstack::messaging;

namespace {

// Bytes in, bytes out, with reads of at most `chunk` bytes and a failure after `fail_after`
// operations (reads and writes), like Beast's test stream fail_count.
class TestStream : public ByteStream {
 public:
  TestStream(std::string input, std::size_t chunk, std::size_t fail_after)
      : in_(std::move(input)), chunk_(chunk), left_(fail_after) {}
  Result<std::size_t> read_some(char* buf, std::size_t size) override {
    if (left_-- == 0) return make_error("io_error", "injected read failure");
    const std::size_t n = std::min({size, chunk_, in_.size() - at_});
    std::memcpy(buf, in_.data() + at_, n);
    at_ += n;
    return n;
  }
  Status write_all(std::string_view bytes) override {
    if (left_-- == 0) return make_error("io_error", "injected write failure");
    out.append(bytes);
    return Unit{};
  }
  std::string out;

 private:
  std::string in_;
  std::size_t at_ = 0;
  std::size_t chunk_;
  std::size_t left_;
};

std::string frames(std::initializer_list<std::string_view> payloads) {
  std::string s;
  for (auto p : payloads) s += *encode_frame(p, ByteOrder::native);
  return s;
}

}  // namespace

TEST_CASE("frames read through short reads, then a clean end") {
  TestStream s(frames({"[1]", "{\"b\":2}"}), 3, 1000);
  FrameDecoder d(ByteOrder::native);
  auto a = read_frame(s, d);
  REQUIRE(a.ok());
  REQUIRE(a->has_value());
  CHECK(**a == "[1]");
  auto b = read_frame(s, d);
  REQUIRE(b.ok());
  CHECK(**b == "{\"b\":2}");
  auto end = read_frame(s, d);
  REQUIRE(end.ok());
  CHECK(!end->has_value());
}

TEST_CASE("a stream that ends inside a frame gives truncated_frame") {
  std::string f = frames({"{\"a\":1}"});
  f.pop_back();
  TestStream s(f, 100, 1000);
  FrameDecoder d(ByteOrder::native);
  auto r = read_frame(s, d);
  REQUIRE(!r.ok());
  CHECK(r.error().code == "truncated_frame");
}

TEST_CASE("a stream failing after N operations gives an error or every frame, never more or less") {
  const std::string input = frames({"[1]", "[2]", "[3]"});
  bool succeeded = false;
  for (std::size_t n = 0; !succeeded; ++n) {
    REQUIRE(n < 100);
    TestStream s(input, 2, n);
    FrameDecoder d(ByteOrder::native);
    std::vector<std::string> got;
    bool failed = false;
    for (;;) {
      auto r = read_frame(s, d);
      if (!r) {
        CHECK(r.error().code == "io_error");
        failed = true;
        break;
      }
      if (!r->has_value()) break;
      got.push_back(**r);
    }
    // Whatever came out is a prefix of what went in, in order.
    REQUIRE(got.size() <= 3);
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == "[" + std::to_string(i + 1) + "]");
    if (!failed) {
      CHECK(got.size() == 3);
      succeeded = true;
    }
  }
}

TEST_CASE("write_frame over a real pipe, and a closed reader is 'closed'") {
  ::signal(SIGPIPE, SIG_IGN);
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  FdStream w(-1, fds[1]);
  REQUIRE(write_frame(w, "{\"x\":1}", ByteOrder::big).ok());
  FdStream r(fds[0], -1);
  FrameDecoder d(ByteOrder::big);
  auto got = read_frame(r, d);
  REQUIRE(got.ok());
  CHECK(**got == "{\"x\":1}");
  ::close(fds[0]);
  auto closed = write_frame(w, "{}", ByteOrder::big);
  REQUIRE(!closed.ok());
  CHECK(closed.error().code == "closed");
  ::close(fds[1]);
}
