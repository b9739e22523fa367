#include "install/allow_list.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "test_support.hpp"

using namespace dealstack::install;
using install_test::spit;
using install_test::TempDir;

namespace {
const std::string kOrigin = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/";
}

TEST_CASE("allow-list text is sorted without duplicates and loads back") {
  TempDir t;
  const auto file = t.path / "a.json";
  spit(file, allow_list_text({"dealstack@dealstack.dev", kOrigin, kOrigin}));
  auto loaded = load_allowed_origins_from({file});
  REQUIRE(loaded.ok());
  CHECK(*loaded == std::vector<std::string>{kOrigin, "dealstack@dealstack.dev"});
}

TEST_CASE("the user's and the system's allow-lists are joined; none at all is an error") {
  TempDir t;
  dealstack::platform::Paths paths;
  paths.config = t.path / "config";
  CHECK(user_allow_list_file(paths) == t.path / "config" / "allowed_origins.json");
  spit(user_allow_list_file(paths), allow_list_text({kOrigin}));
  const auto system = t.path / "etc" / "allowed_origins.json";
  spit(system, allow_list_text({"{12345678-9abc-def0-1234-56789abcdef0}", kOrigin}));
  auto both = load_allowed_origins_from({user_allow_list_file(paths), system, t.path / "missing.json"});
  REQUIRE(both.ok());
  CHECK(both->size() == 2);
  auto none = load_allowed_origins_from({t.path / "missing.json"});
  REQUIRE(!none.ok());
  CHECK(none.error().code == "no_allow_list");
  CHECK(system_allow_list_file(Os::Linux) == "/etc/dealstack/allowed_origins.json");
  CHECK(system_allow_list_file(Os::MacOs) == "/Library/Application Support/dealstack/allowed_origins.json");
}

TEST_CASE("a malformed allow-list is an error naming the file") {
  TempDir t;
  const auto file = t.path / "bad.json";
  for (const std::string text : {"{", "[]", "{\"allowed\": 3}", "{\"allowed\": [1]}",
                                 "{\"allowed\": [\"chrome-extension://*/\"]}", "{\"allowed\": [\"https://x.dev/\"]}"}) {
    CAPTURE(text);
    spit(file, text);
    auto r = load_allowed_origins_from({file});
    REQUIRE(!r.ok());
    CHECK(r.error().code == "invalid_allow_list");
    CHECK(r.error().message.find(file.string()) != std::string::npos);
  }
  spit(file, std::string(2u << 20, ' '));
  auto big = load_allowed_origins_from({file});
  REQUIRE(!big.ok());
  CHECK(big.error().code == "invalid_allow_list");
}

TEST_CASE("origin_allowed compares exactly") {
  const std::vector<std::string> allowed{kOrigin, "dealstack@dealstack.dev"};
  CHECK(origin_allowed(allowed, kOrigin));
  CHECK(origin_allowed(allowed, "dealstack@dealstack.dev"));
  CHECK(!origin_allowed(allowed, "chrome-extension://abcdefghijklmnopabcdefghijklmnop"));
  CHECK(!origin_allowed(allowed, "chrome-extension://ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP/"));
  CHECK(!origin_allowed(allowed, "Dealstack@dealstack.dev"));
  CHECK(!origin_allowed(allowed, ""));
  CHECK(!origin_allowed({}, kOrigin));
}

TEST_CASE("caller_from_args reads Chromium's origin and Firefox's extension id") {
  CHECK(caller_from_args({kOrigin}) == kOrigin);
  CHECK(caller_from_args({kOrigin, "--parent-window=0"}) == kOrigin);
  CHECK(caller_from_args({"/home/a/.mozilla/native-messaging-hosts/com.dealstack.host.json",
                          "dealstack@dealstack.dev"}) == "dealstack@dealstack.dev");
  CHECK(caller_from_args({"install", "--browser"}).empty());
  CHECK(caller_from_args({"/x.json", "not an id"}).empty());
  CHECK(caller_from_args({}).empty());
}
