// sync.logout (CLI only): revoke the token on the server (best effort: DELETE
// /v1/sessions/current), delete the token and the sync key from the vault, forget the
// account's records and cursor (local watches, wallet and settings stay, and so do changes
// not pushed yet). Params: none. Result: the sync.status object (state "off").
#include "actions/actions.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_sync_logout(protocol::Dispatcher& d, Services& s) {
  d.add_async(protocol::method::sync_logout, [&s](const protocol::Json&, protocol::Respond respond) {
    if (!s.sync) return respond(make_error(protocol::error::internal_error, "sync.logout: the agent runs without sync"));
    s.sync->logout(std::move(respond));
  });
}

}  // namespace dealstack::actions
