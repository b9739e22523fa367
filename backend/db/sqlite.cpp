#include "db/sqlite.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <utility>

#include "db/schema.hpp"
#include "store/database.hpp"

namespace dealstack::backend::db {

using store::sqlite_error;

Stmt::Stmt(Stmt&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), stmt_(std::exchange(o.stmt_, nullptr)),
      what_(std::move(o.what_)), bind_error_(o.bind_error_), borrowed_(o.borrowed_) {}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    release();
    db_ = std::exchange(o.db_, nullptr);
    stmt_ = std::exchange(o.stmt_, nullptr);
    what_ = std::move(o.what_);
    bind_error_ = o.bind_error_;
    borrowed_ = o.borrowed_;
  }
  return *this;
}

Stmt::~Stmt() { release(); }

void Stmt::release() {
  if (stmt_ == nullptr) return;
  if (borrowed_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
}

Stmt& Stmt::bind(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Stmt& Stmt::bind(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Stmt& Stmt::bind_blob(int index, std::string_view bytes) {
  const int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Stmt& Stmt::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
  return *this;
}

Result<bool> Stmt::step() {
  if (bind_error_ != 0) return sqlite_error(bind_error_, what_ + " (binding a value)", nullptr);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Error e = sqlite_error(rc, what_, db_);
  sqlite3_reset(stmt_);
  return e;
}

Status Stmt::run() {
  auto r = step();
  if (!r) return r.error();
  return Unit{};
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
}

std::int64_t Stmt::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Stmt::text(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  if (p == nullptr || n <= 0) return {};
  return std::string(static_cast<const char*>(p), static_cast<std::size_t>(n));
}

bool Stmt::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

WriteTxn::~WriteTxn() {
  if (db_ != nullptr) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Status WriteTxn::commit() {
  if (db_ == nullptr) return make_error("db_error", "commit: the transaction is already over");
  const int rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    Error e = sqlite_error(rc, "commit", db_);
    // A failed COMMIT may leave the transaction open: the destructor rolls it back.
    if (sqlite3_get_autocommit(db_) != 0) db_ = nullptr;
    return e;
  }
  db_ = nullptr;
  return Unit{};
}

Result<Db> Db::open(const std::filesystem::path& path, const Options& options) {
  // 0600 from the start: the file holds password hashes and token hashes.
  const mode_t old = ::umask(077);
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 options.vfs.empty() ? nullptr : options.vfs.c_str());
  ::umask(old);
  Db db(raw);
  if (rc != SQLITE_OK) return sqlite_error(rc, "open " + path.string(), raw);
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  if (auto s = db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                       "configure the database");
      !s)
    return s.error();
  if (auto s = migrate(db); !s) return s.error();
  return db;
}

Db::Db(Db&& o) noexcept : db_(std::exchange(o.db_, nullptr)), cache_(std::move(o.cache_)) { o.cache_.clear(); }

Db& Db::operator=(Db&& o) noexcept {
  if (this != &o) {
    close();
    db_ = std::exchange(o.db_, nullptr);
    cache_ = std::move(o.cache_);
    o.cache_.clear();
  }
  return *this;
}

Db::~Db() { close(); }

void Db::close() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  cache_.clear();
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Result<Stmt> Db::prepare(std::string_view sql, std::string_view what) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(rc, "prepare " + std::string(what), db_);
  return Stmt(db_, stmt, std::string(what));
}

Result<Stmt> Db::cached(std::string_view sql, std::string_view what) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &stmt, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(rc, "prepare " + std::string(what), db_);
    it = cache_.emplace(std::string(sql), stmt).first;
  }
  Stmt s(db_, it->second, std::string(what));
  s.borrowed_ = true;
  return s;
}

Status Db::exec(const std::string& sql, std::string_view what) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(rc, what, db_);
  return Unit{};
}

Result<WriteTxn> Db::begin_write() {
  const int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(rc, "begin a transaction", db_);
  return WriteTxn(db_);
}

Result<WriteTxn> Db::begin_read() {
  const int rc = sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(rc, "begin a read transaction", db_);
  return WriteTxn(db_);
}

std::int64_t Db::changes() { return sqlite3_changes64(db_); }
std::int64_t Db::last_insert_id() { return sqlite3_last_insert_rowid(db_); }

}  // namespace dealstack::backend::db
