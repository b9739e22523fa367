#include "store/database.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "store/fault_vfs.hpp"
#include "temp_dir.hpp"

using namespace dealstack::store;
using dealstack::store::testing::TempDir;

namespace {

std::string query_text(Database& db, const std::string& sql) {
  auto st = db.prepare(sql, "test query");
  REQUIRE(st.ok());
  auto row = st->step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return st->text(0);
}

std::int64_t query_int(Database& db, const std::string& sql) {
  auto st = db.prepare(sql, "test query");
  REQUIRE(st.ok());
  auto row = st->step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return st->int64(0);
}

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("a fresh file gets every migration, WAL, foreign keys and synchronous=FULL") {
  TempDir dir;
  auto db = Database::open(dir.db());
  REQUIRE(db.ok());
  auto version = db->schema_version();
  REQUIRE(version.ok());
  CHECK(*version == kSchemaVersion);
  CHECK(query_text(*db, "PRAGMA journal_mode") == "wal");
  CHECK(query_int(*db, "PRAGMA foreign_keys") == 1);
  CHECK(query_int(*db, "PRAGMA synchronous") == 2);  // FULL
  for (const char* table : {"products", "variants", "watches", "observations", "alerts", "settings", "monitor_state",
                            "offer_feed", "offer_retailers", "offers", "wallet"})
    CHECK_MESSAGE(query_int(*db, std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '") +
                                     table + "'") == 1,
                  table);
  auto ok = db->integrity_check();
  REQUIRE(ok.ok());
  CHECK(*ok == "ok");
}

TEST_CASE("reopening an existing file keeps its version and data and applies nothing twice") {
  TempDir dir;
  {
    auto db = Database::open(dir.db());
    REQUIRE(db.ok());
    REQUIRE(db->exec("INSERT INTO settings (key, value) VALUES ('k', 'v')", "seed").ok());
  }
  for (int i = 0; i < 3; ++i) {
    auto db = Database::open(dir.db());
    REQUIRE(db.ok());
    CHECK(*db->schema_version() == kSchemaVersion);
    CHECK(query_int(*db, "SELECT count(*) FROM schema_version") == kSchemaVersion);
    CHECK(query_text(*db, "SELECT value FROM settings WHERE key = 'k'") == "v");
  }
}

TEST_CASE("a file from a newer dealstack is refused and left untouched") {
  TempDir dir;
  {
    auto db = Database::open(dir.db());
    REQUIRE(db.ok());
    REQUIRE(db->exec("INSERT INTO schema_version (version, applied_at) VALUES (999, 0)", "seed").ok());
  }
  auto db = Database::open(dir.db());
  REQUIRE(!db.ok());
  CHECK(db.error().code == "db_schema_too_new");
  CHECK(db.error().message.find("999") != std::string::npos);
  CHECK(db.error().message.find(dir.db().string()) != std::string::npos);

  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(dir.db().c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(raw, "SELECT max(version) FROM schema_version", -1, &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == 999);
  sqlite3_finalize(st);
  sqlite3_close(raw);
}

TEST_CASE("a file that is not a database gives db_corrupt, not a crash") {
  TempDir dir;
  {
    std::ofstream out(dir.db(), std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>((i * 7919 + 13) & 0xff));
  }
  auto db = Database::open(dir.db());
  REQUIRE(!db.ok());
  CHECK(db.error().code == "db_corrupt");
  CHECK(db.error().message.find(dir.db().string()) != std::string::npos);
}

TEST_CASE("a missing folder or a folder in place of the file gives db_open_failed") {
  TempDir dir;
  auto missing = Database::open(dir.path() / "no-such-folder" / "x.sqlite3");
  REQUIRE(!missing.ok());
  CHECK(missing.error().code == "db_open_failed");
  CHECK(missing.error().message.find("no-such-folder") != std::string::npos);

  std::filesystem::create_directory(dir.path() / "adir");
  auto folder = Database::open(dir.path() / "adir");
  REQUIRE(!folder.ok());
  CHECK(folder.error().code == "db_open_failed");
}

TEST_CASE("the database and its -wal and -shm files are private (0600), even under a loose umask") {
  TempDir dir;
  const mode_t old = ::umask(0);
  auto db = Database::open(dir.db());
  ::umask(old);
  REQUIRE(db.ok());
  REQUIRE(db->exec("INSERT INTO settings (key, value) VALUES ('a', 'b')", "write").ok());
  CHECK(mode_of(dir.db()) == 0600);
  CHECK(mode_of(dir.db().string() + "-wal") == 0600);
  CHECK(mode_of(dir.db().string() + "-shm") == 0600);
}

TEST_CASE("an existing database readable by others is made private on open") {
  TempDir dir;
  { REQUIRE(Database::open(dir.db()).ok()); }
  REQUIRE(::chmod(dir.db().c_str(), 0644) == 0);
  auto db = Database::open(dir.db());
  REQUIRE(db.ok());
  CHECK(mode_of(dir.db()) == 0600);
}

TEST_CASE("a transaction not committed is rolled back; a committed one stays") {
  TempDir dir;
  auto db = Database::open(dir.db());
  REQUIRE(db.ok());
  {
    auto tx = db->begin();
    REQUIRE(tx.ok());
    REQUIRE(db->exec("INSERT INTO settings (key, value) VALUES ('gone', '1')", "write").ok());
  }
  CHECK(query_int(*db, "SELECT count(*) FROM settings WHERE key = 'gone'") == 0);
  {
    auto tx = db->begin();
    REQUIRE(tx.ok());
    REQUIRE(db->exec("INSERT INTO settings (key, value) VALUES ('kept', '1')", "write").ok());
    REQUIRE(tx->commit().ok());
    CHECK(!tx->commit().ok());  // only once
  }
  CHECK(query_int(*db, "SELECT count(*) FROM settings WHERE key = 'kept'") == 1);
}

TEST_CASE("a writer blocked longer than the busy timeout gets db_busy") {
  TempDir dir;
  auto a = Database::open(dir.db());
  REQUIRE(a.ok());
  Database::Options quick;
  quick.busy_timeout_ms = 50;
  auto b = Database::open(dir.db(), quick);
  REQUIRE(b.ok());
  auto held = a->begin();
  REQUIRE(held.ok());
  auto blocked = b->begin();
  REQUIRE(!blocked.ok());
  CHECK(blocked.error().code == "db_busy");
  // Readers are not blocked by the writer (WAL).
  CHECK(query_int(*b, "SELECT count(*) FROM settings") == 0);
  REQUIRE(held->commit().ok());
  CHECK(b->begin().ok());
}

TEST_CASE("constraint violations and bad SQL map to stable codes") {
  TempDir dir;
  auto db = Database::open(dir.db());
  REQUIRE(db.ok());
  auto orphan = db->exec("INSERT INTO variants (product_id, name) VALUES (12345, '')", "orphan variant");
  REQUIRE(!orphan.ok());
  CHECK(orphan.error().code == "constraint");  // foreign keys are on
  CHECK(orphan.error().message.find("orphan variant") != std::string::npos);
  auto bad = db->prepare("SELEC nonsense", "bad sql");
  REQUIRE(!bad.ok());
  CHECK(bad.error().code == "db_error");
  CHECK(sqlite_error(SQLITE_IOERR_FSYNC, "x", nullptr).code == "db_io_error");
  CHECK(sqlite_error(SQLITE_FULL, "x", nullptr).code == "db_full");
  CHECK(sqlite_error(SQLITE_NOTADB, "x", nullptr).code == "db_corrupt");
  CHECK(sqlite_error(SQLITE_BUSY_SNAPSHOT, "x", nullptr).code == "db_busy");
  CHECK(sqlite_error(SQLITE_READONLY, "x", nullptr).code == "db_read_only");
}

// ---- migrations from earlier versions ----

namespace {

constexpr const char* kVersion3Tables[] = {"offer_feed", "offer_retailers", "offers", "wallet"};

// A file as version 2 of dealstack left it, with a watch, an alert and a setting: made by
// this build, then the version-3 tables dropped and its row in schema_version removed (the
// migrations are append-only, so that is exactly what version 2 wrote).
void make_version_2_file(const std::filesystem::path& path) {
  auto db = Database::open(path);
  REQUIRE(db.ok());
  REQUIRE(db->exec("INSERT INTO products (id, url, created_at) VALUES (1, 'https://a.example/p', 5);"
                   "INSERT INTO variants (id, product_id, name) VALUES (1, 1, '');"
                   "INSERT INTO watches (id, variant_id, notify_restock, notify_increase, interval_seconds,"
                   " created_at, state) VALUES (1, 1, 1, 0, 3600, 5, 'active');"
                   "INSERT INTO alerts (watch_id, kind, message, currency, at, kinds)"
                   " VALUES (1, 'drop', 'cheaper', '', 6, 'drop');"
                   "INSERT INTO monitor_state (watch_id, rules) VALUES (1, '{}');"
                   "INSERT INTO settings (key, value) VALUES ('k', 'v');",
                   "seed")
              .ok());
  // Every table of a later version goes (version 3's, and whatever came after it).
  auto later = db->prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT IN ('products', "
                           "'variants', 'watches', 'observations', 'alerts', 'settings', 'monitor_state', "
                           "'schema_version')",
                           "later tables");
  REQUIRE(later.ok());
  std::vector<std::string> drop;
  while (*later->step()) drop.push_back(later->text(0));
  later = Statement();
  for (const std::string& table : drop) REQUIRE(db->exec("DROP TABLE " + table, "drop").ok());
  REQUIRE(db->exec("DELETE FROM schema_version WHERE version >= 3", "forget versions 3 and later").ok());
  REQUIRE(*db->schema_version() == 2);
}

// Reads the file with SQLite alone (no migration): its schema version and how many of the
// version-3 tables it has.
std::pair<int, int> raw_version_and_v3_tables(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  auto one_int = [&](const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    int v = -1;
    if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
  };
  const int version = one_int("SELECT max(version) FROM schema_version");
  int tables = 0;
  for (const char* table : kVersion3Tables)
    tables += one_int(std::string("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '") + table + "'");
  const int ok = one_int("SELECT integrity_check = 'ok' FROM pragma_integrity_check");
  sqlite3_close(raw);
  CHECK(ok == 1);
  return {version, tables};
}

void copy_closed(const std::filesystem::path& from, const std::filesystem::path& to) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(to.string() + suffix);
  REQUIRE(!std::filesystem::exists(from.string() + "-wal"));
  std::filesystem::copy_file(from, to);
}

void check_version_2_data(Database& db) {
  CHECK(query_text(db, "SELECT url FROM products WHERE id = 1") == "https://a.example/p");
  CHECK(query_int(db, "SELECT count(*) FROM watches") == 1);
  CHECK(query_text(db, "SELECT message FROM alerts") == "cheaper");
  CHECK(query_text(db, "SELECT rules FROM monitor_state WHERE watch_id = 1") == "{}");
  CHECK(query_text(db, "SELECT value FROM settings WHERE key = 'k'") == "v");
}

}  // namespace

TEST_CASE("a version 2 file is brought to the current version: its data stays, the offer and wallet tables work") {
  TempDir dir;
  make_version_2_file(dir.db());
  CHECK(raw_version_and_v3_tables(dir.db()) == std::pair<int, int>{2, 0});
  auto db = Database::open(dir.db());
  REQUIRE_MESSAGE(db.ok(), db.error().message);
  CHECK(*db->schema_version() == kSchemaVersion);
  CHECK(query_int(*db, "SELECT count(*) FROM schema_version") == kSchemaVersion);
  check_version_2_data(*db);
  REQUIRE(db->exec("INSERT INTO offer_retailers (retailer) VALUES ('shop.example');"
                   "INSERT INTO offers (retailer, position, offer) VALUES ('shop.example', 0, '{}');"
                   "INSERT INTO wallet (id, wallet, updated_at) VALUES (1, '{}', 7);",
                   "use the new tables")
            .ok());
  // One wallet row only; offers belong to a known retailer and go with it.
  CHECK(db->exec("INSERT INTO wallet (id, wallet, updated_at) VALUES (2, '{}', 7)", "second wallet").error().code ==
        "constraint");
  CHECK(db->exec("INSERT INTO offers (retailer, position, offer) VALUES ('other.example', 0, '{}')", "orphan")
            .error()
            .code == "constraint");
  REQUIRE(db->exec("DELETE FROM offer_retailers", "remove retailers").ok());
  CHECK(query_int(*db, "SELECT count(*) FROM offers") == 0);
}

TEST_CASE("failure injection: a migration from version 2 that fails half-way leaves version 2 whole") {
  TempDir dir;
  const auto base = dir.path() / "v2.sqlite3";
  make_version_2_file(base);
  const auto work = dir.path() / "work.sqlite3";
  Database::Options faulty;
  faulty.vfs = fault_vfs::name();
  bool migrated = false;
  int failures = 0;
  for (std::int64_t n = 0; n < 200 && !migrated; ++n) {
    CAPTURE(n);
    copy_closed(base, work);
    fault_vfs::fail_after(n);
    auto db = Database::open(work, faulty);
    fault_vfs::disarm();
    migrated = db.ok();
    if (!migrated) {
      ++failures;
      CHECK_MESSAGE(db.error().code == "db_io_error", db.error().message);
    }
    db = dealstack::make_error("closed", "");  // close before inspecting
    const auto [version, tables] = raw_version_and_v3_tables(work);
    CAPTURE(version);
    CAPTURE(tables);
    // Version 2 with none of the new tables, or the current version with all of them; never between.
    CHECK(((version == 2 && tables == 0) || (version == kSchemaVersion && tables == 4)));
    if (migrated) CHECK(version == kSchemaVersion);
    // Whatever happened, the next open (a healthy disk) migrates it and the data is there.
    auto again = Database::open(work);
    REQUIRE_MESSAGE(again.ok(), again.error().message);
    CHECK(*again->schema_version() == kSchemaVersion);
    check_version_2_data(*again);
  }
  CHECK(migrated);
  CHECK(failures >= 1);
}
