// POST /v1/sync (Bearer): push and pull one account's records (sync/sync_request.hpp).
#include "api/api.hpp"
#include "log/request_log.hpp"
#include "sync/sync_request.hpp"

namespace dealstack::backend::api {

void sync(ServerState& state, const Request& req, const Reply& reply) {
  auto db = state.db();
  if (!db) return reply(error_response(db.error()));
  Response denied;
  const auto account = authenticate(state, **db, req, denied);
  if (!account) return reply(std::move(denied));
  auto request = sync::parse_sync_request(req.body);
  if (!request) {
    Response r = error_response(request.error());
    r.account = *account;
    return reply(std::move(r));
  }
  auto body = sync::apply_sync(**db, *account, *request, log::now_ms());
  Response r;
  if (body) r.body = std::move(*body);
  else r = error_response(body.error());
  r.account = *account;
  reply(std::move(r));
}

}  // namespace dealstack::backend::api
