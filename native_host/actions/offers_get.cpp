// offers.get: the offers the agent holds for one shop, for the stacker. Params: retailer
// (the page's host name; compared ignoring ASCII case, a leading "www." dropped). Result:
// {"retailer" (as kept: "shop.example"), "rules" (the shop's rules or null), "offers"
// (as imported, requires_membership included; [] for a shop the feed doesn't have),
// "imported_at" (unix ms of the latest import; null when none was ever made)}.
// Errors: invalid_params.
#include "actions/actions.hpp"
#include "actions/offers_feed.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

namespace {

Result<protocol::Json> stored_json(const std::string& text, const std::string& what) {
  protocol::Json j = protocol::Json::parse(text, nullptr, false);
  if (j.is_discarded()) return make_error(protocol::error::internal_error, "offers.get: the stored " + what + " is not JSON");
  return j;
}

}  // namespace

void add_offers_get(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::offers_get, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    auto name = protocol::Params(params).string("retailer", 1024);
    if (!name) return name.error();
    auto key = retailer_key(*name);
    if (!key) return make_error(protocol::error::invalid_params, "retailer: " + key.error().message);
    auto at = s.store->offers_imported_at();
    if (!at) return at.error();
    auto held = s.store->retailer_offers(*key);
    if (!held) return held.error();
    protocol::Json out{{"retailer", *key}, {"rules", nullptr}, {"offers", protocol::Json::array()},
                       {"imported_at", *at ? protocol::Json(**at) : protocol::Json(nullptr)}};
    if (*held) {
      if ((*held)->rules) {
        auto rules = stored_json(*(*held)->rules, "rules");
        if (!rules) return rules.error();
        out["rules"] = std::move(*rules);
      }
      for (const std::string& text : (*held)->offers) {
        auto offer = stored_json(text, "offer");
        if (!offer) return offer.error();
        out["offers"].push_back(std::move(*offer));
      }
    }
    return out;
  });
}

}  // namespace dealstack::actions
