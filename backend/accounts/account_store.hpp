// Accounts and sessions in the server database (db/schema.hpp). Every function is one short
// statement or transaction on the caller's connection; the scrypt work happens elsewhere
// (the caller passes the finished hash in, or gets the stored one out to verify).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accounts/credentials.hpp"
#include "core/result.hpp"
#include "db/sqlite.hpp"

namespace dealstack::backend::accounts {

struct Account {
  std::int64_t id = 0;
  std::string email;
  StoredHash hash;
  std::int64_t created_at = 0;  // unix ms
};

// Errors "email_taken" when the (normalised) email already has an account.
Result<std::int64_t> create_account(db::Db& db, const std::string& email, const StoredHash& hash, std::int64_t now_ms);
Result<std::optional<Account>> find_account(db::Db& db, std::string_view email);

struct NewSession {
  std::string token;        // the bearer token: returned once, never stored
  std::int64_t expires_at;  // unix ms
};
// lifetime_ms: from Config::token_lifetime_seconds.
Result<NewSession> create_session(db::Db& db, std::int64_t account_id, const std::string& device,
                                  std::int64_t now_ms, std::int64_t lifetime_ms);

struct Authenticated {
  std::int64_t account_id = 0;
  std::int64_t session_id = 0;
};
// The "Authorization" header's value ("Bearer TOKEN"). Errors: "unauthorized" (missing,
// malformed or unknown token), "token_expired", "token_revoked".
Result<Authenticated> authenticate(db::Db& db, std::string_view authorization, std::int64_t now_ms);

Status revoke_session(db::Db& db, std::int64_t session_id, std::int64_t now_ms);
// Revokes every live token of the account with this email; returns how many. Errors
// "not_found" for an unknown email.
Result<std::int64_t> revoke_all(db::Db& db, std::string_view email, std::int64_t now_ms);
// For tests and operators: moves every live token of the account to expire at `at_ms`.
Result<std::int64_t> expire_all(db::Db& db, std::string_view email, std::int64_t at_ms);

struct AccountSummary {
  std::int64_t id = 0;
  std::string email;
  std::int64_t created_at = 0;
  std::int64_t records = 0;
  std::int64_t live_sessions = 0;
};
Result<std::vector<AccountSummary>> list_accounts(db::Db& db, std::int64_t now_ms);

}  // namespace dealstack::backend::accounts
