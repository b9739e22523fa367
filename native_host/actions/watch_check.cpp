// watch.check: check a watch now (fetch, read, store, evaluate its rules), ahead of every
// scheduled check but still one request at a time per shop. Params: id. Result, once the
// check is stored: {"watch", "observation", "changed", "alert"} (alert null when none fired).
// Errors: not_found; check_failed (the shop didn't answer usefully: the message says why,
// and the watch backs off as after any failed check); agent_stopping.
#include "actions/actions.hpp"
#include "actions/records_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_watch_check(protocol::Dispatcher& d, Services& s) {
  d.add_async(protocol::method::watch_check, [&s](const protocol::Json& params, protocol::Respond respond) {
    auto id = protocol::Params(params).integer("id", 1, INT64_MAX);
    if (!id) return respond(id.error());
    if (!s.check_now) return respond(make_error(protocol::error::internal_error, "watch.check: the monitor isn't running"));
    s.check_now(*id, [respond](Result<monitor::CheckDone> done) {
      if (!done) return respond(done.error());
      respond(protocol::Json{{"watch", to_json(done->watch)},
                             {"observation", done->observation ? to_json(*done->observation) : protocol::Json(nullptr)},
                             {"changed", done->changed},
                             {"alert", done->alert ? to_json(*done->alert) : protocol::Json(nullptr)}});
    });
  });
}

}  // namespace dealstack::actions
