// The server's own thin layer over the SQLite C API: a connection (Db) with a cache of
// prepared statements, statements (Stmt) and write transactions (WriteTxn). The agent's
// store/database.hpp is the same idea but its open() applies the agent's migrations, so the
// server keeps its own; errors are the store's codes (store::sqlite_error: db_busy,
// db_corrupt, db_io_error, db_full, db_read_only, db_open_failed, constraint, db_error).
//
// A Db is for one thread at a time: the server opens one per I/O thread (server/state.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace dealstack::backend::db {

class Stmt {
 public:
  Stmt() = default;
  Stmt(sqlite3* db, sqlite3_stmt* stmt, std::string what) : db_(db), stmt_(stmt), what_(std::move(what)) {}
  Stmt(Stmt&& o) noexcept;
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();  // finalizes unless borrowed from the cache (see Db::cached)

  // Parameters from 1. A failed bind is reported by the next step().
  Stmt& bind(int index, std::int64_t value);
  Stmt& bind(int index, std::string_view text);
  Stmt& bind_blob(int index, std::string_view bytes);
  Stmt& bind_null(int index);

  Result<bool> step();  // true: a row is ready
  Status run();         // for statements without rows
  void reset();

  std::int64_t int64(int column) const;
  std::string text(int column) const;  // TEXT or BLOB bytes; NULL reads as ""
  bool is_null(int column) const;

 private:
  friend class Db;
  void release();
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string what_;
  int bind_error_ = 0;
  bool borrowed_ = false;
};

// BEGIN IMMEDIATE ... COMMIT; rolled back when destroyed uncommitted.
class WriteTxn {
 public:
  explicit WriteTxn(sqlite3* db) : db_(db) {}
  WriteTxn(WriteTxn&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  WriteTxn& operator=(WriteTxn&&) = delete;
  ~WriteTxn();
  Status commit();

 private:
  sqlite3* db_ = nullptr;
};

class Db {
 public:
  struct Options {
    std::string vfs;              // empty = SQLite's default; tests pass store::fault_vfs::name()
    int busy_timeout_ms = 5000;   // wait for another connection's write lock
  };
  // Opens or creates the file (0600), WAL, synchronous=FULL, foreign keys on, then brings the
  // schema up to date (db/schema.hpp) in one transaction.
  static Result<Db> open(const std::filesystem::path& path, const Options& options);
  static Result<Db> open(const std::filesystem::path& path) { return open(path, Options{}); }

  Db(Db&& o) noexcept;
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  Result<Stmt> prepare(std::string_view sql, std::string_view what);
  // A prepared statement kept for the connection's life (reset before it is handed out);
  // the returned Stmt must not outlive the Db.
  Result<Stmt> cached(std::string_view sql, std::string_view what);
  Status exec(const std::string& sql, std::string_view what);
  Result<WriteTxn> begin_write();
  // A deferred transaction for a consistent read (no write lock taken); same commit/rollback.
  Result<WriteTxn> begin_read();
  std::int64_t changes();
  std::int64_t last_insert_id();
  sqlite3* handle() { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  void close();
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace dealstack::backend::db
