// offers.list: what the latest import holds. No params. Result: {"retailers": [{"retailer",
// "offers": count}] (by name), "imported_at": unix ms, or null when none was ever made}.
#include "actions/actions.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_offers_list(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::offers_list, [&s](const protocol::Json&) -> Result<protocol::Json> {
    auto summary = s.store->offer_summary();
    if (!summary) return summary.error();
    protocol::Json list = protocol::Json::array();
    for (const auto& [retailer, count] : summary->retailers)
      list.push_back({{"retailer", retailer}, {"offers", count}});
    return protocol::Json{{"retailers", std::move(list)},
                          {"imported_at", summary->imported_at ? protocol::Json(*summary->imported_at)
                                                               : protocol::Json(nullptr)}};
  });
}

}  // namespace dealstack::actions
