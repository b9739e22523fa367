#include "store/fault_vfs.hpp"

#include <doctest/doctest.h>

#include "store/database.hpp"
#include "temp_dir.hpp"

using namespace dealstack::store;
using dealstack::store::testing::TempDir;

TEST_CASE("the fault VFS forwards everything while disarmed") {
  TempDir dir;
  Database::Options o;
  o.vfs = fault_vfs::name();
  fault_vfs::disarm();
  auto db = Database::open(dir.db(), o);
  REQUIRE(db.ok());
  CHECK(fault_vfs::operations() > 0);  // the migration wrote through it
  CHECK(fault_vfs::failures() == 0);
  REQUIRE(db->exec("INSERT INTO settings (key, value) VALUES ('a', 'b')", "write").ok());
}

TEST_CASE("armed, the fault VFS fails writes after N and keeps failing until disarmed") {
  TempDir dir;
  Database::Options o;
  o.vfs = fault_vfs::name();
  auto db = Database::open(dir.db(), o);
  REQUIRE(db.ok());

  fault_vfs::fail_after(0);
  auto failed = db->exec("INSERT INTO settings (key, value) VALUES ('a', 'b')", "write");
  REQUIRE(!failed.ok());
  CHECK(failed.error().code == "db_io_error");
  CHECK(fault_vfs::failures() >= 1);
  CHECK(!db->exec("INSERT INTO settings (key, value) VALUES ('c', 'd')", "write again").ok());

  // A commit needs at least one WAL write and one sync: with a budget of 1 it still fails.
  fault_vfs::fail_after(1);
  CHECK(!db->exec("INSERT INTO settings (key, value) VALUES ('e', 'f')", "write").ok());
  CHECK(fault_vfs::operations() >= 2);

  fault_vfs::disarm();
  REQUIRE(db->exec("INSERT INTO settings (key, value) VALUES ('g', 'h')", "write").ok());
  auto st = db->prepare("SELECT group_concat(key, '') FROM (SELECT key FROM settings ORDER BY key)", "read");
  REQUIRE(st.ok());
  REQUIRE(*st->step());
  CHECK(st->text(0) == "g");
}
