#include "store/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

namespace dealstack::store {

namespace {

// One step of the schema. Append only: a released migration never changes, a later one
// alters what it made. Each runs inside the opening transaction.
struct Migration {
  int version;
  const char* sql;
};

// Notes on version 1:
// - observations is the compact price history: one row per change of (price, currency,
//   availability, can_tell), keyed and clustered by (watch_id, at), so one watch's rows sit
//   together on disk and a chart over any range is one short index range scan, whatever the
//   number of other watches. WITHOUT ROWID because rows are small and the key is the order.
// - a watch points at one variant of one product; a product is one URL. Rows of products and
//   variants no watch points at any more are removed with the last watch.
// - no CHECK constraints on enumerations: the store validates them, and SQLite can't alter a
//   constraint later without copying the table.
constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL UNIQUE,
  title TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE variants (
  id INTEGER PRIMARY KEY,
  product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  UNIQUE (product_id, name)
);
CREATE TABLE watches (
  id INTEGER PRIMARY KEY,
  variant_id INTEGER NOT NULL UNIQUE REFERENCES variants(id),
  target_price INTEGER,
  currency TEXT NOT NULL DEFAULT '',
  drop_bp INTEGER,
  notify_restock INTEGER NOT NULL,
  notify_increase INTEGER NOT NULL,
  interval_seconds INTEGER NOT NULL,
  active_start_minute INTEGER,
  active_end_minute INTEGER,
  created_at INTEGER NOT NULL,
  last_check_at INTEGER,
  state TEXT NOT NULL
);
CREATE TABLE observations (
  watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  price INTEGER,
  currency TEXT NOT NULL,
  availability TEXT NOT NULL,
  can_tell INTEGER NOT NULL,
  PRIMARY KEY (watch_id, at)
) WITHOUT ROWID;
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  price INTEGER,
  currency TEXT NOT NULL,
  at INTEGER NOT NULL,
  acknowledged INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alerts_by_watch ON alerts(watch_id);
CREATE INDEX alerts_by_acknowledged ON alerts(acknowledged, at);
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql"},
    // Version 2: what the monitor carries between checks, kept beside the watch (one row per
    // watch, written in the same transaction as the check's observation and alert, so a
    // crash never leaves an alert raised twice or a state that missed an observation), and
    // every rule that fired for a merged alert.
    // - rules: the monitor's RuleState as JSON text (monitor/rule_state_json.hpp); the store
    //   keeps it opaque so the rules can grow without a migration.
    // - etag, last_modified: the page's validators for a conditional request.
    // - next_check_at: when the scheduler had the next check due (unix ms), so a restarted
    //   agent neither checks everything at once nor forgets a backoff.
    // - failures, last_error: consecutive failed checks and why the latest failed.
    {2, R"sql(
CREATE TABLE monitor_state (
  watch_id INTEGER PRIMARY KEY REFERENCES watches(id) ON DELETE CASCADE,
  rules TEXT NOT NULL DEFAULT '',
  etag TEXT,
  last_modified TEXT,
  next_check_at INTEGER,
  failures INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
ALTER TABLE alerts ADD COLUMN kinds TEXT NOT NULL DEFAULT '';
)sql"},
    // Version 3: what the stacker needs beside the cart, kept for the extension.
    // - offer_feed: one row, the time of the latest `dealstack offers import` (unix ms).
    // - offer_retailers, offers: the imported offers per retailer (the shop's host name, lower
    //   case, no leading "www."), replaced as a whole by each import. rules and offer are JSON
    //   text the actions layer validated (the stacking request's `retailer` object, one
    //   offer); the store keeps them opaque. position keeps the feed's order.
    // - wallet: one row, the shopper's wallet as JSON text (actions/wallet_json.hpp).
    // Only new tables: a file migrated from version 2 loses nothing, and the migration runs
    // in the opening transaction like the others (all of it or none).
    {3, R"sql(
CREATE TABLE offer_feed (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  imported_at INTEGER NOT NULL
);
CREATE TABLE offer_retailers (
  retailer TEXT PRIMARY KEY,
  rules TEXT
) WITHOUT ROWID;
CREATE TABLE offers (
  retailer TEXT NOT NULL REFERENCES offer_retailers(retailer) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  offer TEXT NOT NULL,
  PRIMARY KEY (retailer, position)
) WITHOUT ROWID;
CREATE TABLE wallet (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  wallet TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
)sql"},
    // Version 4: the vault (native_host/vault/, docs/vault.md). Nothing here is a secret in
    // the clear: entries are AES-256-GCM ciphertexts under the data key, and the data key is
    // stored only wrapped (by a key in the OS keyring, or one derived from a passphrase).
    // - vault_meta: one row. uuid names this vault (the keyring item's attribute and the
    //   wrap's associated data); protection is 'keyring' or 'passphrase'; kdf_* are scrypt's
    //   salt (base64) and parameters for 'passphrase' (NULL for 'keyring'), kept beside the
    //   wrapped key so a later version can raise them on the next passphrase change;
    //   wrap_nonce/wrapped_key are base64.
    // - vault_entries: id and kind are the associated data of the entry's ciphertext (a
    //   renamed or re-kinded row no longer decrypts); label is the shopper's name for it;
    //   nonce/ciphertext are base64 (fresh nonce on every write).
    {4, R"sql(
CREATE TABLE vault_meta (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  uuid TEXT NOT NULL,
  protection TEXT NOT NULL,
  kdf_salt TEXT,
  kdf_n INTEGER,
  kdf_r INTEGER,
  kdf_p INTEGER,
  wrap_nonce TEXT NOT NULL,
  wrapped_key TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE TABLE vault_entries (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  nonce TEXT NOT NULL,
  ciphertext TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
    // Version 5: sync with dealstack-server (native_host/sync/, docs/sync.md).
    // - sync_outbox: one row per local thing changed since it was last pushed (kind "watch"
    //   with key url + "\n" + variant, "wallet" with key "", "settings" with the setting's
    //   key), written by the store in the same transaction as the change; `at` is the change's
    //   time (unix ms, the record's modified_at), `gen` counts changes so the sync loop deletes
    //   the row only if nothing changed while its push was in flight.
    // - sync_records: what the server holds for each record this agent knows (opaque id, the
    //   server's version, who wrote it and when, whether it is a deletion).
    // - sync_history: the losing side of every conflict, as plaintext JSON (local only).
    // - sync_state: one row, the account (server, email, this device's id), the pull cursor,
    //   the offers feed's ETag and the last outcome.
    // - sync_rule_packs: rule packs whose Ed25519 signature verified, per retailer.
    {5, R"sql(
CREATE TABLE sync_outbox (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  at INTEGER NOT NULL,
  gen INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE TABLE sync_records (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  version INTEGER NOT NULL,
  modified_at INTEGER NOT NULL,
  device TEXT NOT NULL,
  deleted INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE sync_history (
  id INTEGER PRIMARY KEY,
  record_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  modified_at INTEGER NOT NULL,
  device TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  data TEXT,
  replaced_at INTEGER NOT NULL
);
CREATE TABLE sync_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  server TEXT,
  email TEXT,
  device TEXT NOT NULL,
  cursor INTEGER NOT NULL DEFAULT 0,
  last_sync_at INTEGER,
  offers_etag TEXT,
  offers_synced_at INTEGER,
  error_code TEXT,
  error_message TEXT
);
CREATE TABLE sync_rule_packs (
  retailer TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  etag TEXT,
  key_id TEXT NOT NULL,
  pack TEXT NOT NULL,
  fetched_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
};

static_assert(std::size(kMigrations) > 0 &&
                  kMigrations[std::size(kMigrations) - 1].version == kSchemaVersion,
              "kSchemaVersion must be the last migration's version");

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Creates the file private (0600) before SQLite does, so the -wal and -shm files SQLite makes
// later take the same mode, and tightens an existing file that is too open.
Status prepare_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int err = errno;
    if (err == EROFS) return make_error("db_read_only", path.string() + " is on a read-only file system");
    return make_error("db_open_failed", "can't open " + path.string() + ": " + std::strerror(err));
  }
  struct stat st {};
  Status result = Unit{};
  if (::fstat(fd, &st) != 0) {
    result = make_error("db_open_failed", "can't inspect " + path.string() + ": " + std::strerror(errno));
  } else if (!S_ISREG(st.st_mode)) {
    result = make_error("db_open_failed", path.string() + " is not a regular file");
  } else if ((st.st_mode & 077) != 0 && ::fchmod(fd, 0600) != 0) {
    result = make_error("db_open_failed", "can't make " + path.string() + " private: " + std::strerror(errno));
  }
  ::close(fd);
  if (!result.ok()) return result;
  for (const char* suffix : {"-wal", "-shm"}) {
    const std::string companion = path.string() + suffix;
    struct stat cst {};
    if (::lstat(companion.c_str(), &cst) == 0 && S_ISREG(cst.st_mode) && (cst.st_mode & 077) != 0)
      ::chmod(companion.c_str(), 0600);
  }
  return Unit{};
}

}  // namespace

Error sqlite_error(int rc, std::string_view what, sqlite3* db) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message = std::string(what) + ": " + detail;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return make_error("db_busy", message + " (another process holds the database)");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return make_error("db_corrupt", message);
    case SQLITE_IOERR:
      return make_error("db_io_error", message);
    case SQLITE_FULL:
      return make_error("db_full", message);
    case SQLITE_READONLY:
      return make_error("db_read_only", message);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return make_error("db_open_failed", message);
    case SQLITE_CONSTRAINT:
      return make_error("constraint", message);
    default:
      return make_error("db_error", message);
  }
}

// ---- Statement ----

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, std::string what)
    : db_(db), stmt_(stmt), what_(std::move(what)) {}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmt_(std::exchange(other.stmt_, nullptr)),
      what_(std::move(other.what_)),
      bind_error_(other.bind_error_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
    what_ = std::move(other.what_);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  // data() of an empty view may be null, which SQLite would bind as NULL: bind "" instead.
  const int rc = sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(),
                                     SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::int64_t>& value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Result<bool> Statement::step() {
  if (bind_error_ != 0) return sqlite_error(bind_error_, what_ + " (binding a value)", nullptr);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error error = sqlite_error(rc, what_, db_);
  sqlite3_reset(stmt_);
  return error;
}

Status Statement::run() {
  auto r = step();
  if (!r.ok()) return r.error();
  return Unit{};
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
}

std::optional<std::int64_t> Statement::optional_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return int64(column);
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

// ---- Transaction ----

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  // After some errors (I/O, full disk) SQLite has already rolled back on its own.
  if (db_ != nullptr && sqlite3_get_autocommit(db_) == 0)
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::commit() {
  if (db_ == nullptr) return make_error("db_error", "commit: the transaction is already over");
  const int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(rc, "commit", db_);
    // Still open (e.g. busy): the destructor rolls it back. Rolled back already: nothing to do.
    if (sqlite3_get_autocommit(db_) != 0) db_ = nullptr;
    return error;
  }
  db_ = nullptr;
  return Unit{};
}

// ---- Database ----

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Database::~Database() { sqlite3_close_v2(db_); }

Result<Database> Database::open(const std::filesystem::path& path, const Options& options) {
  if (path.empty()) return make_error("db_open_failed", "no database path given");
  if (auto prepared = prepare_file(path); !prepared.ok()) return prepared.error();

  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags,
                                 options.vfs.empty() ? nullptr : options.vfs.c_str());
  // Even a failed open may allocate a handle; the Database owns and closes it either way.
  Database db(raw);
  if (rc != SQLITE_OK) {
    if (raw == nullptr) return make_error("db_open_failed", "can't open " + path.string() + ": out of memory");
    Error error = sqlite_error(rc, "open " + path.string(), raw);
    if (error.code == "db_error") error.code = "db_open_failed";
    return error;
  }
  sqlite3_extended_result_codes(raw, 1);
  if (auto configured = db.configure(options.busy_timeout_ms); !configured.ok()) {
    Error error = configured.error();
    error.message = path.string() + ": " + error.message;
    return error;
  }
  if (auto migrated = db.migrate(); !migrated.ok()) {
    Error error = migrated.error();
    error.message = path.string() + ": " + error.message;
    return error;
  }
  return db;
}

Status Database::configure(int busy_timeout_ms) {
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  // The first statement reads the file: a file that is not a database fails here (db_corrupt).
  auto mode = prepare("PRAGMA journal_mode=WAL", "set journal mode");
  if (!mode.ok()) return mode.error();
  auto row = mode->step();
  if (!row.ok()) return row.error();
  const std::string got = *row ? mode->text(0) : std::string();
  if (got != "wal")
    return make_error("db_open_failed", "the database can't use write-ahead logging (journal mode is '" + got + "')");
  mode = Statement();
  // FULL: a commit syncs the WAL, so a committed observation survives a power cut too.
  return exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA trusted_schema=OFF;",
              "set pragmas");
}

Status Database::migrate() {
  auto tx = begin();
  if (!tx.ok()) return tx.error();
  if (auto made = exec(
          "CREATE TABLE IF NOT EXISTS schema_version ("
          "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
          "create schema_version");
      !made.ok())
    return made.error();
  auto current = schema_version();
  if (!current.ok()) return current.error();
  if (*current > kSchemaVersion)
    return make_error("db_schema_too_new",
                      "the database has schema version " + std::to_string(*current) +
                          " but this dealstack knows versions up to " + std::to_string(kSchemaVersion) +
                          "; update dealstack (the file is left untouched)");
  for (const Migration& m : kMigrations) {
    if (m.version <= *current) continue;
    const std::string what = "migrate to schema version " + std::to_string(m.version);
    if (auto ran = exec(m.sql, what); !ran.ok()) return ran.error();
    auto insert = prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", what);
    if (!insert.ok()) return insert.error();
    if (auto ran = insert->bind(1, std::int64_t{m.version}).bind(2, now_ms()).run(); !ran.ok())
      return ran.error();
  }
  return tx->commit();
}

Result<Statement> Database::prepare(std::string_view sql, std::string_view what) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return sqlite_error(rc, what, db_);
  }
  return Statement(db_, stmt, std::string(what));
}

Status Database::exec(const std::string& sql, std::string_view what) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(rc, what, db_);
  return Unit{};
}

Result<Transaction> Database::begin() {
  const int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(rc, "begin transaction", db_);
  return Transaction(db_);
}

std::int64_t Database::changes() { return sqlite3_changes64(db_); }

std::int64_t Database::last_insert_id() { return sqlite3_last_insert_rowid(db_); }

Result<int> Database::schema_version() {
  auto st = prepare("SELECT coalesce(max(version), 0) FROM schema_version", "read schema version");
  if (!st.ok()) return st.error();
  auto row = st->step();
  if (!row.ok()) return row.error();
  return static_cast<int>(st->int64(0));
}

Result<std::string> Database::integrity_check() {
  auto st = prepare("PRAGMA integrity_check", "integrity check");
  if (!st.ok()) return st.error();
  std::string answer;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    if (!answer.empty()) answer += '\n';
    answer += st->text(0);
  }
  return answer;
}

}  // namespace dealstack::store
