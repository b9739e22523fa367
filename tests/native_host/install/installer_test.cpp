#include "install/installer.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "install/allow_list.hpp"
#include "install/extension_ids.hpp"
#include "install/manifest.hpp"
#include "test_support.hpp"

using namespace dealstack::install;
using install_test::env_of;
using install_test::mode_of;
using install_test::slurp;
using install_test::spit;
using install_test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kOtherId = "pppppppppppppppppppppppppppppppp";

struct Home {
  TempDir tmp;
  dealstack::platform::EnvLookup env;
  dealstack::platform::Paths paths;
  Home() {
    env = env_of({{"HOME", tmp.path.string()}, {"XDG_RUNTIME_DIR", (tmp.path / "run").string()}});
    paths = dealstack::platform::user_paths(env).value();
  }
  InstallOptions options(std::vector<Browser> browsers = {}) const {
    InstallOptions o;
    o.browsers = std::move(browsers);
    o.host_path = "/opt/dealstack/bin/dealstack";
    o.os = Os::Linux;
    return o;
  }
  fs::path manifest(Browser b) const { return manifest_dir(b, Scope::user, Os::Linux, env).value() / manifest_file_name(); }
};

// Every regular file under `root`, as paths relative to it.
std::set<std::string> files_under(const fs::path& root) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), root).string());
  return out;
}

std::vector<Browser> every() { return {all_browsers().begin(), all_browsers().end()}; }

}  // namespace

TEST_CASE("install writes each browser's manifest, the allow-list and the record") {
  Home h;
  auto r = install(h.options(every()), h.paths, h.env);
  REQUIRE(r.ok());
  REQUIRE(r->manifests.size() == 6);
  for (Browser b : all_browsers()) {
    CAPTURE(browser_name(b));
    const auto file = h.manifest(b);
    const auto family = browser_family(b);
    const std::vector<std::string> ids{std::string(family == Family::chromium ? kDevChromiumExtensionId
                                                                              : kFirefoxExtensionId)};
    CHECK(slurp(file) == make_manifest(family, "/opt/dealstack/bin/dealstack", ids).value());
    CHECK(mode_of(file) == 0644);
    CHECK(check_manifest(family, file.filename().string(), slurp(file)).issues.empty());
  }
  auto allowed = load_allowed_origins(h.paths);
  REQUIRE(allowed.ok());
  CHECK(*allowed == std::vector<std::string>{chromium_origin(kDevChromiumExtensionId), std::string(kFirefoxExtensionId)});
  auto rec = load_record(record_file(h.paths));
  REQUIRE(rec.ok());
  CHECK(rec->manifests.size() == 6);

  // Again: the same files, one record entry each.
  REQUIRE(install(h.options(every()), h.paths, h.env).ok());
  CHECK(load_record(record_file(h.paths))->manifests.size() == 6);
}

TEST_CASE("with no --browser, install goes to the browsers this user has run") {
  Home h;
  auto none = install(h.options(), h.paths, h.env);
  REQUIRE(!none.ok());
  CHECK(none.error().code == "no_browser");
  CHECK(none.error().message.find(".mozilla") != std::string::npos);
  CHECK(!fs::exists(record_file(h.paths)));

  fs::create_directories(h.tmp.path / ".config" / "vivaldi");
  fs::create_directories(h.tmp.path / ".mozilla");
  auto r = install(h.options(), h.paths, h.env);
  REQUIRE(r.ok());
  REQUIRE(r->manifests.size() == 2);
  CHECK(r->manifests[0].browser == Browser::vivaldi);
  CHECK(r->manifests[1].browser == Browser::firefox);
  CHECK(!fs::exists(h.tmp.path / ".config" / "google-chrome"));
}

TEST_CASE("--extension-id replaces the default of its own family only") {
  Home h;
  auto o = h.options({Browser::chrome, Browser::firefox});
  o.extension_ids = {kOtherId, "abcdefghijklmnopabcdefghijklmnop"};
  auto r = install(o, h.paths, h.env);
  REQUIRE(r.ok());
  const auto chrome = nlohmann::json::parse(slurp(h.manifest(Browser::chrome)));
  CHECK(chrome["allowed_origins"] == nlohmann::json::array({chromium_origin(kOtherId),
                                                             chromium_origin("abcdefghijklmnopabcdefghijklmnop")}));
  const auto firefox = nlohmann::json::parse(slurp(h.manifest(Browser::firefox)));
  CHECK(firefox["allowed_extensions"] == nlohmann::json::array({std::string(kFirefoxExtensionId)}));

  auto ids = sort_extension_ids({"{12345678-9abc-def0-1234-56789abcdef0}"});
  REQUIRE(ids.ok());
  CHECK(ids->chromium == std::vector<std::string>{std::string(kDevChromiumExtensionId)});
  CHECK(ids->firefox == std::vector<std::string>{"{12345678-9abc-def0-1234-56789abcdef0}"});
}

