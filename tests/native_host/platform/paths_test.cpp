#include "platform/paths.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <map>
#include <string>

using namespace dealstack::platform;

namespace {
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST_CASE("paths follow XDG, with HOME defaults") {
  auto p = user_paths(env_of({{"HOME", "/home/ann"}}));
  REQUIRE(p.ok());
  CHECK(p->data == "/home/ann/.local/share/dealstack");
  CHECK(p->config == "/home/ann/.config/dealstack");
  CHECK(p->database() == "/home/ann/.local/share/dealstack/dealstack.sqlite3");
  CHECK(p->runtime.string().rfind("/tmp/dealstack-", 0) == 0);

  auto q = user_paths(env_of({{"HOME", "/home/ann"}, {"XDG_DATA_HOME", "/d"},
                              {"XDG_CONFIG_HOME", "/c"}, {"XDG_RUNTIME_DIR", "/run/user/1000"}}));
  REQUIRE(q.ok());
  CHECK(q->data == "/d/dealstack");
  CHECK(q->config == "/c/dealstack");
  CHECK(q->socket() == "/run/user/1000/dealstack/agent.sock");
}

TEST_CASE("relative XDG values are ignored and no home is an error") {
  auto p = user_paths(env_of({{"HOME", "/h"}, {"XDG_DATA_HOME", "rel/data"}}));
  REQUIRE(p.ok());
  CHECK(p->data == "/h/.local/share/dealstack");
  auto none = user_paths(env_of({}));
  REQUIRE(!none.ok());
  CHECK(none.error().code == "no_home");
}

TEST_CASE("private directories are created 0700 and open ones tightened") {
  char tmpl[] = "/tmp/ds-paths-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::filesystem::path root = tmpl;
  auto made = ensure_private_dir(root / "a" / "b");
  REQUIRE(made.ok());
  struct stat st {};
  REQUIRE(::stat((root / "a" / "b").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  ::chmod((root / "a" / "b").c_str(), 0755);
  REQUIRE(ensure_private_dir(root / "a" / "b").ok());
  REQUIRE(::stat((root / "a" / "b").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  // A file where the directory should be.
  { FILE* f = std::fopen((root / "file").c_str(), "w"); std::fclose(f); }
  auto bad = ensure_private_dir(root / "file");
  REQUIRE(!bad.ok());
  CHECK(bad.error().code == "unsafe_directory");
  std::filesystem::remove_all(root);
}
