// watch.update: change a watch's rules or pause it. Params: id, and any of target_price
// (with currency; null clears it), drop_bp (null clears), notify_restock, notify_increase,
// interval_seconds, active_hours (null clears), state ("active" or "paused"). Fields left
// out keep their values; url and variant can't change (that is another watch). Result: the
// watch as stored. Errors: not_found, invalid_params naming the field. Event: watch.updated.
#include "actions/actions.hpp"
#include "actions/records_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_watch_update(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::watch_update, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    auto id = protocol::Params(params).integer("id", 1, INT64_MAX);
    if (!id) return id.error();
    for (const char* fixed : {"url", "variant"})
      if (params.contains(fixed))
        return make_error(protocol::error::invalid_params,
                          std::string(fixed) + ": can't be changed; remove the watch and add a new one");
    auto state = protocol::Params(params).optional_string("state", 16);
    if (!state) return state.error();
    if (*state && **state != "active" && **state != "paused")
      return make_error(protocol::error::invalid_params, "state: must be \"active\" or \"paused\"");
    auto stored = s.store->get_watch(*id);
    if (!stored) return stored.error();

    // The stored watch as watch.add's params, with the given fields laid over it, read by
    // the same code as watch.add (so both take and check fields alike).
    protocol::Json merged = to_json(*stored);
    for (const char* derived : {"id", "title", "created_at", "last_check_at", "state"}) merged.erase(derived);
    for (const auto& [key, value] : params.items())
      if (key != "id" && key != "state") merged[key] = value;
    // A new target in another currency replaces the old pair as a whole.
    if (params.contains("target_price") && params["target_price"].is_null() && !params.contains("currency"))
      merged.erase("currency");
    auto w = watch_from_params(merged);
    if (!w) return w.error();
    w->id = *id;
    w->state = state->value_or(stored->state);
    if (!w->target_price && !params.contains("currency")) w->currency = stored->currency;
    auto updated = s.store->update_watch(*w);
    if (!updated) return updated.error();
    if (s.watch_changed) s.watch_changed(*updated);
    protocol::Json j = to_json(*updated);
    if (s.publish) s.publish(protocol::event::watch_updated, {{"watch", j}});
    return j;
  });
}

}  // namespace dealstack::actions