TEST_CASE("a bad id or host path writes nothing") {
  Home h;
  auto o = h.options(every());
  o.extension_ids = {"not-an-id"};
  auto r = install(o, h.paths, h.env);
  REQUIRE(!r.ok());
  CHECK(r.error().code == "invalid_extension_id");
  CHECK(r.error().message.find("not-an-id") != std::string::npos);
  auto p = h.options(every());
  p.host_path = "bin/dealstack";
  auto rel = install(p, h.paths, h.env);
  REQUIRE(!rel.ok());
  CHECK(rel.error().code == "invalid_host_path");
  CHECK(files_under(h.tmp.path).empty());
}

TEST_CASE("--user-data-dir writes DIR/NativeMessagingHosts for one Chromium-family browser") {
  Home h;
  auto o = h.options();
  o.user_data_dir = h.tmp.path / "profile";
  auto r = install(o, h.paths, h.env);
  REQUIRE(r.ok());
  REQUIRE(r->manifests.size() == 1);
  CHECK(r->manifests[0].place == Place::profile);
  CHECK(r->manifests[0].file == h.tmp.path / "profile" / "NativeMessagingHosts" / "com.dealstack.host.json");
  CHECK(check_manifest(Family::chromium, "com.dealstack.host.json", slurp(r->manifests[0].file)).issues.empty());

  auto ff = h.options({Browser::firefox});
  ff.user_data_dir = h.tmp.path / "p2";
  CHECK(install(ff, h.paths, h.env).error().code == "usage");
  auto two = h.options({Browser::chrome, Browser::edge});
  two.user_data_dir = h.tmp.path / "p2";
  CHECK(install(two, h.paths, h.env).error().code == "usage");
  auto sys = h.options();
  sys.user_data_dir = h.tmp.path / "p2";
  sys.scope = Scope::system;
  CHECK(install(sys, h.paths, h.env).error().code == "usage");
  CHECK(!fs::exists(h.tmp.path / "p2"));
}

TEST_CASE("system installs go to the system folders, one file where browsers share one") {
  Home h;
  TempDir root;
  auto o = h.options({Browser::chromium, Browser::brave, Browser::firefox});
  o.scope = Scope::system;
  o.system_root = root.path;
  auto r = install(o, h.paths, h.env);
  REQUIRE(r.ok());
  CHECK(r->manifests.size() == 2);  // Brave reads Chromium's system folder
  CHECK(files_under(root.path) == std::set<std::string>{"etc/chromium/native-messaging-hosts/com.dealstack.host.json",
                                                        "usr/lib/mozilla/native-messaging-hosts/com.dealstack.host.json",
                                                        "etc/dealstack/allowed_origins.json"});
  CHECK(mode_of(root.path / "etc/dealstack/allowed_origins.json") == 0644);
  CHECK(mode_of(root.path / "etc/dealstack") == 0755);

  auto u = uninstall({}, h.paths);
  REQUIRE(u.ok());
  CHECK(u->complete());
  CHECK(files_under(root.path).empty());
  CHECK(!fs::exists(root.path / "etc"));  // every folder install made is gone
  CHECK(!fs::exists(record_file(h.paths)));

  auto no_browser = h.options();
  no_browser.scope = Scope::system;
  CHECK(install(no_browser, h.paths, h.env).error().code == "usage");
}

TEST_CASE("uninstall removes exactly what install wrote") {
  Home h;
  fs::create_directories(h.tmp.path / ".config" / "chromium");
  spit(h.tmp.path / ".config" / "chromium" / "Preferences", "{}");
  REQUIRE(install(h.options(every()), h.paths, h.env).ok());
  const auto foreign = h.manifest(Browser::edge).parent_path() / "org.other.host.json";
  spit(foreign, "{}");

  auto u = uninstall({}, h.paths);
  REQUIRE(u.ok());
  CHECK(u->complete());
  REQUIRE(u->manifests.size() == 6);
  for (const auto& e : u->manifests) CHECK(e.outcome == Outcome::removed);
  CHECK(files_under(h.tmp.path) ==
        std::set<std::string>{".config/chromium/Preferences", ".config/microsoft-edge/NativeMessagingHosts/org.other.host.json"});
  CHECK(!fs::exists(h.tmp.path / ".config" / "chromium" / "NativeMessagingHosts"));
  CHECK(fs::exists(h.tmp.path / ".config" / "chromium"));  // it was there before
  CHECK(!fs::exists(h.tmp.path / ".config" / "google-chrome"));
  CHECK(!fs::exists(h.tmp.path / ".mozilla"));
  CHECK(!fs::exists(user_allow_list_file(h.paths)));

  // Nothing left to do.
  auto again = uninstall({}, h.paths);
  REQUIRE(again.ok());
  CHECK(again->manifests.empty());
}

