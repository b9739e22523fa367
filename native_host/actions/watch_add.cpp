// watch.add: start watching a product page. Params: url, and optionally variant,
// target_price + currency, drop_bp, notify_restock, notify_increase, interval_seconds,
// active_hours. Result: the watch as stored. Event: watch.updated.
#include "actions/actions.hpp"
#include "actions/records_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_watch_add(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::watch_add, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    auto w = watch_from_params(params);
    if (!w) return w.error();
    auto stored = s.store->add_watch(*w);
    if (!stored) return stored.error();
    if (s.watch_changed) s.watch_changed(*stored);
    protocol::Json j = to_json(*stored);
    if (s.publish) s.publish(protocol::event::watch_updated, {{"watch", j}});
    return j;
  });
}

}  // namespace dealstack::actions
