#include "install/files.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "test_support.hpp"

using namespace dealstack::install;
using install_test::mode_of;
using install_test::slurp;
using install_test::spit;
using install_test::TempDir;

TEST_CASE("write_file_atomic replaces the file with the mode asked, whatever the umask") {
  TempDir t;
  const auto file = t.path / "m.json";
  spit(file, "old");
  const mode_t old_mask = ::umask(077);
  auto w = write_file_atomic(file, "new text\n", 0644);
  ::umask(old_mask);
  REQUIRE(w.ok());
  CHECK(slurp(file) == "new text\n");
  CHECK(mode_of(file) == 0644);
  // No temporary file is left beside it.
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(t.path)) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);
}

TEST_CASE("write_file_atomic fails with io_error naming the file when the folder is missing") {
  TempDir t;
  auto w = write_file_atomic(t.path / "no" / "m.json", "x", 0644);
  REQUIRE(!w.ok());
  CHECK(w.error().code == "io_error");
  CHECK(w.error().message.find("m.json") != std::string::npos);
  // A folder where the file should go: the rename fails and the temporary file goes.
  std::filesystem::create_directories(t.path / "d" / "m.json" / "inside");
  auto d = write_file_atomic(t.path / "d" / "m.json", "x", 0644);
  REQUIRE(!d.ok());
  CHECK(d.error().code == "io_error");
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(t.path / "d")) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);
}

TEST_CASE("read_file reads whole files and refuses missing and oversized ones") {
  TempDir t;
  spit(t.path / "a", std::string(100, 'a'));
  auto a = read_file(t.path / "a", 100);
  REQUIRE(a.ok());
  CHECK(a->size() == 100);
  auto big = read_file(t.path / "a", 99);
  REQUIRE(!big.ok());
  CHECK(big.error().code == "too_large");
  auto none = read_file(t.path / "b");
  REQUIRE(!none.ok());
  CHECK(none.error().code == "not_found");
  auto dir = read_file(t.path);
  REQUIRE(!dir.ok());
  CHECK(dir.error().code == "io_error");
}

TEST_CASE("make_dirs creates missing folders 0755 and lists them parents first") {
  TempDir t;
  std::vector<std::filesystem::path> created;
  const mode_t old_mask = ::umask(077);
  auto r = make_dirs(t.path / "a" / "b" / "c", created);
  ::umask(old_mask);
  REQUIRE(r.ok());
  CHECK(created == std::vector<std::filesystem::path>{t.path / "a", t.path / "a" / "b", t.path / "a" / "b" / "c"});
  CHECK(mode_of(t.path / "a" / "b") == 0755);
  created.clear();
  REQUIRE(make_dirs(t.path / "a" / "b", created).ok());
  CHECK(created.empty());
  spit(t.path / "file", "x");
  auto blocked = make_dirs(t.path / "file" / "sub", created);
  REQUIRE(!blocked.ok());
  CHECK(blocked.error().code == "io_error");
  CHECK(created.empty());
}
