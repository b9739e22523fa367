// The server database's tables (one SQLite file, data_dir/server.sqlite3), versioned with
// PRAGMA user_version. Each migration runs once, all pending ones in one transaction.
//
//   accounts   id, email (lower case, unique), the scrypt hash of the client's auth_key with
//              its own salt and parameters, seq (the account's last sync sequence number)
//   sessions   one bearer token each: SHA-256(token) only, device, expiry, revocation time
//   records    sync records per account: id, version, seq (unique per account), the blob as
//              the client sent it (base64 text, never decoded beyond a size check), deleted
//   offers     the imported feed, one row per retailer plus the whole feed (retailer = ''),
//              each with its ETag
//   rule_packs one signed envelope per retailer, its version and ETag
#pragma once

#include "core/result.hpp"

namespace dealstack::backend::db {

class Db;

inline constexpr int kSchemaVersion = 1;

// Errors: "db_schema_too_new" when the file was written by a newer server, else db_* codes.
Status migrate(Db& db);

}  // namespace dealstack::backend::db
