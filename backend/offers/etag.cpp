#include "offers/etag.hpp"

#include "crypto/crypto.hpp"

namespace dealstack::backend {

std::string strong_etag(std::string_view body) {
  return "\"" + crypto::hex_encode(crypto::sha256(body)).substr(0, 32) + "\"";
}

bool if_none_match(std::string_view header, std::string_view etag) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
  };
  if (etag.size() >= 2 && etag.substr(0, 2) == "W/") etag.remove_prefix(2);
  header = trim(header);
  if (header == "*") return true;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view item = trim(header.substr(0, comma));
    if (item.size() >= 2 && item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (!item.empty() && item == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace dealstack::backend
