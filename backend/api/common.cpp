// What the endpoints share: error and JSON responses, body parsing, authentication.
#include "accounts/account_store.hpp"
#include "api/api.hpp"
#include "log/request_log.hpp"

namespace dealstack::backend::api {

Response json_response(int status, const Json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return r;
}

Response error_response(std::string code, std::string message) {
  int status = 500;
  if (code == "invalid_request") status = 400;
  else if (code == "unauthorized" || code == "token_expired" || code == "token_revoked" ||
           code == "invalid_credentials")
    status = 401;
  else if (code == "not_found") status = 404;
  else if (code == "method_not_allowed") status = 405;
  else if (code == "email_taken") status = 409;
  else if (code == "too_large") status = 413;
  else if (code == "rate_limited") status = 429;
  else if (code == "unavailable" || code == "db_busy") status = 503;
  if (code == "db_busy") {
    code = "unavailable";
    message = "the server is busy; try again shortly";
  }
  if (status == 500) {
    // The details (a file name, SQLite's words) go to the log, not to the client.
    log::event("error", "internal_error", {{"code", code}, {"message", message}});
    Error hidden = make_error("internal", "the server failed to answer this request; the operator's log has the details");
    code = std::move(hidden.code);
    message = std::move(hidden.message);
  }
  Response r = json_response(status, Json{{"error", {{"code", code}, {"message", message}}}});
  r.error = code;
  if (status == 503) r.retry_after = 1;
  return r;
}

Response error_response(const Error& error) { return error_response(error.code, error.message); }

Result<Json> parse_object(std::string_view body) {
  if (body.empty()) return make_error("invalid_request", "the body is empty; this endpoint takes a JSON object");
  Json j;
  try {
    j = Json::parse(body.begin(), body.end());
  } catch (const Json::parse_error& e) {
    return make_error("invalid_request", "the body is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
  if (!j.is_object()) return make_error("invalid_request", "the body must be a JSON object");
  return j;
}

Result<std::string> string_field(const Json& obj, const char* key, bool required) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (!required) return std::string();
    return make_error("invalid_request", std::string(key) + ": is missing");
  }
  if (!it->is_string()) return make_error("invalid_request", std::string(key) + ": must be a string");
  return it->get<std::string>();
}

Result<Credentials> read_credentials(const Json& body, std::initializer_list<const char*> allowed) {
  for (auto it = body.begin(); it != body.end(); ++it) {
    bool known = false;
    for (const char* name : allowed) known = known || it.key() == name;
    if (!known) {
      std::string expected;
      for (const char* name : allowed) expected += (expected.empty() ? "" : ", ") + std::string(name);
      return make_error("invalid_request", it.key().substr(0, 50) + ": unknown field (expected " + expected + ")");
    }
  }
  auto email_text = string_field(body, "email");
  if (!email_text) return email_text.error();
  auto email = accounts::normalize_email(*email_text);
  if (!email) return email.error();
  auto key_text = string_field(body, "auth_key");
  if (!key_text) return key_text.error();
  auto key = accounts::decode_auth_key(*key_text);
  crypto::wipe(*key_text);
  if (!key) return key.error();
  return Credentials{std::move(*email), std::move(*key)};
}

crypto::ScryptParams auth_hash_params(const ServerState& state) {
  crypto::ScryptParams params;
  params.n = std::uint64_t{1} << state.config.scrypt_log2_n;
  return params;
}

std::optional<std::int64_t> authenticate(ServerState& state, db::Db& db, const Request& req, Response& out) {
  auto who = accounts::authenticate(db, req.authorization, log::now_ms());
  if (!who) {
    out = error_response(who.error());
    return std::nullopt;
  }
  if (const auto wait = state.per_account.take(std::to_string(who->account_id)); wait > 0) {
    out = error_response("rate_limited", "too many requests for this account; retry after " + std::to_string(wait) + " s");
    out.retry_after = wait;
    out.account = who->account_id;
    return std::nullopt;
  }
  return who->account_id;
}

}  // namespace dealstack::backend::api
