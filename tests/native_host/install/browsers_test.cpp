#include "install/browsers.hpp"

#include <doctest/doctest.h>

#include <string>

#include "test_support.hpp"

using namespace dealstack::install;
using install_test::env_of;

namespace {
std::string dir(Browser b, Scope s, Os os, const dealstack::platform::EnvLookup& env) {
  auto r = manifest_dir(b, s, os, env);
  REQUIRE(r.ok());
  return r->string();
}
}  // namespace

TEST_CASE("per-user manifest folders on Linux follow each browser's own folder") {
  const auto env = env_of({{"HOME", "/home/ann"}});
  CHECK(dir(Browser::chrome, Scope::user, Os::Linux, env) == "/home/ann/.config/google-chrome/NativeMessagingHosts");
  CHECK(dir(Browser::chromium, Scope::user, Os::Linux, env) == "/home/ann/.config/chromium/NativeMessagingHosts");
  CHECK(dir(Browser::edge, Scope::user, Os::Linux, env) == "/home/ann/.config/microsoft-edge/NativeMessagingHosts");
  CHECK(dir(Browser::brave, Scope::user, Os::Linux, env) ==
        "/home/ann/.config/BraveSoftware/Brave-Browser/NativeMessagingHosts");
  CHECK(dir(Browser::vivaldi, Scope::user, Os::Linux, env) == "/home/ann/.config/vivaldi/NativeMessagingHosts");
  CHECK(dir(Browser::firefox, Scope::user, Os::Linux, env) == "/home/ann/.mozilla/native-messaging-hosts");
}

TEST_CASE("XDG_CONFIG_HOME moves the Chromium family's folders but not Firefox's") {
  const auto env = env_of({{"HOME", "/home/ann"}, {"XDG_CONFIG_HOME", "/cfg"}});
  CHECK(dir(Browser::chromium, Scope::user, Os::Linux, env) == "/cfg/chromium/NativeMessagingHosts");
  CHECK(dir(Browser::brave, Scope::user, Os::Linux, env) == "/cfg/BraveSoftware/Brave-Browser/NativeMessagingHosts");
  CHECK(dir(Browser::firefox, Scope::user, Os::Linux, env) == "/home/ann/.mozilla/native-messaging-hosts");
  // A relative value is ignored, as the XDG spec says.
  const auto rel = env_of({{"HOME", "/home/ann"}, {"XDG_CONFIG_HOME", "cfg"}});
  CHECK(dir(Browser::chromium, Scope::user, Os::Linux, rel) == "/home/ann/.config/chromium/NativeMessagingHosts");
  // Only XDG_CONFIG_HOME: the Chromium family still has a folder, Firefox has none.
  const auto only_xdg = env_of({{"XDG_CONFIG_HOME", "/cfg"}});
  CHECK(dir(Browser::vivaldi, Scope::user, Os::Linux, only_xdg) == "/cfg/vivaldi/NativeMessagingHosts");
  auto ff = manifest_dir(Browser::firefox, Scope::user, Os::Linux, only_xdg);
  REQUIRE(!ff.ok());
  CHECK(ff.error().code == "no_home");
}

TEST_CASE("per-user manifest folders on macOS are under Library/Application Support") {
  const auto env = env_of({{"HOME", "/Users/ann"}, {"XDG_CONFIG_HOME", "/ignored"}});
  const std::string base = "/Users/ann/Library/Application Support/";
  CHECK(dir(Browser::chrome, Scope::user, Os::MacOs, env) == base + "Google/Chrome/NativeMessagingHosts");
  CHECK(dir(Browser::chromium, Scope::user, Os::MacOs, env) == base + "Chromium/NativeMessagingHosts");
  CHECK(dir(Browser::edge, Scope::user, Os::MacOs, env) == base + "Microsoft Edge/NativeMessagingHosts");
  CHECK(dir(Browser::brave, Scope::user, Os::MacOs, env) == base + "BraveSoftware/Brave-Browser/NativeMessagingHosts");
  CHECK(dir(Browser::vivaldi, Scope::user, Os::MacOs, env) == base + "Vivaldi/NativeMessagingHosts");
  CHECK(dir(Browser::firefox, Scope::user, Os::MacOs, env) == base + "Mozilla/NativeMessagingHosts");
}

TEST_CASE("system manifest folders need no environment") {
  const auto none = env_of({});
  CHECK(dir(Browser::chrome, Scope::system, Os::Linux, none) == "/etc/opt/chrome/native-messaging-hosts");
  CHECK(dir(Browser::chromium, Scope::system, Os::Linux, none) == "/etc/chromium/native-messaging-hosts");
  CHECK(dir(Browser::edge, Scope::system, Os::Linux, none) == "/etc/opt/edge/native-messaging-hosts");
  CHECK(dir(Browser::brave, Scope::system, Os::Linux, none) == "/etc/chromium/native-messaging-hosts");
  CHECK(dir(Browser::vivaldi, Scope::system, Os::Linux, none) == "/etc/opt/vivaldi/native-messaging-hosts");
  CHECK(dir(Browser::firefox, Scope::system, Os::Linux, none) == "/usr/lib/mozilla/native-messaging-hosts");
  CHECK(dir(Browser::chrome, Scope::system, Os::MacOs, none) == "/Library/Google/Chrome/NativeMessagingHosts");
  CHECK(dir(Browser::chromium, Scope::system, Os::MacOs, none) ==
        "/Library/Application Support/Chromium/NativeMessagingHosts");
  CHECK(dir(Browser::edge, Scope::system, Os::MacOs, none) == "/Library/Microsoft/Edge/NativeMessagingHosts");
  CHECK(dir(Browser::firefox, Scope::system, Os::MacOs, none) ==
        "/Library/Application Support/Mozilla/NativeMessagingHosts");
}

TEST_CASE("no HOME is an error for per-user folders") {
  auto r = manifest_dir(Browser::chrome, Scope::user, Os::Linux, env_of({{"HOME", "relative"}}));
  REQUIRE(!r.ok());
  CHECK(r.error().code == "no_home");
  auto m = manifest_dir(Browser::chrome, Scope::user, Os::MacOs, env_of({}));
  REQUIRE(!m.ok());
  CHECK(m.error().code == "no_home");
}

TEST_CASE("browser names round-trip and only Firefox is of the Firefox family") {
  int firefox_family = 0;
  for (Browser b : all_browsers()) {
    auto parsed = parse_browser(browser_name(b));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == b);
    CHECK(!browser_label(b).empty());
    if (browser_family(b) == Family::firefox) ++firefox_family;
  }
  CHECK(all_browsers().size() == 6);
  CHECK(firefox_family == 1);
  CHECK(browser_family(Browser::firefox) == Family::firefox);
  CHECK(!parse_browser("Chrome").has_value());
  CHECK(!parse_browser("opera").has_value());
  CHECK(!parse_browser("").has_value());
}

TEST_CASE("browser_user_dir is the folder whose presence says the browser was run") {
  const auto env = env_of({{"HOME", "/home/ann"}});
  auto c = browser_user_dir(Browser::chrome, Os::Linux, env);
  REQUIRE(c.ok());
  CHECK(*c == "/home/ann/.config/google-chrome");
  auto f = browser_user_dir(Browser::firefox, Os::Linux, env);
  REQUIRE(f.ok());
  CHECK(*f == "/home/ann/.mozilla");
  auto m = browser_user_dir(Browser::firefox, Os::MacOs, env);
  REQUIRE(m.ok());
  CHECK(*m == "/home/ann/Library/Application Support/Mozilla");
}
