#include "install/browsers.hpp"

#include <array>

namespace dealstack::install {
namespace {

// One row per browser. Sources: Chrome's and Edge's native-messaging docs, MDN's for
// Firefox, and Chromium's chrome_paths.cc (DIR_NATIVE_MESSAGING / DIR_USER_NATIVE_MESSAGING).
// Brave does not override DIR_NATIVE_MESSAGING (brave-core patches only the per-user
// folder), and it is not a Google-branded build, so its system folders are Chromium's.
// Vivaldi's system folder on Linux is /etc/opt/vivaldi (as its .deb ships it).
struct Row {
  Browser browser;
  std::string_view name;
  std::string_view label;
  Family family;
  // Linux, per user: under the config home (XDG_CONFIG_HOME or ~/.config) for the
  // Chromium family; under HOME for Firefox (linux_user_in_home).
  std::string_view linux_user_root;  // the profile root, relative
  bool linux_user_in_home;
  std::string_view linux_user_hosts;  // relative to the profile root
  std::string_view linux_system;
  // macOS, per user: under ~/Library/Application Support.
  std::string_view mac_user_root;
  std::string_view mac_system;
};

constexpr std::string_view kChromiumHosts = "NativeMessagingHosts";

constexpr std::array<Row, 6> kRows{{
    {Browser::chrome, "chrome", "Google Chrome", Family::chromium, "google-chrome", false, kChromiumHosts,
     "/etc/opt/chrome/native-messaging-hosts", "Google/Chrome", "/Library/Google/Chrome/NativeMessagingHosts"},
    {Browser::chromium, "chromium", "Chromium", Family::chromium, "chromium", false, kChromiumHosts,
     "/etc/chromium/native-messaging-hosts", "Chromium",
     "/Library/Application Support/Chromium/NativeMessagingHosts"},
    {Browser::edge, "edge", "Microsoft Edge", Family::chromium, "microsoft-edge", false, kChromiumHosts,
     "/etc/opt/edge/native-messaging-hosts", "Microsoft Edge", "/Library/Microsoft/Edge/NativeMessagingHosts"},
    {Browser::brave, "brave", "Brave", Family::chromium, "BraveSoftware/Brave-Browser", false, kChromiumHosts,
     "/etc/chromium/native-messaging-hosts", "BraveSoftware/Brave-Browser",
     "/Library/Application Support/Chromium/NativeMessagingHosts"},
    {Browser::vivaldi, "vivaldi", "Vivaldi", Family::chromium, "vivaldi", false, kChromiumHosts,
     "/etc/opt/vivaldi/native-messaging-hosts", "Vivaldi",
     "/Library/Application Support/Vivaldi/NativeMessagingHosts"},
    {Browser::firefox, "firefox", "Firefox", Family::firefox, ".mozilla", true, "native-messaging-hosts",
     "/usr/lib/mozilla/native-messaging-hosts", "Mozilla",
     "/Library/Application Support/Mozilla/NativeMessagingHosts"},
}};

constexpr std::array<Browser, 6> kAll{Browser::chrome, Browser::chromium, Browser::edge,
                                      Browser::brave,  Browser::vivaldi,  Browser::firefox};

const Row& row(Browser b) {
  for (const Row& r : kRows)
    if (r.browser == b) return r;
  return kRows[0];  // unreachable: every enumerator has a row
}

std::optional<std::filesystem::path> absolute_var(const platform::EnvLookup& env, const char* name) {
  auto v = env(name);
  if (!v || v->empty() || (*v)[0] != '/') return std::nullopt;
  return std::filesystem::path(*v);
}

Result<std::filesystem::path> home(const platform::EnvLookup& env) {
  auto h = absolute_var(env, "HOME");
  if (!h) return make_error("no_home", "HOME is not set (or not absolute)");
  return *h;
}

}  // namespace

Os current_os() {
#if defined(__APPLE__)
  return Os::MacOs;
#else
  return Os::Linux;
#endif
}

std::span<const Browser> all_browsers() { return kAll; }
std::string_view browser_name(Browser b) { return row(b).name; }
std::string_view browser_label(Browser b) { return row(b).label; }
Family browser_family(Browser b) { return row(b).family; }

std::optional<Browser> parse_browser(std::string_view name) {
  for (const Row& r : kRows)
    if (r.name == name) return r.browser;
  return std::nullopt;
}

Result<std::filesystem::path> browser_user_dir(Browser b, Os os, const platform::EnvLookup& env) {
  const Row& r = row(b);
  if (os == Os::MacOs) {
    auto h = home(env);
    if (!h) return h.error();
    return *h / "Library/Application Support" / std::string(r.mac_user_root);
  }
  if (r.linux_user_in_home) {
    auto h = home(env);
    if (!h) return h.error();
    return *h / std::string(r.linux_user_root);
  }
  if (auto config = absolute_var(env, "XDG_CONFIG_HOME")) return *config / std::string(r.linux_user_root);
  auto h = home(env);
  if (!h) return make_error("no_home", "HOME is not set (or not absolute) and neither is XDG_CONFIG_HOME");
  return *h / ".config" / std::string(r.linux_user_root);
}

Result<std::filesystem::path> manifest_dir(Browser b, Scope scope, Os os, const platform::EnvLookup& env) {
  const Row& r = row(b);
  if (scope == Scope::system)
    return std::filesystem::path(std::string(os == Os::MacOs ? r.mac_system : r.linux_system));
  auto root = browser_user_dir(b, os, env);
  if (!root) return root.error();
  // macOS Firefox: ~/Library/Application Support/Mozilla/NativeMessagingHosts.
  if (os == Os::MacOs) return *root / std::string(kChromiumHosts);
  return *root / std::string(r.linux_user_hosts);
}

}  // namespace dealstack::install
