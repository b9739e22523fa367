#include "actions/wallet_json.hpp"

#include <set>
#include <string>

#include "stacking/request_json.hpp"

namespace dealstack::actions {

namespace {

using protocol::Json;

Error bad(const std::string& path, const std::string& what) {
  return make_error("invalid_params", path + ": " + what);
}

const Json* member(const Json& obj, const char* key) {
  const auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

Status known_keys(const Json& obj, const std::string& path, std::initializer_list<const char*> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool found = false;
    for (const char* k : known) found = found || it.key() == k;
    if (!found) {
      std::string list;
      for (const char* k : known) list += std::string(list.empty() ? "" : ", ") + "\"" + k + "\"";
      return bad(path + "." + it.key().substr(0, 100), "unknown field (expected " + list + ")");
    }
  }
  return Unit{};
}

// A string field of at most kMaxWalletTextBytes; `required` ones must not be empty either.
Result<std::optional<std::string>> text(const Json& obj, const char* key, const std::string& path, bool required) {
  const Json* v = member(obj, key);
  if (v == nullptr) {
    if (required) return bad(path, "is required");
    return std::optional<std::string>();
  }
  if (!v->is_string()) return bad(path, "must be a string");
  const auto& s = v->get_ref<const std::string&>();
  if (required && s.empty()) return bad(path, "must not be empty");
  if (s.size() > kMaxWalletTextBytes)
    return bad(path, "is longer than " + std::to_string(kMaxWalletTextBytes) + " bytes");
  return std::optional<std::string>(s);
}

// A percentage field as the stacker reads it, kept as a decimal string. The stacker checks
// its range below; here only its JSON type.
Result<std::optional<std::string>> percent(const Json& obj, const char* key, const std::string& path) {
  const Json* v = member(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (v->is_string()) {
    if (v->get_ref<const std::string&>().size() > 32) return bad(path, "is not a percentage (\"12.5\")");
    return std::optional<std::string>(v->get<std::string>());
  }
  if (v->is_number_integer()) return std::optional<std::string>(v->dump());
  return bad(path, "must be a percentage: a decimal string (\"12.5\") or a whole number");
}

// The stacker's message for a field of the request built from the wallet, with the path
// the field has in the wallet.
Error wallet_path(const Error& e) {
  std::string m = e.message;
  const std::string prefs = "preferences.";
  if (m.compare(0, prefs.size(), prefs) == 0) m = "wallet." + m.substr(prefs.size());
  if (m.compare(0, 7, "wallet.") != 0) m = "wallet: " + m;
  return make_error("invalid_params", m);
}

}  // namespace

Json default_wallet() {
  return Json{{"cards", Json::array()},
              {"memberships", Json::array()},
              {"gift_cards", "use"},
              {"cashback_value_percent", "100"},
              {"payment_path", "direct"}};
}

Result<Json> read_wallet(const Json& wallet) {
  if (!wallet.is_object()) return bad("wallet", "must be an object");
  if (auto k = known_keys(wallet, "wallet", {"cards", "memberships", "gift_cards", "cashback_value_percent", "payment_path"});
      !k)
    return k.error();
  Json out = default_wallet();

  if (const Json* cards = member(wallet, "cards")) {
    if (!cards->is_array()) return bad("wallet.cards", "must be an array");
    if (cards->size() > kMaxWalletCards)
      return bad("wallet.cards", "has " + std::to_string(cards->size()) + " cards; at most " +
                                     std::to_string(kMaxWalletCards));
    for (std::size_t i = 0; i < cards->size(); ++i) {
      const std::string cp = "wallet.cards[" + std::to_string(i) + "]";
      const Json& c = (*cards)[i];
      if (!c.is_object()) return bad(cp, "must be an object");
      if (auto k = known_keys(c, cp, {"id", "name", "earn_percent", "reward_value_percent"}); !k) return k.error();
      Json card = Json::object();
      auto id = text(c, "id", cp + ".id", true);
      if (!id) return id.error();
      card["id"] = **id;
      auto name = text(c, "name", cp + ".name", false);
      if (!name) return name.error();
      if (*name) card["name"] = **name;
      for (const char* key : {"earn_percent", "reward_value_percent"}) {
        auto p = percent(c, key, cp + "." + key);
        if (!p) return p.error();
        if (*p) card[key] = **p;
      }
      out["cards"].push_back(std::move(card));
    }
  }

  if (const Json* memberships = member(wallet, "memberships")) {
    if (!memberships->is_array()) return bad("wallet.memberships", "must be an array of program names");
    if (memberships->size() > kMaxMemberships)
      return bad("wallet.memberships", "has " + std::to_string(memberships->size()) + " programs; at most " +
                                           std::to_string(kMaxMemberships));
    std::set<std::string> seen;
    for (std::size_t i = 0; i < memberships->size(); ++i) {
      const std::string mp = "wallet.memberships[" + std::to_string(i) + "]";
      const Json& m = (*memberships)[i];
      if (!m.is_string()) return bad(mp, "must be a string (a program's name)");
      const auto& s = m.get_ref<const std::string&>();
      if (s.empty()) return bad(mp, "must not be empty");
      if (s.size() > kMaxWalletTextBytes)
        return bad(mp, "is longer than " + std::to_string(kMaxWalletTextBytes) + " bytes");
      if (!seen.insert(s).second) return bad(mp, "\"" + s + "\" is listed twice");
      out["memberships"].push_back(s);
    }
  }

  if (const Json* g = member(wallet, "gift_cards")) {
    if (!g->is_string() || (*g != "use" && *g != "avoid"))
      return bad("wallet.gift_cards", "must be \"use\" or \"avoid\"");
    out["gift_cards"] = *g;
  }
  auto cashback = percent(wallet, "cashback_value_percent", "wallet.cashback_value_percent");
  if (!cashback) return cashback.error();
  if (*cashback) out["cashback_value_percent"] = **cashback;
  auto path = text(wallet, "payment_path", "wallet.payment_path", false);
  if (!path) return path.error();
  if (*path && !(*path)->empty()) out["payment_path"] = **path;

  // The values as the stacker reads them: percentages in range, unique card ids.
  Json request = {{"cart", {{"currency", "USD"}, {"lines", Json::array({{{"unit_price", "1"}}})}}},
                  {"wallet", {{"cards", out["cards"]}, {"payment_path", out["payment_path"]}}},
                  {"preferences", {{"cashback_value_percent", out["cashback_value_percent"]}}}};
  if (auto parsed = stacking::parse_request(request.dump(-1, ' ', false, Json::error_handler_t::replace)); !parsed)
    return wallet_path(parsed.error());
  return out;
}

}  // namespace dealstack::actions
