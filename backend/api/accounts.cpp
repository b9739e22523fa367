// POST /v1/accounts {"email","auth_key"} -> 201 {"account_id"}. The auth_key is hashed with
// scrypt on the hash pool; the insert runs there too (on that thread's own connection).
#include "accounts/account_store.hpp"
#include "api/api.hpp"
#include "log/request_log.hpp"

namespace dealstack::backend::api {

void create_account(ServerState& state, const Request& req, const Reply& reply) {
  auto body = parse_object(req.body);
  if (!body) return reply(error_response(body.error()));
  auto creds = read_credentials(*body, {"email", "auth_key"});
  if (!creds) return reply(error_response(creds.error()));
  const std::string& email = creds->email;

  auto db = state.db();
  if (!db) return reply(error_response(db.error()));
  auto existing = accounts::find_account(**db, email);
  if (!existing) return reply(error_response(existing.error()));
  if (*existing) return reply(error_response("email_taken", "an account with this email already exists"));

  const auto params = auth_hash_params(state);
  auto job = std::make_shared<crypto::SecretBytes>(std::move(creds->auth_key));
  const bool taken = state.hash_pool.submit([&state, job, params, email, reply] {
    auto hash = accounts::hash_auth_key(*job, params);
    if (!hash) return reply(error_response(hash.error()));
    auto db = state.db();
    if (!db) return reply(error_response(db.error()));
    auto id = accounts::create_account(**db, email, *hash, log::now_ms());
    if (!id) return reply(error_response(id.error()));
    Response r = json_response(201, Json{{"account_id", *id}});
    r.account = *id;
    reply(std::move(r));
  });
  if (!taken) reply(error_response("unavailable", "too many registrations and logins at once; retry shortly"));
}

}  // namespace dealstack::backend::api
