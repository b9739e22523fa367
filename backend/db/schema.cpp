#include "db/schema.hpp"

#include <string>

#include "db/sqlite.hpp"

namespace dealstack::backend::db {

namespace {

const char* const kMigrations[] = {
    // 1: accounts, sessions, sync records, offers, rule packs.
    R"sql(
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  auth_salt BLOB NOT NULL,
  auth_hash BLOB NOT NULL,
  scrypt_n INTEGER NOT NULL,
  scrypt_r INTEGER NOT NULL,
  scrypt_p INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  token_hash BLOB NOT NULL UNIQUE,
  device TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE TABLE records (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  blob TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX records_seq ON records(account_id, seq);
CREATE TABLE offers (
  retailer TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  etag TEXT NOT NULL,
  imported_at INTEGER NOT NULL
);
CREATE TABLE rule_packs (
  retailer TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  envelope TEXT NOT NULL,
  etag TEXT NOT NULL,
  imported_at INTEGER NOT NULL
);
)sql",
};

}  // namespace

Status migrate(Db& db) {
  auto txn = db.begin_write();
  if (!txn) return txn.error();
  auto version_stmt = db.prepare("PRAGMA user_version", "read the schema version");
  if (!version_stmt) return version_stmt.error();
  auto row = version_stmt->step();
  if (!row) return row.error();
  const int version = static_cast<int>(version_stmt->int64(0));
  version_stmt = Stmt();
  if (version > kSchemaVersion)
    return make_error("db_schema_too_new", "the database has schema version " + std::to_string(version) +
                                               "; this server knows up to " + std::to_string(kSchemaVersion));
  if (version == kSchemaVersion) return Unit{};
  for (int v = version; v < kSchemaVersion; ++v) {
    if (auto s = db.exec(kMigrations[v], "migrate to schema version " + std::to_string(v + 1)); !s) return s;
  }
  if (auto s = db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion), "record the schema version"); !s)
    return s;
  return txn->commit();
}

}  // namespace dealstack::backend::db
