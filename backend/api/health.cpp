// GET /v1/health: {"status":"ok","version","time"}; 503 "unavailable" when this thread can't
// reach the database (so a load balancer stops sending here).
#include "api/api.hpp"
#include "log/request_log.hpp"

namespace dealstack::backend::api {

void health(ServerState& state, const Request&, const Reply& reply) {
  if (auto db = state.db(); !db) {
    reply(error_response("unavailable", "the database can't be opened: " + db.error().code));
    return;
  }
  reply(json_response(200, Json{{"status", "ok"}, {"version", kVersion}, {"time", log::now_ms()}}));
}

}  // namespace dealstack::backend::api
