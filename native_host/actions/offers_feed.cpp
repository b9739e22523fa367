#include "actions/offers_feed.hpp"

#include <map>
#include <optional>
#include <utility>

#include "stacking/request_json.hpp"

namespace dealstack::actions {

namespace {

using protocol::Json;

Error feed_error(const std::string& path, const std::string& what) {
  return make_error("invalid_feed", path.empty() ? what : path + ": " + what);
}

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// True when arrays and objects nest deeper than `max` levels. Iterative: the value may come
// from a hostile file, and nlohmann's dump() recurses.
bool deeper_than(const Json& root, std::size_t max) {
  std::vector<std::pair<const Json*, std::size_t>> todo{{&root, 1}};
  while (!todo.empty()) {
    const auto [value, depth] = todo.back();
    todo.pop_back();
    if (!value->is_structured()) continue;
    if (depth > max) return true;
    for (const Json& child : *value) todo.emplace_back(&child, depth + 1);
  }
  return false;
}

// Null reads as absent, as in stacking requests.
const Json* member(const Json& obj, const char* key) {
  const auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

// An unknown key of `obj` (the first in key order), if any: fields nothing reads would be
// dropped without a word, so a misspelt "rule" is refused instead.
std::optional<std::string> unknown_key(const Json& obj, std::initializer_list<const char*> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool found = false;
    for (const char* k : known) found = found || it.key() == k;
    if (!found) return it.key().substr(0, 100);
  }
  return std::nullopt;
}

std::string json_quoted(std::string_view s) { return dump(Json(std::string(s.substr(0, 100)))); }

// The stacker's error for the request built from retailers[i], with its path moved to where
// the field is in the feed.
Error feed_path(const Error& e, const std::string& at, const std::string& currency_path) {
  const std::string& m = e.message;
  auto starts = [&](std::string_view p) { return m.compare(0, p.size(), p) == 0; };
  if (starts("offers")) {
    std::string moved = at + "." + m;
    // One currency per retailer: say so rather than speak of a cart the feed doesn't have.
    if (const auto c = moved.find(" but the cart is in "); c != std::string::npos && e.code == "currency_mismatch")
      moved.replace(c, 20, " but this retailer's offers are in ");
    return make_error("invalid_feed", moved);
  }
  if (starts("retailer.") || starts("retailer:")) return make_error("invalid_feed", at + ".rules" + m.substr(8));
  if (starts("cart.currency")) return make_error("invalid_feed", currency_path + m.substr(13));
  return make_error("invalid_feed", at + ": " + m);
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

Result<std::string> retailer_key(std::string_view name) {
  auto bad = [](const std::string& why) { return make_error("invalid_params", why); };
  if (name.empty()) return bad("must be a shop's host name, not empty");
  if (name.size() > store::kMaxRetailerBytes)
    return bad("is " + std::to_string(name.size()) + " bytes; a host name has at most " +
               std::to_string(store::kMaxRetailerBytes));
  if (name.find_first_of("/?#@ ") != std::string_view::npos)
    return bad(json_quoted(name) + " is not a host name (no scheme, path or spaces: \"shop.example\")");
  std::string key(name);
  for (char& c : key)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  std::string host = key, port;
  if (!host.empty() && host.front() == '[') {  // [::1]:8080
    const auto close = host.find(']');
    if (close == std::string::npos) return bad(json_quoted(name) + " has '[' without ']'");
    port = host.substr(close + 1);
    host = host.substr(0, close + 1);
    for (std::size_t i = 1; i + 1 < host.size(); ++i)
      if (!(host_char(host[i]) || host[i] == ':' || host[i] == '.'))
        return bad(json_quoted(name) + " is not a host name");
    if (host.size() < 3) return bad(json_quoted(name) + " is not a host name");
  } else {
    const auto colon = host.find(':');
    if (colon != std::string::npos) {
      port = host.substr(colon);
      host.resize(colon);
    }
    if (host.size() > 4 && host.compare(0, 4, "www.") == 0) host.erase(0, 4);
    if (!host.empty() && host.back() == '.') host.pop_back();
    if (host.empty()) return bad(json_quoted(name) + " has no host name");
    std::size_t label = 0;
    for (char c : host) {
      if (c == '.') {
        if (label == 0) return bad(json_quoted(name) + " has an empty label (\"..\" or a leading '.')");
        label = 0;
      } else if (!host_char(c)) {
        return bad(json_quoted(name) + " is not a host name (letters, digits, '-', '.'; no scheme or path)");
      } else {
        ++label;
      }
    }
    if (label == 0) return bad(json_quoted(name) + " ends with an empty label");
  }
  if (!port.empty()) {
    if (port.size() < 2 || port.size() > 6 || port[0] != ':' ||
        port.find_first_not_of("0123456789", 1) != std::string::npos)
      return bad(json_quoted(name) + " has a bad port (\":\" and up to 5 digits)");
  }
  return host + port;
}

Result<Json> parse_feed_text(std::string_view text) {
  if (text.size() > kMaxFeedBytes)
    return feed_error("", "the feed is over " + std::to_string(kMaxFeedBytes >> 20) + " MiB");
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return feed_error("", "the feed is not valid JSON");
  return j;
}

Result<Feed> read_feed(const Json& feed) {
  if (!feed.is_object()) return feed_error("", "the feed must be a JSON object {\"retailers\": [...]}");
  if (deeper_than(feed, kMaxFeedDepth))
    return feed_error("", "the feed nests deeper than " + std::to_string(kMaxFeedDepth) + " levels");
  if (const auto k = unknown_key(feed, {"retailers"}))
    return feed_error(*k, "unknown field (a feed has only \"retailers\")");
  const Json* list = member(feed, "retailers");
  if (list == nullptr) return feed_error("retailers", "is required");
  if (!list->is_array()) return feed_error("retailers", "must be an array");
  if (list->size() > kMaxFeedRetailers)
    return feed_error("retailers", "has " + std::to_string(list->size()) + " retailers; at most " +
                                       std::to_string(kMaxFeedRetailers));
  std::size_t total = 0;
  for (const Json& r : *list)
    if (const Json* offers = r.is_object() ? member(r, "offers") : nullptr; offers && offers->is_array())
      total += offers->size();
  if (total > kMaxFeedOffers)
    return feed_error("retailers", "hold " + std::to_string(total) + " offers in all; at most " +
                                       std::to_string(kMaxFeedOffers));

  Feed out;
  std::map<std::string, std::size_t> seen;  // retailer key -> index
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = "retailers[" + std::to_string(i) + "]";
    const Json& entry = (*list)[i];
    if (!entry.is_object()) return feed_error(at, "must be an object");
    if (const auto k = unknown_key(entry, {"retailer", "currency", "rules", "offers"}))
      return feed_error(at + "." + *k, "unknown field (a retailer has \"retailer\", \"currency\", \"rules\", \"offers\")");

    const Json* name = member(entry, "retailer");
    if (name == nullptr) return feed_error(at + ".retailer", "is required");
    if (!name->is_string()) return feed_error(at + ".retailer", "must be a string (the shop's host name)");
    auto key = retailer_key(name->get_ref<const std::string&>());
    if (!key) return feed_error(at + ".retailer", key.error().message);
    if (const auto [it, fresh] = seen.emplace(*key, i); !fresh)
      return feed_error(at + ".retailer", json_quoted(*key) + " is the same shop as retailers[" +
                                              std::to_string(it->second) + "]");

    const Json* rules = member(entry, "rules");
    if (rules != nullptr && !rules->is_object()) return feed_error(at + ".rules", "must be an object");
    const Json* offers = member(entry, "offers");
    if (offers == nullptr) return feed_error(at + ".offers", "is required (an empty list is fine)");
    if (!offers->is_array()) return feed_error(at + ".offers", "must be an array");
    if (offers->size() > stacking::kMaxOffers)
      return feed_error(at + ".offers", "has " + std::to_string(offers->size()) + " offers; at most " +
                                            std::to_string(stacking::kMaxOffers) + " per retailer");

    // The currency the offers are checked in: the entry's, else the first an offer names,
    // else a stand-in with two decimals (an offer without one takes the cart's at stack time).
    std::string currency = "USD";
    std::string currency_path = at + ".currency";
    if (const Json* c = member(entry, "currency")) {
      if (!c->is_string()) return feed_error(currency_path, "must be a string (ISO 4217, \"USD\")");
      currency = c->get<std::string>();
    } else {
      for (std::size_t k = 0; k < offers->size(); ++k) {
        const Json& o = (*offers)[k];
        const Json* c = o.is_object() ? member(o, "currency") : nullptr;
        if (c != nullptr && c->is_string()) {
          currency = c->get<std::string>();
          currency_path = at + ".offers[" + std::to_string(k) + "].currency";
          break;
        }
      }
    }

    // The request the stacker would get for a one-line cart at this shop with these offers.
    Json request = {{"cart", {{"currency", currency}, {"retailer", *key}, {"lines", Json::array({{{"unit_price", "1"}}})}}},
                    {"offers", Json::array()}};
    if (rules != nullptr) request["retailer"] = *rules;
    store::RetailerOffers stored;
    stored.retailer = *key;
    if (rules != nullptr) stored.rules = dump(*rules);
    for (std::size_t k = 0; k < offers->size(); ++k) {
      const Json& o = (*offers)[k];
      if (!o.is_object()) return feed_error(at + ".offers[" + std::to_string(k) + "]", "must be an object");
      Json plain = o;
      if (const auto it = plain.find("requires_membership"); it != plain.end()) {
        const std::string mp = at + ".offers[" + std::to_string(k) + "].requires_membership";
        if (!it->is_null()) {
          if (!it->is_string()) return feed_error(mp, "must be a string (a program's name)");
          const auto& m = it->get_ref<const std::string&>();
          if (m.empty()) return feed_error(mp, "must not be empty");
          if (m.size() > kMaxMembershipBytes)
            return feed_error(mp, "is longer than " + std::to_string(kMaxMembershipBytes) + " bytes");
        }
        plain.erase(it);
      }
      request["offers"].push_back(std::move(plain));
      stored.offers.push_back(dump(o));
    }
    const std::string text = dump(request);
    if (text.size() > stacking::kMaxRequestBytes)
      return feed_error(at, "its offers are over " + std::to_string(stacking::kMaxRequestBytes >> 20) +
                                " MiB as one stacking request");
    if (auto parsed = stacking::parse_request(text); !parsed) return feed_path(parsed.error(), at, currency_path);
    out.offers += stored.offers.size();
    out.retailers.push_back(std::move(stored));
  }
  return out;
}

}  // namespace dealstack::actions
