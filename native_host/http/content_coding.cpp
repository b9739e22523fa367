#include "http/content_coding.hpp"

#include <array>
#include <boost/beast/zlib/inflate_stream.hpp>
#include <vector>

namespace dealstack::http {
namespace {

namespace zlib = boost::beast::zlib;

Error bad(std::string message) { return make_error("bad_encoding", std::move(message)); }

std::string lower_trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  std::string out;
  for (char c : s) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

std::uint8_t byte_at(std::string_view s, std::size_t i) { return static_cast<std::uint8_t>(s[i]); }

// Inflates raw deflate data starting at `in`, appending to `out`. On success `consumed` is
// the number of input bytes the deflate stream used (the wrapper's trailer follows).
Status inflate_raw(std::string_view in, std::string& out, std::size_t max_decoded,
                   std::size_t& consumed) {
  zlib::inflate_stream inflater;
  inflater.reset(15);
  zlib::z_params zs;
  zs.next_in = in.data();
  zs.avail_in = in.size();
  std::array<char, 16384> chunk;
  while (true) {
    zs.next_out = chunk.data();
    zs.avail_out = chunk.size();
    boost::system::error_code ec;
    inflater.write(zs, zlib::Flush::sync, ec);
    std::size_t produced = chunk.size() - zs.avail_out;
    if (produced > max_decoded - out.size()) {
      return make_error("body_too_large", "decoded body is larger than " +
                                              std::to_string(max_decoded) + " bytes");
    }
    out.append(chunk.data(), produced);
    if (ec == zlib::error::end_of_stream) break;
    if (ec == zlib::error::need_buffers) {
      // No progress possible: either the input ran out before the end of the stream...
      if (zs.avail_in == 0) return bad("compressed body is truncated");
      return bad("corrupt compressed body (no progress)");
    }
    if (ec) return bad("corrupt compressed body: " + ec.message());
    if (zs.avail_in == 0 && produced == 0) return bad("compressed body is truncated");
  }
  consumed = in.size() - zs.avail_in;
  return Unit{};
}

std::uint32_t read_le32(std::string_view s, std::size_t i) {
  return static_cast<std::uint32_t>(byte_at(s, i)) | static_cast<std::uint32_t>(byte_at(s, i + 1)) << 8 |
         static_cast<std::uint32_t>(byte_at(s, i + 2)) << 16 |
         static_cast<std::uint32_t>(byte_at(s, i + 3)) << 24;
}

// One or more gzip members (RFC 1952 section 2.2: a file may be several members in a row).
Result<std::string> gunzip(std::string_view in, std::size_t max_decoded) {
  std::string out;
  if (in.empty()) return bad("gzip body is empty");
  while (!in.empty()) {
    if (in.size() < 18) return bad("gzip data is truncated (shorter than header and trailer)");
    if (byte_at(in, 0) != 0x1f || byte_at(in, 1) != 0x8b) return bad("not gzip data (bad magic)");
    if (byte_at(in, 2) != 8) return bad("gzip compression method is not deflate");
    std::uint8_t flags = byte_at(in, 3);
    if (flags & 0xe0) return bad("gzip header has reserved flags set");
    std::size_t pos = 10;
    if (flags & 0x04) {  // FEXTRA
      if (pos + 2 > in.size()) return bad("gzip header is truncated");
      std::size_t xlen = byte_at(in, pos) | (static_cast<std::size_t>(byte_at(in, pos + 1)) << 8);
      pos += 2 + xlen;
    }
    for (std::uint8_t flag : {std::uint8_t{0x08}, std::uint8_t{0x10}}) {  // FNAME, FCOMMENT
      if (flags & flag) {
        std::size_t nul = pos < in.size() ? in.find('\0', pos) : std::string_view::npos;
        if (nul == std::string_view::npos) return bad("gzip header is truncated");
        pos = nul + 1;
      }
    }
    if (flags & 0x02) pos += 2;  // FHCRC (not checked)
    if (pos > in.size()) return bad("gzip header is truncated");
    std::size_t start = out.size();
    std::size_t consumed = 0;
    if (auto s = inflate_raw(in.substr(pos), out, max_decoded, consumed); !s) return s.error();
    pos += consumed;
    if (pos + 8 > in.size()) return bad("gzip trailer is truncated");
    std::string_view member(out.data() + start, out.size() - start);
    if (read_le32(in, pos) != crc32(member)) return bad("gzip CRC-32 does not match the data");
    if (read_le32(in, pos + 4) != static_cast<std::uint32_t>(member.size())) {
      return bad("gzip length does not match the data");
    }
    in.remove_prefix(pos + 8);
  }
  return out;
}

Result<std::string> inflate_deflate(std::string_view in, std::size_t max_decoded) {
  std::string out;
  std::size_t consumed = 0;
  // A zlib header: CM 8, window <= 32K, no preset dictionary, check bits valid.
  bool zlib_wrapped = in.size() >= 2 && (byte_at(in, 0) & 0x0f) == 8 &&
                      (byte_at(in, 0) >> 4) <= 7 && !(byte_at(in, 1) & 0x20) &&
                      ((byte_at(in, 0) << 8) | byte_at(in, 1)) % 31 == 0;
  if (!zlib_wrapped) {
    if (auto s = inflate_raw(in, out, max_decoded, consumed); !s) return s.error();
    return out;
  }
  if (auto s = inflate_raw(in.substr(2), out, max_decoded, consumed); !s) return s.error();
  std::size_t pos = 2 + consumed;
  if (pos + 4 > in.size()) return bad("zlib trailer is truncated");
  std::uint32_t want = static_cast<std::uint32_t>(byte_at(in, pos)) << 24 |
                       static_cast<std::uint32_t>(byte_at(in, pos + 1)) << 16 |
                       static_cast<std::uint32_t>(byte_at(in, pos + 2)) << 8 | byte_at(in, pos + 3);
  if (want != adler32(out)) return bad("zlib Adler-32 does not match the data");
  return out;
}

}  // namespace

std::uint32_t crc32(std::string_view data, std::uint32_t crc) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (char ch : data) crc = table[(crc ^ static_cast<std::uint8_t>(ch)) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::uint32_t adler32(std::string_view data) {
  std::uint32_t a = 1, b = 0;
  for (char ch : data) {
    a = (a + static_cast<std::uint8_t>(ch)) % 65521;
    b = (b + a) % 65521;
  }
  return (b << 16) | a;
}

Result<std::string> decode_content(std::string_view content_encoding, std::string body,
                                   std::size_t max_decoded) {
  std::vector<std::string> codings;
  std::size_t start = 0;
  while (start <= content_encoding.size()) {
    std::size_t comma = content_encoding.find(',', start);
    std::string c = lower_trim(content_encoding.substr(start, comma == std::string_view::npos
                                                                  ? std::string_view::npos
                                                                  : comma - start));
    if (!c.empty() && c != "identity") codings.push_back(c);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  // Each layer may multiply the size by about 1000: more than two is never legitimate.
  if (codings.size() > 2) return bad("more than two content codings applied");
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    Result<std::string> next = std::string();
    if (*it == "gzip" || *it == "x-gzip") {
      next = gunzip(body, max_decoded);
    } else if (*it == "deflate") {
      next = inflate_deflate(body, max_decoded);
    } else {
      std::string shown = it->substr(0, 40);
      return bad("unsupported content coding '" + shown + "'");
    }
    if (!next) return next.error();
    body = std::move(next).value();
  }
  if (body.size() > max_decoded) {
    return make_error("body_too_large",
                      "decoded body is larger than " + std::to_string(max_decoded) + " bytes");
  }
  return body;
}

}  // namespace dealstack::http
