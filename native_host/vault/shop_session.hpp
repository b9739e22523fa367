// The secret of a "shop/<host>" entry (kind shop_session): the cookies and headers that make
// a shop show the shopper's member prices, sent by the monitor to exactly that host over
// https. The secret is JSON:
//   {"cookies": {"NAME": "VALUE", ...}, "headers": {"NAME": "VALUE", ...}}
// (both optional, at most kMaxShopSessionItems each). Names are HTTP tokens; values are
// printable ASCII without CR, LF or NUL (cookie values also without ';', ',', '"', '\\' and
// spaces). Errors name the part and the name, never a value: "invalid_argument".
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "crypto/crypto.hpp"

namespace dealstack::vault {

inline constexpr std::size_t kMaxShopSessionItems = 64;

// Holds secrets: wiped when destroyed.
struct ShopSession {
  std::map<std::string, std::string> cookies;
  std::map<std::string, std::string> headers;
  ShopSession() = default;
  ShopSession(ShopSession&&) = default;
  ShopSession& operator=(ShopSession&&) = default;
  ShopSession(const ShopSession&) = delete;
  ShopSession& operator=(const ShopSession&) = delete;
  ~ShopSession();
};

Result<ShopSession> parse_shop_session(const crypto::SecretBytes& secret);

// The entry id holding the session of `host` ("shop/" + host).
std::string shop_entry_id(std::string_view host);

}  // namespace dealstack::vault
