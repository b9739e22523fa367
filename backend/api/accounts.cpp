// POST /v1/accounts {"email","auth_key"} -> 201 {"account_id"}. The auth_key is hashed with
// scrypt on the hash pool; the insert runs there too (on that thread's own connection).
#include "accounts/account_store.hpp"
#include "api/api.hpp"
#include "log/request_log.hpp"

namespace dealstack::backend::api {

void create_account(ServerState& state, const Request& req, const Reply& reply) {
  auto body = parse_object(req.body);
  if (!body) return reply(error_response(body.error()));
  for (auto it = body->begin(); it != body->end(); ++it)
    if (it.key() != "email" && it.key() != "auth_key")
      return reply(error_response("invalid_request", it.key().substr(0, 50) + ": unknown field (expected email, auth_key)"));
  auto email_text = string_field(*body, "email");
  if (!email_text) return reply(error_response(email_text.error()));
  auto email = accounts::normalize_email(*email_text);
  if (!email) return reply(error_response(email.error()));
  auto key_text = string_field(*body, "auth_key");
  if (!key_text) return reply(error_response(key_text.error()));
  auto key = accounts::decode_auth_key(*key_text);
  crypto::wipe(*key_text);
  if (!key) return reply(error_response(key.error()));

  auto db = state.db();
  if (!db) return reply(error_response(db.error()));
  auto existing = accounts::find_account(**db, *email);
  if (!existing) return reply(error_response(existing.error()));
  if (*existing) return reply(error_response("email_taken", "an account with this email already exists"));

  crypto::ScryptParams params;
  params.n = std::uint64_t{1} << state.config.scrypt_log2_n;
  auto job = std::make_shared<crypto::SecretBytes>(std::move(*key));
  const bool taken = state.hash_pool.submit([&state, job, params, email = *email, reply] {
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
