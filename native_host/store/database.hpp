// A small RAII layer over the SQLite C API: one connection (Database), prepared statements
// (Statement) and write transactions (Transaction). Every call returns Result/Status; SQLite
// result codes become stable error codes:
//   db_open_failed   the file can't be opened or created (permissions, missing folder, not WAL-able)
//   db_corrupt       the file is not a database or is damaged
//   db_schema_too_new  the file was written by a newer dealstack (unknown schema version)
//   db_busy          another process held the lock longer than the busy timeout
//   db_io_error      the disk failed a read, write or sync
//   db_full          the disk is full
//   db_read_only     the file or folder is read-only
//   constraint       a uniqueness or foreign-key rule refused the change
//   db_error         anything else SQLite reports (the message names it)
//
// Opening applies: journal_mode=WAL (readers never block the writer), foreign_keys=ON,
// busy_timeout (default 5000 ms), synchronous=FULL (a committed transaction survives power loss),
// then the versioned migrations, all in one transaction. The file and its -wal/-shm companions
// are private to the user (0600).
//
// A connection is for one thread at a time. Never carry one across fork(): open anew in the child.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace dealstack::store {

// The schema version this build writes; files with a higher one are refused.
inline constexpr int kSchemaVersion = 5;

// `what` says which operation failed ("insert observation"); the message adds SQLite's text.
Error sqlite_error(int rc, std::string_view what, sqlite3* db);

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are numbered from 1. A bind failure is kept and reported by the next step().
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::optional<std::int64_t>& value);  // none -> NULL
  Statement& bind(int index, const std::optional<std::string>& text);    // none -> NULL
  Statement& bind_null(int index);

  // True when a row is ready to read, false when the statement is done.
  Result<bool> step();
  // Steps a statement that returns no rows (INSERT, UPDATE, DELETE).
  Status run();
  // Ready to step again with new bindings.
  void reset();

  // Columns are numbered from 0.
  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  std::string text(int column) const;  // NULL reads as ""
  std::optional<std::int64_t> optional_int64(int column) const;
  std::optional<std::string> optional_text(int column) const;

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string what);
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::string what_;     // the operation's name, for error messages
  int bind_error_ = 0;   // first failed bind's result code
};

class Database;

// A write transaction (BEGIN IMMEDIATE: takes the write lock up front, so it never fails
// half-way for lack of it). Rolled back on destruction unless commit() succeeded.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  Status commit();

 private:
  friend class Database;
  explicit Transaction(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;  // null once committed or rolled back
};

class Database {
 public:
  struct Options {
    // Name of a registered SQLite VFS; empty = the default one. Tests pass fault_vfs::name().
    std::string vfs;
    int busy_timeout_ms = 5000;  // how long to wait for another process's lock
  };

  // Opens (creating if missing) the database at `path` and brings its schema up to
  // kSchemaVersion. The folder must exist (callers use platform::ensure_private_dir).
  static Result<Database> open(const std::filesystem::path& path, const Options& options);
  static Result<Database> open(const std::filesystem::path& path) { return open(path, Options{}); }

  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // `what` names the operation in error messages.
  Result<Statement> prepare(std::string_view sql, std::string_view what);
  // Runs one or more statements that return no rows.
  Status exec(const std::string& sql, std::string_view what);
  Result<Transaction> begin();

  // The schema version recorded in the file (after open: kSchemaVersion).
  Result<int> schema_version();
  // PRAGMA integrity_check's answer: "ok" for a sound file.
  Result<std::string> integrity_check();

  // Rows changed by the latest INSERT/UPDATE/DELETE, and the rowid the latest INSERT made.
  std::int64_t changes();
  std::int64_t last_insert_id();

  sqlite3* handle() { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  Status configure(int busy_timeout_ms);
  Status migrate();
  sqlite3* db_ = nullptr;
};

}  // namespace dealstack::store
