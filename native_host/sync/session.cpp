#include "sync/session.hpp"

#include <algorithm>
#include <map>

#include "sync/keys.hpp"

namespace dealstack::sync {

namespace {

using store::Database;
using store::Statement;

Error invalid_response(std::string message) { return make_error("invalid_response", std::move(message)); }

struct KnownRecord {
  std::int64_t version = 0;
  std::int64_t modified_at = 0;
  std::string device;
  bool deleted = false;
};

struct OutboxRow {
  std::string kind, key;
  std::int64_t at = 0;
  std::int64_t gen = 0;
};

Result<std::optional<KnownRecord>> known_record(Database& db, std::string_view id) {
  auto st = db.prepare("SELECT version, modified_at, device, deleted FROM sync_records WHERE id = ?", "read sync record");
  if (!st) return st.error();
  auto row = st->bind(1, id).step();
  if (!row) return row.error();
  if (!*row) return std::optional<KnownRecord>();
  return std::optional<KnownRecord>(KnownRecord{st->int64(0), st->int64(1), st->text(2), st->int64(3) != 0});
}

Status upsert_record(Database& db, std::string_view id, std::string_view kind, std::string_view key,
                     std::int64_t version, std::int64_t modified_at, std::string_view device, bool deleted) {
  auto st = db.prepare(
      "INSERT INTO sync_records (id, kind, key, version, modified_at, device, deleted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
      " ON CONFLICT (id) DO UPDATE SET kind = ?2, key = ?3, version = ?4, modified_at = ?5, device = ?6, deleted = ?7",
      "write sync record");
  if (!st) return st.error();
  return st->bind(1, id).bind(2, kind).bind(3, key).bind(4, version).bind(5, modified_at).bind(6, device)
      .bind(7, std::int64_t{deleted}).run();
}

Result<std::optional<OutboxRow>> outbox_row(Database& db, std::string_view kind, std::string_view key) {
  auto st = db.prepare("SELECT at, gen FROM sync_outbox WHERE kind = ? AND key = ?", "read outbox row");
  if (!st) return st.error();
  auto row = st->bind(1, kind).bind(2, key).step();
  if (!row) return row.error();
  if (!*row) return std::optional<OutboxRow>();
  return std::optional<OutboxRow>(OutboxRow{std::string(kind), std::string(key), st->int64(0), st->int64(1)});
}

Status delete_outbox(Database& db, std::string_view kind, std::string_view key, std::int64_t gen) {
  auto st = db.prepare("DELETE FROM sync_outbox WHERE kind = ? AND key = ? AND gen = ?", "delete outbox row");
  if (!st) return st.error();
  return st->bind(1, kind).bind(2, key).bind(3, gen).run();
}

Status add_history(Database& db, std::string_view id, const RecordContent& loser, std::int64_t now) {
  auto st = db.prepare(
      "INSERT INTO sync_history (record_id, kind, key, modified_at, device, deleted, data, replaced_at)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      "keep the losing edit");
  if (!st) return st.error();
  std::optional<std::string> data;
  if (loser.data) data = loser.data->dump(-1, ' ', false, Json::error_handler_t::replace);
  return st->bind(1, id).bind(2, std::string_view(loser.kind)).bind(3, std::string_view(loser.key))
      .bind(4, loser.modified_at).bind(5, std::string_view(loser.device)).bind(6, std::int64_t{!loser.data})
      .bind(7, data).bind(8, now).run();
}

// The local edit's time as pushed: after every edit of the record we know of, so a clock
// behind another machine's still orders our later edit after theirs.
std::int64_t local_modified_at(std::int64_t outbox_at, const std::optional<KnownRecord>& known) {
  return known ? std::max(outbox_at, known->modified_at + 1) : outbox_at;
}

bool is_integer(const Json& j, const char* name) { return j.contains(name) && j[name].is_number_integer(); }
bool is_string(const Json& j, const char* name) { return j.contains(name) && j[name].is_string(); }

}  // namespace

Result<SyncState> load_state(store::Store& store) {
  Database& db = store.database();
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto st = db.prepare(
        "SELECT server, email, device, cursor, last_sync_at, offers_etag, offers_synced_at, error_code,"
        " error_message FROM sync_state WHERE id = 1",
        "read sync state");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    if (*row) {
      SyncState s;
      s.server = st->optional_text(0);
      s.email = st->optional_text(1);
      s.device = st->text(2);
      s.cursor = st->int64(3);
      s.last_sync_at = st->optional_int64(4);
      s.offers_etag = st->optional_text(5);
      s.offers_synced_at = st->optional_int64(6);
      s.error_code = st->optional_text(7);
      s.error_message = st->optional_text(8);
      return s;
    }
    auto random = crypto::random_bytes(8);
    if (!random) return random.error();
    auto ins = db.prepare("INSERT OR IGNORE INTO sync_state (id, device) VALUES (1, ?)", "make sync state");
    if (!ins) return ins.error();
    const std::string device = crypto::hex_encode(*random);
    if (auto r = ins->bind(1, std::string_view(device)).run(); !r) return r.error();
  }
  return make_error("db_error", "read sync state: the row just made is missing");
}

Status save_state(store::Store& store, const SyncState& s) {
  auto st = store.database().prepare(
      "INSERT INTO sync_state (id, server, email, device, cursor, last_sync_at, offers_etag, offers_synced_at,"
      " error_code, error_message) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO UPDATE SET"
      " server = ?1, email = ?2, device = ?3, cursor = ?4, last_sync_at = ?5, offers_etag = ?6,"
      " offers_synced_at = ?7, error_code = ?8, error_message = ?9",
      "write sync state");
  if (!st) return st.error();
  return st->bind(1, s.server).bind(2, s.email).bind(3, std::string_view(s.device)).bind(4, s.cursor)
      .bind(5, s.last_sync_at).bind(6, s.offers_etag).bind(7, s.offers_synced_at).bind(8, s.error_code)
      .bind(9, s.error_message).run();
}

namespace {
Result<std::int64_t> count(store::Store& store, const char* sql) {
  auto st = store.database().prepare(sql, "count sync rows");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  return st->int64(0);
}
}  // namespace

Result<std::int64_t> pending_count(store::Store& store) { return count(store, "SELECT count(*) FROM sync_outbox"); }
Result<std::int64_t> record_count(store::Store& store) {
  return count(store, "SELECT count(*) FROM sync_records WHERE deleted = 0");
}

Status enqueue_everything(store::Store& store) {
  return store.database().exec(
      "BEGIN IMMEDIATE;"
      "INSERT INTO sync_outbox (kind, key, at) SELECT 'watch', p.url || char(10) || v.name, 0"
      "  FROM watches w JOIN variants v ON v.id = w.variant_id JOIN products p ON p.id = v.product_id"
      "  WHERE true ON CONFLICT (kind, key) DO NOTHING;"
      "INSERT INTO sync_outbox (kind, key, at) SELECT 'wallet', '', 0 FROM wallet"
      "  WHERE true ON CONFLICT (kind, key) DO NOTHING;"
      "INSERT INTO sync_outbox (kind, key, at) SELECT 'settings', key, 0 FROM settings"
      "  WHERE substr(key, 1, 6) <> 'local.' ON CONFLICT (kind, key) DO NOTHING;"
      "COMMIT;",
      "queue every local thing for sync");
}

Status forget_account(store::Store& store) {
  return store.database().exec(
      "BEGIN IMMEDIATE; DELETE FROM sync_records;"
      " UPDATE sync_state SET server = NULL, email = NULL, cursor = 0, last_sync_at = NULL, offers_etag = NULL,"
      " error_code = NULL, error_message = NULL; COMMIT;",
      "forget the sync account");
}

Result<Session> Session::make(store::Store& store, const crypto::SecretBytes& sync_key, std::string device,
                              store::Clock clock) {
  if (sync_key.size() != 32) return make_error("invalid_argument", "the sync key must be 32 bytes");
  if (device.empty()) return make_error("invalid_argument", "the device id is empty");
  auto id_key = derive_id_key(sync_key);
  if (!id_key) return id_key.error();
  return Session(store, sync_key.clone(), std::move(*id_key), std::move(device),
                 clock ? std::move(clock) : store::Clock(store::system_clock_ms));
}

Result<Json> Session::next_request(std::size_t max_push, std::size_t limit) {
  in_flight_.clear();
  Database& db = store_->database();
  auto state = load_state(*store_);
  if (!state) return state.error();
  auto st = db.prepare("SELECT kind, key, at, gen FROM sync_outbox ORDER BY at, kind, key LIMIT ?", "read outbox");
  if (!st) return st.error();
  st->bind(1, static_cast<std::int64_t>(std::min(max_push, kMaxPushPerRound)));
  std::vector<OutboxRow> rows;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    rows.push_back({st->text(0), st->text(1), st->int64(2), st->int64(3)});
  }
  Json push = Json::array();
  for (const OutboxRow& r : rows) {
    InFlight f;
    f.kind = r.kind;
    f.key = r.key;
    f.gen = r.gen;
    f.id = record_id(id_key_, r.kind, r.key);
    auto known = known_record(db, f.id);
    if (!known) return known.error();
    f.base_version = *known ? (*known)->version : 0;
    auto data = read_local(*store_, r.kind, r.key);
    if (!data) return data.error();
    f.content = RecordContent{r.kind, r.key, local_modified_at(r.at, *known), device_, std::move(*data)};
    auto blob = seal_blob(sync_key_, f.id, to_plaintext(f.content));
    if (!blob) return blob.error();
    push.push_back({{"id", f.id}, {"base_version", f.base_version}, {"blob", std::move(*blob)},
                    {"deleted", !f.content.data}});
    in_flight_.push_back(std::move(f));
  }
  return Json{{"cursor", state->cursor}, {"push", std::move(push)},
              {"limit", static_cast<std::int64_t>(std::min(limit, kPullLimit))}};
}

