// offers.import: replace every offer the agent holds with a feed's (`dealstack offers import
// FILE` sends the file's content). Params: feed (the feed document, docs/stacking.md "Offer
// feed files"). Checked whole before anything is stored, then stored in one transaction.
// Result: {"retailers": n, "offers": n, "imported_at": ms}. Pushes `offers.updated` to every
// client. Errors: invalid_params naming the
// field ("feed.retailers[0].offers[3].discount.percent: ...").
#include "actions/actions.hpp"
#include "actions/offers_feed.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_offers_import(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::offers_import, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    const auto it = params.find("feed");
    if (it == params.end() || it->is_null())
      return make_error(protocol::error::invalid_params,
                        "feed: is required (the feed document, {\"retailers\": [...]})");
    auto feed = read_feed(*it);
    if (!feed) {
      const std::string& m = feed.error().message;
      return make_error(protocol::error::invalid_params,
                        m.rfind("the feed", 0) == 0 ? "feed: " + m : "feed." + m);
    }
    auto at = s.store->replace_offers(feed->retailers);
    if (!at) return at.error();
    if (s.publish) {
      protocol::Json names = protocol::Json::array();
      for (const auto& r : feed->retailers) names.push_back(r.retailer);
      s.publish(protocol::event::offers_updated, {{"imported_at", *at}, {"retailers", std::move(names)}});
    }
    return protocol::Json{{"retailers", feed->retailers.size()}, {"offers", feed->offers}, {"imported_at", *at}};
  });
}

}  // namespace dealstack::actions
