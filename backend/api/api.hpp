// The HTTP API v1 (contract section 4; docs/backend.md): one file per endpoint, each a
// function from a request to a response. The session (server/session.hpp) has read the whole
// request within the limits before a handler runs; a handler answers through `reply`, at once
// or later from another thread (the password-hash pool): reply is safe to call from any thread,
// exactly once.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "crypto/crypto.hpp"
#include "server/state.hpp"

namespace dealstack::backend::api {

using Json = nlohmann::json;

inline constexpr const char* kVersion = "0.1.0";

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // the target without its query
  std::string body;
  std::string authorization;  // the header's value, "" when absent
  std::string if_none_match;
  std::string addr;    // the client's address
};

struct Response {
  int status = 200;
  std::string body;                       // JSON unless content_type says otherwise
  std::string etag;                       // set on documents served with ETags
  std::int64_t retry_after = 0;           // seconds, for 429 and 503
  std::optional<std::int64_t> account;    // for the log line
  std::string error;                      // the error code of an error response, for the log line
};

using Reply = std::function<void(Response)>;

// {"error":{"code","message"}} with the status the contract gives the code: invalid_request
// 400, unauthorized/token_expired/token_revoked/invalid_credentials 401, not_found 404,
// email_taken 409, too_large 413, rate_limited 429, unavailable (and db_busy) 503, anything
// else 500 "internal" (whose message is logged, not sent).
Response error_response(const Error& error);
Response error_response(std::string code, std::string message);
Response json_response(int status, const Json& body);

// The request body as a JSON object. Errors "invalid_request" naming the byte where the JSON
// breaks, or that it is not an object.
Result<Json> parse_object(std::string_view body);
// A string member; errors "invalid_request" ("email: must be a string").
Result<std::string> string_field(const Json& obj, const char* key, bool required = true);

// What POST /v1/accounts and /v1/sessions both read: "email" (normalized) and "auth_key"
// (decoded; its text wiped), after refusing any member not in `allowed` ("invalid_request"
// naming it and the expected ones). Other fields are the caller's to read.
struct Credentials {
  std::string email;
  crypto::SecretBytes auth_key;
};
Result<Credentials> read_credentials(const Json& body, std::initializer_list<const char*> allowed);
// The scrypt parameters auth keys are hashed with: N = 2^accounts.scrypt_log2_n, r = 8, p = 1.
crypto::ScryptParams auth_hash_params(const ServerState& state);

// Authenticates the bearer token and takes a token from the account's bucket.
// On failure `out` is the response to send.
std::optional<std::int64_t> authenticate(ServerState& state, db::Db& db, const Request& req, Response& out);

void health(ServerState& state, const Request& req, const Reply& reply);
void create_account(ServerState& state, const Request& req, const Reply& reply);  // POST /v1/accounts
void create_session(ServerState& state, const Request& req, const Reply& reply);  // POST /v1/sessions
void delete_session(ServerState& state, const Request& req, const Reply& reply);  // DELETE /v1/sessions/current
void sync(ServerState& state, const Request& req, const Reply& reply);            // POST /v1/sync
// GET /v1/offers and /v1/offers/{retailer} ("" = the whole feed).
void offers(ServerState& state, const Request& req, std::string_view retailer, const Reply& reply);
void rules_index(ServerState& state, const Request& req, const Reply& reply);    // GET /v1/rules
void rules_pack(ServerState& state, const Request& req, std::string_view retailer, const Reply& reply);

}  // namespace dealstack::backend::api
