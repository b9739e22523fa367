#include "accounts/account_store.hpp"

namespace dealstack::backend::accounts {

Result<std::int64_t> create_account(db::Db& db, const std::string& email, const StoredHash& hash, std::int64_t now_ms) {
  auto st = db.cached(
      "INSERT INTO accounts (email, auth_salt, auth_hash, scrypt_n, scrypt_r, scrypt_p, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
      "create an account");
  if (!st) return st.error();
  st->bind(1, email).bind_blob(2, hash.salt).bind_blob(3, hash.hash);
  st->bind(4, static_cast<std::int64_t>(hash.params.n)).bind(5, static_cast<std::int64_t>(hash.params.r));
  st->bind(6, static_cast<std::int64_t>(hash.params.p)).bind(7, now_ms);
  if (auto s = st->run(); !s) {
    if (s.error().code == "constraint") return make_error("email_taken", "an account with this email already exists");
    return s.error();
  }
  return db.last_insert_id();
}

Result<std::optional<Account>> find_account(db::Db& db, std::string_view email) {
  auto st = db.cached(
      "SELECT id, email, auth_salt, auth_hash, scrypt_n, scrypt_r, scrypt_p, created_at FROM accounts WHERE email = ?1",
      "find an account");
  if (!st) return st.error();
  st->bind(1, email);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Account>{};
  Account a;
  a.id = st->int64(0);
  a.email = st->text(1);
  a.hash.salt = st->text(2);
  a.hash.hash = st->text(3);
  a.hash.params.n = static_cast<std::uint64_t>(st->int64(4));
  a.hash.params.r = static_cast<std::uint32_t>(st->int64(5));
  a.hash.params.p = static_cast<std::uint32_t>(st->int64(6));
  a.created_at = st->int64(7);
  return std::optional<Account>(std::move(a));
}

Result<NewSession> create_session(db::Db& db, std::int64_t account_id, const std::string& device,
                                  std::int64_t now_ms, std::int64_t lifetime_ms) {
  auto token = new_token();
  if (!token) return token.error();
  auto st = db.cached(
      "INSERT INTO sessions (account_id, token_hash, device, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)",
      "create a session");
  if (!st) return st.error();
  const std::int64_t expires_at = now_ms + lifetime_ms;
  st->bind(1, account_id).bind_blob(2, token_hash(*token)).bind(3, device).bind(4, now_ms).bind(5, expires_at);
  if (auto s = st->run(); !s) return s.error();
  return NewSession{std::move(*token), expires_at};
}

Result<Authenticated> authenticate(db::Db& db, std::string_view authorization, std::int64_t now_ms) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.empty()) return make_error("unauthorized", "this request needs an Authorization: Bearer token");
  if (authorization.size() < kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), authorization.begin(),
                  [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); }))
    return make_error("unauthorized", "the Authorization header must be \"Bearer TOKEN\"");
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 200) return make_error("unauthorized", "the bearer token is malformed");
  auto st = db.cached("SELECT id, account_id, expires_at, revoked_at FROM sessions WHERE token_hash = ?1",
                      "look up a token");
  if (!st) return st.error();
  st->bind_blob(1, token_hash(token));
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return make_error("unauthorized", "the bearer token is not known to this server; log in again");
  if (!st->is_null(3)) return make_error("token_revoked", "the bearer token was revoked; log in again");
  if (st->int64(2) <= now_ms) return make_error("token_expired", "the bearer token has expired; log in again");
  return Authenticated{st->int64(1), st->int64(0)};
}

Status revoke_session(db::Db& db, std::int64_t session_id, std::int64_t now_ms) {
  auto st = db.cached("UPDATE sessions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", "revoke a session");
  if (!st) return st.error();
  st->bind(1, session_id).bind(2, now_ms);
  return st->run();
}

namespace {
Result<std::int64_t> account_id_of(db::Db& db, std::string_view email) {
  auto normal = normalize_email(email);
  if (!normal) return normal.error();
  auto account = find_account(db, *normal);
  if (!account) return account.error();
  if (!*account) return make_error("not_found", "no account has the email " + *normal);
  return (*account)->id;
}
}  // namespace

Result<std::int64_t> revoke_all(db::Db& db, std::string_view email, std::int64_t now_ms) {
  auto id = account_id_of(db, email);
  if (!id) return id.error();
  auto st = db.prepare("UPDATE sessions SET revoked_at = ?2 WHERE account_id = ?1 AND revoked_at IS NULL",
                       "revoke an account's sessions");
  if (!st) return st.error();
  st->bind(1, *id).bind(2, now_ms);
  if (auto s = st->run(); !s) return s.error();
  return db.changes();
}

Result<std::int64_t> expire_all(db::Db& db, std::string_view email, std::int64_t at_ms) {
  auto id = account_id_of(db, email);
  if (!id) return id.error();
  auto st = db.prepare("UPDATE sessions SET expires_at = ?2 WHERE account_id = ?1 AND revoked_at IS NULL",
                       "expire an account's sessions");
  if (!st) return st.error();
  st->bind(1, *id).bind(2, at_ms);
  if (auto s = st->run(); !s) return s.error();
  return db.changes();
}

Result<std::vector<AccountSummary>> list_accounts(db::Db& db, std::int64_t now_ms) {
  auto st = db.prepare(
      "SELECT a.id, a.email, a.created_at, "
      "(SELECT count(*) FROM records r WHERE r.account_id = a.id), "
      "(SELECT count(*) FROM sessions s WHERE s.account_id = a.id AND s.revoked_at IS NULL AND s.expires_at > ?1) "
      "FROM accounts a ORDER BY a.id",
      "list accounts");
  if (!st) return st.error();
  st->bind(1, now_ms);
  std::vector<AccountSummary> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({st->int64(0), st->text(1), st->int64(2), st->int64(3), st->int64(4)});
  }
  return out;
}

}  // namespace dealstack::backend::accounts