Result<RoundResult> Session::apply_response(const Json& response) {
  if (!response.is_object() || !response.contains("results") || !response["results"].is_array() ||
      !response.contains("records") || !response["records"].is_array() || !is_integer(response, "cursor") ||
      !response.contains("more") || !response["more"].is_boolean())
    return invalid_response("the sync answer lacks results, records, cursor or more");
  std::map<std::string, const InFlight*, std::less<>> by_id;
  for (const auto& f : in_flight_) by_id[f.id] = &f;
  Database& db = store_->database();
  const std::int64_t now = clock_();
  RoundResult out;
  out.pushed = in_flight_.size();
  out.more = response["more"].get<bool>();

  // Opens a server blob into content that must belong to (kind, key) or to the id.
  auto open = [&](const std::string& id, const Json& blob) -> Result<RecordContent> {
    if (!blob.is_string()) return invalid_response("a record has no blob");
    auto plain = open_blob(sync_key_, id, blob.get<std::string>());
    if (!plain) return plain.error();
    auto content = parse_plaintext(plain->view());
    if (!content) return content.error();
    if (record_id(id_key_, content->kind, content->key) != id)
      return make_error("invalid_record", "a record's content doesn't belong to its id");
    return content;
  };

  // Applies the remote content as the winner, inside a savepoint: a record that doesn't fit
  // is counted and skipped, never blocking the rest.
  auto apply_remote_content = [&](const std::string& id, std::int64_t version, const RecordContent& remote) -> Status {
    if (auto r = db.exec("SAVEPOINT sync_record", "savepoint"); !r) return r;
    auto applied = apply_local(*store_, remote.kind, remote.key, remote.data);
    if (!applied) {
      if (applied.error().code.rfind("db_", 0) == 0) return applied.error();  // the disk, not the record
      if (auto r = db.exec("ROLLBACK TO sync_record", "rollback savepoint"); !r) return r;
      ++out.rejected;
    } else {
      out.changes.push_back(std::move(*applied));
    }
    if (auto r = db.exec("RELEASE sync_record", "release savepoint"); !r) return r;
    return upsert_record(db, id, remote.kind, remote.key, version, remote.modified_at, remote.device, !remote.data);
  };

  // Someone else's edit (version) of a record we may have a pending change of.
  auto resolve = [&](const std::string& id, std::int64_t version, const RecordContent& remote) -> Status {
    auto pending = outbox_row(db, remote.kind, remote.key);
    if (!pending) return pending.error();
    if (!*pending) return apply_remote_content(id, version, remote);
    auto known = known_record(db, id);
    if (!known) return known.error();
    auto data = read_local(*store_, remote.kind, remote.key);
    if (!data) return data.error();
    RecordContent local{remote.kind, remote.key, local_modified_at((*pending)->at, *known), device_, std::move(*data)};
    if (local.modified_at == remote.modified_at && local.device == remote.device) {
      // Our own push, applied before we could note it (a crash, a lost answer).
      if (auto r = upsert_record(db, id, remote.kind, remote.key, version, remote.modified_at, remote.device, !remote.data); !r)
        return r;
      return delete_outbox(db, remote.kind, remote.key, (*pending)->gen);
    }
    if (wins_over(remote, local)) {
      if (auto r = add_history(db, id, local, now); !r) return r;
      if (auto r = apply_remote_content(id, version, remote); !r) return r;
      return delete_outbox(db, remote.kind, remote.key, (*pending)->gen);
    }
    // Ours wins: pushed again next round over the server's version.
    if (auto r = add_history(db, id, remote, now); !r) return r;
    return upsert_record(db, id, remote.kind, remote.key, version, remote.modified_at, remote.device, !remote.data);
  };

  auto body = [&]() -> Status {
    for (const Json& r : response["results"]) {
      if (!r.is_object() || !is_string(r, "id") || !is_string(r, "status") || !is_integer(r, "version"))
        return invalid_response("a push result lacks id, status or version");
      const std::string id = r["id"].get<std::string>();
      auto it = by_id.find(id);
      if (it == by_id.end()) continue;  // not ours: ignore
      const InFlight& f = *it->second;
      const std::int64_t version = r["version"].get<std::int64_t>();
      const std::string status = r["status"].get<std::string>();
      if (status == "applied") {
        ++out.applied;
        if (auto s = upsert_record(db, id, f.kind, f.key, version, f.content.modified_at, device_, !f.content.data); !s)
          return s;
        if (auto s = delete_outbox(db, f.kind, f.key, f.gen); !s) return s;
      } else if (status == "conflict") {
        ++out.conflicts;
        auto remote = open(id, r.contains("blob") ? r["blob"] : Json());
        if (!remote) {
          // Unreadable on the server (not ours to read): ours replaces it next round.
          ++out.rejected;
          if (auto s = upsert_record(db, id, f.kind, f.key, version, 0, "", r.value("deleted", false)); !s) return s;
          continue;
        }
        if (auto s = resolve(id, version, *remote); !s) return s;
      } else {
        return invalid_response("a push result has an unknown status '" + status.substr(0, 32) + "'");
      }
    }
    for (const Json& rec : response["records"]) {
      if (!rec.is_object() || !is_string(rec, "id") || !is_integer(rec, "version"))
        return invalid_response("a record lacks id or version");
      ++out.pulled;
      const std::string id = rec["id"].get<std::string>();
      const std::int64_t version = rec["version"].get<std::int64_t>();
      auto known = known_record(db, id);
      if (!known) return known.error();
      if (*known && (*known)->version >= version) continue;  // seen already
      auto remote = open(id, rec.contains("blob") ? rec["blob"] : Json());
      if (!remote) {
        ++out.rejected;
        continue;
      }
      if (auto s = resolve(id, version, *remote); !s) return s;
    }
    auto state = load_state(*store_);
    if (!state) return state.error();
    state->cursor = std::max(state->cursor, response["cursor"].get<std::int64_t>());
    if (auto s = save_state(*store_, *state); !s) return s;
    auto prune = db.prepare("DELETE FROM sync_history WHERE id <= (SELECT max(id) FROM sync_history) - ?",
                            "trim sync history");
    if (!prune) return prune.error();
    return prune->bind(1, static_cast<std::int64_t>(kMaxHistoryRows)).run();
  };
  if (auto s = store_->apply_remote(body); !s) {
    out.changes.clear();
    return s.error();
  }
  in_flight_.clear();
  return out;
}

}  // namespace dealstack::sync
