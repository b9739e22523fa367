#include "http/content_coding.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <random>
#include <string>

#include "compress.hpp"

using namespace dealstack::http;
using namespace dealstack::http::testing;

namespace {

// The real gzip program's output, so the decoder is checked against another encoder.
std::string gzip_tool(const std::string& in) {
  char path[] = "/tmp/dealstack-gz-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  FILE* f = fdopen(fd, "wb");
  fwrite(in.data(), 1, in.size(), f);
  fclose(f);
  std::string cmd = std::string("gzip -c -n ") + path;
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  CHECK(pclose(p) == 0);
  std::remove(path);
  return out;
}

std::string page(std::size_t n) {
  std::string s;
  std::mt19937 rng(42);
  while (s.size() < n) s += "<li class=price>" + std::to_string(rng() % 100000) + "</li>\n";
  s.resize(n);
  return s;
}

}  // namespace

TEST_CASE("checksums match their standard check values") {
  CHECK(crc32("123456789") == 0xCBF43926u);
  CHECK(adler32("123456789") == 0x091E01DEu);
  CHECK(crc32("") == 0u);
  CHECK(adler32("Wikipedia") == 0x11E60398u);
}

TEST_CASE("gzip bodies decode, from the gzip program and from several members") {
  std::string text = page(100000);
  auto r = decode_content("gzip", gzip_tool(text), 1 << 20);
  REQUIRE(r.ok());
  CHECK(*r == text);
  auto two = decode_content("x-gzip", gzip("first ") + gzip("second"), 1 << 20);
  REQUIRE(two.ok());
  CHECK(*two == "first second");
  CHECK(decode_content(" GZIP ", gzip(""), 10).value().empty());
}

TEST_CASE("deflate bodies decode zlib-wrapped and raw") {
  std::string text = page(5000);
  CHECK(decode_content("deflate", zlib_wrap(text), 1 << 20).value() == text);
  CHECK(decode_content("deflate", raw_deflate(text), 1 << 20).value() == text);
  CHECK(decode_content("identity", text, 1 << 20).value() == text);
  CHECK(decode_content("", text, 1 << 20).value() == text);
  // Layers are undone last-first.
  CHECK(decode_content("deflate, gzip", gzip(zlib_wrap(text)), 1 << 20).value() == text);
}

TEST_CASE("a zip bomb stops at the decoded limit") {
  std::string zeros(4 << 20, '\0');
  std::string bomb = gzip(zeros);
  CHECK(bomb.size() < 10000);
  auto r = decode_content("gzip", bomb, 1 << 20);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "body_too_large");
  CHECK(decode_content("deflate", zlib_wrap(zeros), 1 << 20).error().code == "body_too_large");
  CHECK(decode_content("identity", zeros, 1 << 20).error().code == "body_too_large");
  CHECK(decode_content("gzip", bomb, 4 << 20).ok());  // exactly at the limit is fine
}

TEST_CASE("corrupt, truncated and unsupported encodings are bad_encoding") {
  std::string text = page(20000);
  std::string gz = gzip(text);
  CHECK(decode_content("br", text, 1 << 20).error().message.find("'br'") != std::string::npos);
  CHECK(decode_content("gzip", text, 1 << 20).error().message.find("magic") != std::string::npos);
  CHECK(decode_content("gzip", "", 1 << 20).error().code == "bad_encoding");
  CHECK(decode_content("gzip, gzip, gzip", gz, 1 << 20).error().code == "bad_encoding");

  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 6] ^= 1;
  CHECK(decode_content("gzip", bad_crc, 1 << 20).error().message.find("CRC") != std::string::npos);
  std::string bad_adler = zlib_wrap(text);
  bad_adler.back() ^= 1;
  CHECK(decode_content("deflate", bad_adler, 1 << 20).error().message.find("Adler") != std::string::npos);

  // Every truncation and many single-byte corruptions fail cleanly (or, for a flip the
  // deflate format cannot see, are caught by the checksum): never a crash or a hang.
  for (std::size_t n = 0; n < gz.size(); n += (n < 64 ? 1 : 97)) {
    CAPTURE(n);
    auto r = decode_content("gzip", gz.substr(0, n), 1 << 20);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "bad_encoding");
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::string broken = gz;
    broken[10 + rng() % (broken.size() - 10)] ^= static_cast<char>(1 + rng() % 255);
    auto r = decode_content("gzip", broken, 1 << 20);
    if (r.ok()) {
      CHECK(*r == text);  // only if the flip hit something that does not matter
    } else {
      CHECK((r.error().code == "bad_encoding" || r.error().code == "body_too_large"));
    }
  }
}
