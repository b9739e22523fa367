// watch.list: every watch, by id. Result: {"watches": [...]}.
#include "actions/actions.hpp"
#include "actions/records_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_watch_list(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::watch_list, [&s](const protocol::Json&) -> Result<protocol::Json> {
    auto all = s.store->list_watches();
    if (!all) return all.error();
    protocol::Json list = protocol::Json::array();
    for (const auto& w : *all) list.push_back(to_json(w));
    return protocol::Json{{"watches", list}};
  });
}

}  // namespace dealstack::actions