TEST_CASE("uninstall leaves a manifest changed since install unless forced") {
  Home h;
  REQUIRE(install(h.options({Browser::chromium, Browser::firefox}), h.paths, h.env).ok());
  spit(h.manifest(Browser::chromium), "{\"edited\": true}");
  auto u = uninstall({}, h.paths);
  REQUIRE(u.ok());
  CHECK(!u->complete());
  REQUIRE(u->manifests.size() == 2);
  CHECK(u->manifests[0].outcome == Outcome::kept_changed);
  CHECK(u->manifests[1].outcome == Outcome::removed);
  CHECK(fs::exists(h.manifest(Browser::chromium)));
  CHECK(!fs::exists(h.manifest(Browser::firefox)));
  // The allow-list keeps only what the kept manifest allows.
  CHECK(*load_allowed_origins(h.paths) == std::vector<std::string>{chromium_origin(kDevChromiumExtensionId)});

  UninstallOptions force;
  force.force = true;
  auto f = uninstall(force, h.paths);
  REQUIRE(f.ok());
  CHECK(f->complete());
  CHECK(!fs::exists(h.manifest(Browser::chromium)));
  CHECK(!fs::exists(record_file(h.paths)));
  CHECK(files_under(h.tmp.path).empty());
}

TEST_CASE("uninstall --browser removes only those browsers' manifests") {
  Home h;
  REQUIRE(install(h.options({Browser::edge, Browser::firefox}), h.paths, h.env).ok());
  UninstallOptions o;
  o.browsers = {Browser::firefox};
  auto u = uninstall(o, h.paths);
  REQUIRE(u.ok());
  REQUIRE(u->manifests.size() == 1);
  CHECK(u->manifests[0].manifest.browser == Browser::firefox);
  CHECK(fs::exists(h.manifest(Browser::edge)));
  CHECK(!fs::exists(h.tmp.path / ".mozilla"));
  CHECK(*load_allowed_origins(h.paths) == std::vector<std::string>{chromium_origin(kDevChromiumExtensionId)});
  // A manifest already deleted by hand is reported missing and forgotten.
  fs::remove(h.manifest(Browser::edge));
  auto rest = uninstall({}, h.paths);
  REQUIRE(rest.ok());
  REQUIRE(rest->manifests.size() == 1);
  CHECK(rest->manifests[0].outcome == Outcome::missing);
  CHECK(files_under(h.tmp.path).empty());
}

TEST_CASE("an install that fails at its Nth manifest records the ones before, and uninstall removes them") {
  for (std::size_t n = 0; n < 6; ++n) {
    CAPTURE(n);
    Home h;
    // A file where the Nth browser's folder must go: its manifest can't be written.
    const Browser blocked = all_browsers()[n];
    const auto blocker = h.manifest(blocked).parent_path();
    spit(blocker, "in the way");
    auto r = install(h.options(every()), h.paths, h.env);
    REQUIRE(!r.ok());
    CHECK(r.error().code == "io_error");
    CHECK(r.error().message.find(blocker.string()) != std::string::npos);
    auto rec = load_record(record_file(h.paths));
    REQUIRE(rec.ok());
    CHECK(rec->manifests.size() == n);
    auto u = uninstall({}, h.paths);
    REQUIRE(u.ok());
    CHECK(u->complete());
    CHECK(u->manifests.size() == n);
    CHECK(files_under(h.tmp.path) == std::set<std::string>{fs::relative(blocker, h.tmp.path).string()});
  }
}

TEST_CASE("a damaged record stops install and uninstall with invalid_record") {
  Home h;
  spit(record_file(h.paths), "{broken");
  auto i = install(h.options({Browser::chrome}), h.paths, h.env);
  REQUIRE(!i.ok());
  CHECK(i.error().code == "invalid_record");
  CHECK(!fs::exists(h.manifest(Browser::chrome)));
  auto u = uninstall({}, h.paths);
  REQUIRE(!u.ok());
  CHECK(u.error().code == "invalid_record");
}

TEST_CASE("self_path is this test program") {
  auto p = self_path();
  REQUIRE(p.ok());
  CHECK(p->is_absolute());
  CHECK(p->filename() == "install_tests");
}
