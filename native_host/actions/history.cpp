// history: a watch's price chart, per UTC day (lowest, highest and last price in effect),
// for the popup. Params: watch_id, from_ms and to_ms (default: the last 90 days). Result:
// {"watch_id", "currency", "days": [{"day", "min", "max", "last"}], "last_check_at"}.
#include <chrono>

#include "actions/actions.hpp"
#include "actions/records_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_history(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::history, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    protocol::Params p(params);
    auto id = p.integer("watch_id", 1, INT64_MAX);
    if (!id) return id.error();
    auto watch = s.store->get_watch(*id);
    if (!watch) return watch.error();
    const std::int64_t now = store::system_clock_ms();
    auto to = p.optional_integer("to_ms", 0, INT64_MAX / 2);
    if (!to) return to.error();
    auto from = p.optional_integer("from_ms", 0, INT64_MAX / 2);
    if (!from) return from.error();
    const std::int64_t to_ms = to->value_or(now);
    const std::int64_t from_ms = from->value_or(to_ms - 90LL * 24 * 3600 * 1000);
    if (from_ms > to_ms) return make_error(protocol::error::invalid_params, "from_ms: after to_ms");
    auto chart = s.store->chart(*id, std::max<std::int64_t>(0, from_ms), to_ms);
    if (!chart) return chart.error();
    protocol::Json j = to_json(*chart);
    j["watch_id"] = *id;
    j["last_check_at"] = watch->last_check_at ? protocol::Json(*watch->last_check_at) : protocol::Json(nullptr);
    return j;
  });
}

}  // namespace dealstack::actions
