// alerts.ack: the shopper has seen an alert (it stops being pushed and listed as new).
// Params: id. Result: {"acknowledged": id}. Errors: not_found.
#include "actions/actions.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_alerts_ack(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::alerts_ack, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    auto id = protocol::Params(params).integer("id", 1, INT64_MAX);
    if (!id) return id.error();
    auto ok = s.store->acknowledge_alert(*id);
    if (!ok) return ok.error();
    return protocol::Json{{"acknowledged", *id}};
  });
}

}  // namespace dealstack::actions
