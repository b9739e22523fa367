#include "sync/sync_request.hpp"

#include <nlohmann/json.hpp>

#include <unordered_set>

#include "crypto/crypto.hpp"

namespace dealstack::backend::sync {

using Json = nlohmann::json;

namespace {

Error bad(const std::string& what) { return make_error("invalid_request", what); }

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == ':' || c == '/' || c == '-';
}

// Decoded size of base64 text without decoding it all: the caller still decodes to validate.
std::size_t decoded_size(std::string_view b64) {
  std::size_t pad = 0;
  while (!b64.empty() && b64.back() == '=') {
    b64.remove_suffix(1);
    ++pad;
  }
  return b64.size() / 4 * 3 + (b64.size() % 4 == 0 ? 0 : b64.size() % 4 - 1);
}

Result<std::int64_t> integer(const Json& obj, const char* key, std::int64_t fallback, const std::string& path) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_number_integer()) return bad(path + key + ": must be an integer");
  const std::int64_t v = it->get<std::int64_t>();
  if (v < 0) return bad(path + key + ": must be an integer >= 0");
  return v;
}

}  // namespace

bool valid_record_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) return false;
  for (char c : id)
    if (!id_char(c)) return false;
  return true;
}

Result<SyncRequest> parse_sync_request(std::string_view body) {
  Json j;
  try {
    j = Json::parse(body.begin(), body.end());
  } catch (const Json::parse_error& e) {
    return bad("the body is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
  if (!j.is_object()) return bad("the body must be a JSON object {\"cursor\", \"push\", \"limit\"}");
  for (auto it = j.begin(); it != j.end(); ++it)
    if (it.key() != "cursor" && it.key() != "push" && it.key() != "limit")
      return bad("unknown field \"" + it.key().substr(0, 50) + "\" (expected cursor, push, limit)");
  SyncRequest r;
  auto cursor = integer(j, "cursor", 0, "");
  if (!cursor) return cursor.error();
  r.cursor = *cursor;
  auto limit = integer(j, "limit", kMaxLimit, "");
  if (!limit) return limit.error();
  if (*limit < 1) return bad("limit: must be at least 1");
  r.limit = std::min(*limit, kMaxLimit);
  if (const auto p = j.find("push"); p != j.end() && !p->is_null()) {
    if (!p->is_array()) return bad("push: must be an array");
    if (p->size() > kMaxPushes)
      return bad("push: has " + std::to_string(p->size()) + " records; at most " + std::to_string(kMaxPushes) +
                 " per request");
    std::unordered_set<std::string> seen;
    r.push.reserve(p->size());
    for (std::size_t i = 0; i < p->size(); ++i) {
      const Json& e = (*p)[i];
      const std::string at = "push[" + std::to_string(i) + "].";
      if (!e.is_object()) return bad("push[" + std::to_string(i) + "]: must be an object");
      for (auto it = e.begin(); it != e.end(); ++it)
        if (it.key() != "id" && it.key() != "base_version" && it.key() != "blob" && it.key() != "deleted")
          return bad(at + it.key().substr(0, 50) + ": unknown field (expected id, base_version, blob, deleted)");
      Push push;
      const auto id = e.find("id");
      if (id == e.end() || !id->is_string()) return bad(at + "id: must be a string");
      push.id = id->get<std::string>();
      if (!valid_record_id(push.id))
        return bad(at + "id: must be 1 to " + std::to_string(kMaxIdBytes) + " bytes of A-Z a-z 0-9 . _ : / -");
      if (!seen.insert(push.id).second) return bad(at + "id: \"" + push.id + "\" is pushed twice in one request");
      const auto base = e.find("base_version");
      if (base == e.end() || !base->is_number_integer() || base->get<std::int64_t>() < 0)
        return bad(at + "base_version: must be an integer >= 0 (0 for a new record)");
      push.base_version = base->get<std::int64_t>();
      if (const auto d = e.find("deleted"); d != e.end() && !d->is_null()) {
        if (!d->is_boolean()) return bad(at + "deleted: must be true or false");
        push.deleted = d->get<bool>();
      }
      const auto blob = e.find("blob");
      if (blob == e.end() || blob->is_null()) {
        if (!push.deleted) return bad(at + "blob: must be a base64 string");
      } else {
        if (!blob->is_string()) return bad(at + "blob: must be a base64 string");
        push.blob = blob->get<std::string>();
        if (decoded_size(push.blob) > kMaxBlobBytes)
          return bad(at + "blob: is over " + std::to_string(kMaxBlobBytes / 1024) + " KiB decoded");
        if (!crypto::base64_decode(push.blob)) return bad(at + "blob: is not base64 (RFC 4648, with padding)");
      }
      r.push.push_back(std::move(push));
    }
  }
  return r;
}

Result<std::string> apply_sync(db::Db& db, std::int64_t account_id, const SyncRequest& request, std::int64_t now_ms) {
  // An empty push only reads: no write lock, so many run at once.
  auto txn = request.push.empty() ? db.begin_read() : db.begin_write();
  if (!txn) return txn.error();

  auto seq_stmt = db.cached("SELECT seq FROM accounts WHERE id = ?1", "read the account's sequence");
  if (!seq_stmt) return seq_stmt.error();
  seq_stmt->bind(1, account_id);
  auto row = seq_stmt->step();
  if (!row) return row.error();
  if (!*row) return make_error("unauthorized", "the account of this token no longer exists");
  const std::int64_t before = seq_stmt->int64(0);
  seq_stmt->reset();
  std::int64_t seq = before;

  Json results = Json::array();
  if (!request.push.empty()) {
    auto find = db.cached("SELECT version, blob, deleted FROM records WHERE account_id = ?1 AND id = ?2",
                          "read a record");
    if (!find) return find.error();
    auto upsert = db.cached(
        "INSERT INTO records (account_id, id, version, seq, blob, deleted, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (account_id, id) DO UPDATE SET "
        "version = excluded.version, seq = excluded.seq, blob = excluded.blob, deleted = excluded.deleted, "
        "updated_at = excluded.updated_at",
        "write a record");
    if (!upsert) return upsert.error();
    for (const Push& p : request.push) {
      find->bind(1, account_id).bind(2, p.id);
      auto found = find->step();
      if (!found) return found.error();
      const std::int64_t stored = *found ? find->int64(0) : 0;
      if (stored != p.base_version) {
        Json c = {{"id", p.id}, {"status", "conflict"}, {"version", stored}};
        c["blob"] = *found ? find->text(1) : std::string();
        c["deleted"] = *found ? find->int64(2) != 0 : true;
        results.push_back(std::move(c));
        find->reset();
        continue;
      }
      find->reset();
      ++seq;
      upsert->bind(1, account_id).bind(2, p.id).bind(3, stored + 1).bind(4, seq).bind(5, p.blob);
      upsert->bind(6, std::int64_t{p.deleted ? 1 : 0}).bind(7, now_ms);
      if (auto s = upsert->run(); !s) return s.error();
      upsert->reset();
      results.push_back({{"id", p.id}, {"status", "applied"}, {"version", stored + 1}});
    }
    if (seq != before) {
      auto save = db.cached("UPDATE accounts SET seq = ?2 WHERE id = ?1", "advance the account's sequence");
      if (!save) return save.error();
      save->bind(1, account_id).bind(2, seq);
      if (auto s = save->run(); !s) return s.error();
    }
  }

  // Records after the cursor up to what existed before this request's own pushes.
  Json records = Json::array();
  std::int64_t cursor = std::max(request.cursor, std::int64_t{0});
  bool more = false;
  if (cursor < before) {
    auto read = db.cached(
        "SELECT id, version, blob, deleted, seq FROM records WHERE account_id = ?1 AND seq > ?2 AND seq <= ?3 "
        "ORDER BY seq LIMIT ?4",
        "read records after the cursor");
    if (!read) return read.error();
    read->bind(1, account_id).bind(2, cursor).bind(3, before).bind(4, request.limit + 1);
    std::int64_t n = 0;
    for (;;) {
      auto r = read->step();
      if (!r) return r.error();
      if (!*r) break;
      if (n == request.limit) {
        more = true;
        break;
      }
      ++n;
      cursor = read->int64(4);
      records.push_back({{"id", read->text(0)}, {"version", read->int64(1)}, {"blob", read->text(2)},
                         {"deleted", read->int64(3) != 0}, {"seq", cursor}});
    }
  }
  // Nothing left below `before`: the client has everything, its own pushes included.
  if (!more) cursor = std::max(cursor, seq);

  if (auto s = txn->commit(); !s) return s.error();
  Json out = {{"results", std::move(results)}, {"records", std::move(records)}, {"cursor", cursor}, {"more", more}};
  return out.dump();
}

}  // namespace dealstack::backend::sync
