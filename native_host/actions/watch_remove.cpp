// watch.remove: stop watching (its history and alerts go with it). Params: id. Result:
// {"removed": id}. Errors: not_found. Event: watch.updated with "removed".
#include "actions/actions.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_watch_remove(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::watch_remove, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    auto id = protocol::Params(params).integer("id", 1, INT64_MAX);
    if (!id) return id.error();
    auto removed = s.store->remove_watch(*id);
    if (!removed) return removed.error();
    if (s.watch_removed) s.watch_removed(*id);
    if (s.publish) s.publish(protocol::event::watch_updated, {{"removed", *id}});
    return protocol::Json{{"removed", *id}};
  });
}

}  // namespace dealstack::actions
