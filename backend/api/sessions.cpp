// POST /v1/sessions {"email","auth_key","device"} -> 201 {"token","expires_at"};
// DELETE /v1/sessions/current -> 204 (revokes the bearer token used).
#include "accounts/account_store.hpp"
#include "api/api.hpp"
#include "log/request_log.hpp"

namespace dealstack::backend::api {

namespace {
// A fixed stand-in hashed for unknown emails, so their answer takes as long as a wrong key's.
const accounts::StoredHash& dummy_hash(const crypto::ScryptParams& params) {
  static const accounts::StoredHash h{std::string(accounts::kSaltBytes, 's'), std::string(accounts::kHashBytes, 'h'), params};
  return h;
}
}  // namespace

void create_session(ServerState& state, const Request& req, const Reply& reply) {
  auto body = parse_object(req.body);
  if (!body) return reply(error_response(body.error()));
  auto creds = read_credentials(*body, {"email", "auth_key", "device"});
  if (!creds) return reply(error_response(creds.error()));
  auto device_text = string_field(*body, "device", false);
  if (!device_text) return reply(error_response(device_text.error()));
  auto device = accounts::normalize_device(*device_text);
  if (!device) return reply(error_response(device.error()));

  const auto params = auth_hash_params(state);
  auto job = std::make_shared<crypto::SecretBytes>(std::move(creds->auth_key));
  const bool taken = state.hash_pool.submit([&state, job, params, email = creds->email, device = *device, reply] {
    auto db = state.db();
    if (!db) return reply(error_response(db.error()));
    auto account = accounts::find_account(**db, email);
    if (!account) return reply(error_response(account.error()));
    const accounts::StoredHash& stored = *account ? (*account)->hash : dummy_hash(params);
    auto ok = accounts::verify_auth_key(*job, stored);
    if (!ok) return reply(error_response(ok.error()));
    if (!*account || !*ok) return reply(error_response("invalid_credentials", "the email or the password is wrong"));
    auto session = accounts::create_session(**db, (*account)->id, device, log::now_ms(),
                                            state.config.token_lifetime_seconds * 1000);
    if (!session) return reply(error_response(session.error()));
    Response r = json_response(201, Json{{"token", session->token}, {"expires_at", session->expires_at}});
    crypto::wipe(session->token);
    r.account = (*account)->id;
    reply(std::move(r));
  });
  if (!taken) reply(error_response("unavailable", "too many registrations and logins at once; retry shortly"));
}

void delete_session(ServerState& state, const Request& req, const Reply& reply) {
  auto db = state.db();
  if (!db) return reply(error_response(db.error()));
  auto who = accounts::authenticate(**db, req.authorization, log::now_ms());
  if (!who) return reply(error_response(who.error()));
  if (auto s = accounts::revoke_session(**db, who->session_id, log::now_ms()); !s) return reply(error_response(s.error()));
  Response r;
  r.status = 204;
  r.account = who->account_id;
  reply(std::move(r));
}

}  // namespace dealstack::backend::api
