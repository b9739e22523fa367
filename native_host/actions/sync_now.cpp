// sync.now: one full round now (push, pull, offers, rule packs), or right after the one
// running. Params: none. Result: the sync.status object after it (a failed round is not an
// error: the status says backing_off or error, and why). Errors: not_logged_in.
#include "actions/actions.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_sync_now(protocol::Dispatcher& d, Services& s) {
  d.add_async(protocol::method::sync_now, [&s](const protocol::Json&, protocol::Respond respond) {
    if (!s.sync) return respond(make_error(protocol::error::internal_error, "sync.now: the agent runs without sync"));
    s.sync->sync_now(std::move(respond));
  });
}

}  // namespace dealstack::actions
