#include "vault/shop_session.hpp"

#include <nlohmann/json.hpp>

namespace dealstack::vault {

namespace {

using nlohmann::json;

bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  for (char t : std::string_view("!#$%&'*+-.^_`|~"))
    if (c == t) return true;
  return false;
}

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

bool valid_value(std::string_view s, bool cookie) {
  if (s.size() > 8192) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) return false;
    if (cookie && (c == ';' || c == ',' || c == '"' || c == '\\' || c == ' ')) return false;
  }
  return true;
}

// Overwrites every string in the parsed tree (nlohmann doesn't wipe what it frees).
void wipe_tree(json& j) {
  if (j.is_string()) {
    crypto::wipe(j.get_ref<std::string&>());
  } else if (j.is_structured()) {
    for (auto& v : j) wipe_tree(v);
  }
}

Status read_part(const json& j, const char* part, std::map<std::string, std::string>& out) {
  auto it = j.find(part);
  if (it == j.end()) return Unit{};
  if (!it->is_object()) return make_error("invalid_argument", std::string("shop session: ") + part + " must be an object");
  if (it->size() > kMaxShopSessionItems)
    return make_error("invalid_argument", std::string("shop session: more than ") +
                                              std::to_string(kMaxShopSessionItems) + " " + part);
  const bool cookie = std::string_view(part) == "cookies";
  for (const auto& [name, value] : it->items()) {
    if (!valid_name(name)) return make_error("invalid_argument", std::string("shop session: ") + part + ": a name is not an HTTP token");
    if (!value.is_string())
      return make_error("invalid_argument", std::string("shop session: ") + part + "." + name + " must be a string");
    if (!valid_value(value.get_ref<const std::string&>(), cookie))
      return make_error("invalid_argument", std::string("shop session: ") + part + "." + name +
                                                " has a character that can't be sent (control, non-ASCII" +
                                                (cookie ? ", space, quote, backslash, ';' or ','" : "") + ")");
    out[name] = value.get<std::string>();
  }
  return Unit{};
}

}  // namespace

ShopSession::~ShopSession() {
  for (auto* m : {&cookies, &headers})
    for (auto& [name, value] : *m) crypto::wipe(value);
}

Result<ShopSession> parse_shop_session(const crypto::SecretBytes& secret) {
  json j = json::parse(secret.view(), nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error("invalid_argument",
                      "a shop session must be a JSON object {\"cookies\": {...}, \"headers\": {...}}");
  ShopSession s;
  Status ok = Unit{};
  for (const auto& [key, value] : j.items())
    if (key != "cookies" && key != "headers") {
      ok = make_error("invalid_argument", "shop session: only \"cookies\" and \"headers\" are allowed");
      break;
    }
  if (ok) ok = read_part(j, "cookies", s.cookies);
  if (ok) ok = read_part(j, "headers", s.headers);
  wipe_tree(j);
  if (!ok) return ok.error();
  return s;
}

std::string shop_entry_id(std::string_view host) { return "shop/" + std::string(host); }

}  // namespace dealstack::vault
