// alerts.list: alerts, newest first. Params: unacknowledged_only (default true). Result:
// {"alerts": [...]}.
#include "actions/actions.hpp"
#include "actions/records_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_alerts_list(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::alerts_list, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    auto only = protocol::Params(params).boolean("unacknowledged_only", true);
    if (!only) return only.error();
    auto all = s.store->list_alerts(*only);
    if (!all) return all.error();
    protocol::Json list = protocol::Json::array();
    for (const auto& a : *all) list.push_back(to_json(a));
    return protocol::Json{{"alerts", list}};
  });
}

}  // namespace dealstack::actions
