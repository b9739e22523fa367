// POST /v1/sync (contract section 4): the request's shape, checked, and applying it to one
// account's records in one transaction. Blobs are opaque: only base64-decoded to check their
// size, then kept as the text the client sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "db/sqlite.hpp"

namespace dealstack::backend::sync {

inline constexpr std::size_t kMaxIdBytes = 200;
inline constexpr std::size_t kMaxBlobBytes = 256 * 1024;  // decoded
inline constexpr std::size_t kMaxPushes = 1000;
inline constexpr std::int64_t kMaxLimit = 1000;             // records per answer (also the default)

struct Push {
  std::string id;
  std::int64_t base_version = 0;  // 0 = a new record
  std::string blob;               // base64 text as sent
  bool deleted = false;
};

struct SyncRequest {
  std::int64_t cursor = 0;  // the last seq the client has; 0 = from the start
  std::vector<Push> push;
  std::int64_t limit = kMaxLimit;  // 1..kMaxLimit; larger values are clamped
};

// True for 1..kMaxIdBytes bytes of [A-Za-z0-9._:/-].
bool valid_record_id(std::string_view id);

// Errors "invalid_request" naming the field ("push[3].base_version: must be an integer >= 0").
Result<SyncRequest> parse_sync_request(std::string_view body);

// Applies the pushes and reads the records after the cursor, all in one write transaction,
// and returns the response body (JSON text). Errors: the db_* codes (nothing was applied).
Result<std::string> apply_sync(db::Db& db, std::int64_t account_id, const SyncRequest& request, std::int64_t now_ms);

}  // namespace dealstack::backend::sync
