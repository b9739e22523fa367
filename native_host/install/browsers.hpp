// The browsers `dealstack install` knows, and where each one looks for native-messaging
// host manifests on Linux and macOS. The table is data, chosen by an Os argument, so both
// systems' folders are tested wherever the tests run.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

#include "core/result.hpp"
#include "platform/paths.hpp"

namespace dealstack::install {

enum class Browser { chrome, chromium, edge, brave, vivaldi, firefox };

// Chromium-family manifests list "allowed_origins"; Firefox's list "allowed_extensions".
enum class Family { chromium, firefox };

enum class Os { Linux, MacOs };

// user: the per-user folder; system: the folder for every user (needs root).
enum class Scope { user, system };

// The system this program was built for.
Os current_os();

// Every browser, in the order commands report them.
std::span<const Browser> all_browsers();

// "chrome", "chromium", "edge", "brave", "vivaldi", "firefox": the --browser names.
std::string_view browser_name(Browser b);
// "Google Chrome", "Chromium", ...: for sentences.
std::string_view browser_label(Browser b);
std::optional<Browser> parse_browser(std::string_view name);
Family browser_family(Browser b);

// The folder `b` reads host manifests from. User folders start at $HOME; on Linux the
// Chromium family honours an absolute $XDG_CONFIG_HOME instead of ~/.config (as Chromium
// does; Firefox keeps ~/.mozilla). Errors: "no_home" when HOME (and, for the Chromium
// family on Linux, XDG_CONFIG_HOME) is unset or relative. System folders need no env.
Result<std::filesystem::path> manifest_dir(Browser b, Scope scope, Os os, const platform::EnvLookup& env);

// The browser's own per-user folder (its profile root, ~/.mozilla for Firefox), whose
// presence says the browser has been run by this user. Errors as manifest_dir.
Result<std::filesystem::path> browser_user_dir(Browser b, Os os, const platform::EnvLookup& env);

}  // namespace dealstack::install
