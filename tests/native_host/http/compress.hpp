// Compressed bodies for tests, made by Beast's port of zlib's encoder (independent of the
// client's inflater): raw deflate, and the gzip and zlib wrappings around it.
#pragma once

#include <boost/beast/zlib/deflate_stream.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "http/content_coding.hpp"

namespace dealstack::http::testing {

inline std::string raw_deflate(const std::string& in) {
  namespace zlib = boost::beast::zlib;
  zlib::deflate_stream ds;
  ds.reset(6, 15, 8, zlib::Strategy::normal);
  std::string out(ds.upper_bound(in.size()) + 64, '\0');
  zlib::z_params zs;
  zs.next_in = in.data();
  zs.avail_in = in.size();
  zs.next_out = out.data();
  zs.avail_out = out.size();
  boost::system::error_code ec;
  ds.write(zs, zlib::Flush::finish, ec);
  if (ec != zlib::error::end_of_stream) throw std::runtime_error("deflate did not finish: " + ec.message());
  out.resize(zs.total_out);
  return out;
}

inline std::string le32(std::uint32_t v) {
  std::string s;
  for (int i = 0; i < 4; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

// One gzip member (RFC 1952) holding `in`.
inline std::string gzip(const std::string& in) {
  return std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) + raw_deflate(in) + le32(crc32(in)) +
         le32(static_cast<std::uint32_t>(in.size()));
}

// A zlib stream (RFC 1950), what servers send as "Content-Encoding: deflate".
inline std::string zlib_wrap(const std::string& in) {
  const std::uint32_t a = adler32(in);
  std::string trailer;
  for (int i = 3; i >= 0; --i) trailer += static_cast<char>((a >> (8 * i)) & 0xff);
  return std::string("\x78\x9c", 2) + raw_deflate(in) + trailer;
}

}  // namespace dealstack::http::testing
