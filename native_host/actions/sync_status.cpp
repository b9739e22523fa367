// sync.status: the sync loop's state (docs/sync.md, "States"). Params: none. Result:
// {"state", "server", "email", "last_sync_at", "next_attempt_at", "pending", "records",
// "last_error", "offers_synced_at", "rules"}. Never a secret.
#include "actions/actions.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_sync_status(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::sync_status, [&s](const protocol::Json&) -> Result<protocol::Json> {
    if (!s.sync) return make_error(protocol::error::internal_error, "sync.status: the agent runs without sync");
    return s.sync->status();
  });
}

}  // namespace dealstack::actions
