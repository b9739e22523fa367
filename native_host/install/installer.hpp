// `dealstack install` and `dealstack uninstall` as library calls: plain functions over
// explicit paths and environment, returning what they did (the CLI only prints it).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "install/browsers.hpp"
#include "install/record.hpp"
#include "platform/paths.hpp"

namespace dealstack::install {

struct InstallOptions {
  // Browsers to install for. Empty: every browser this user has run (its own folder
  // exists, see browser_user_dir); with Scope::system it must be given.
  std::vector<Browser> browsers;
  // Extension ids, either family, told apart by their form. A family none of them belongs
  // to keeps its default (extension_ids.hpp). Empty: both defaults.
  std::vector<std::string> extension_ids;
  // Write <user_data_dir>/NativeMessagingHosts/ (a Chromium-family profile folder given
  // to the browser with --user-data-dir) instead of the browser's own folder. One
  // Chromium-family browser at most (default: chromium).
  std::optional<std::filesystem::path> user_data_dir;
  Scope scope = Scope::user;
  // The program the manifests name: absolute. Default (empty): this program.
  std::filesystem::path host_path;
  Os os = current_os();
  // Prefix for system folders (a packaging root). Default: none.
  std::filesystem::path system_root;
};

struct InstallResult {
  std::vector<RecordedManifest> manifests;  // the files written, in browser order
  std::vector<std::filesystem::path> allow_lists;
  std::filesystem::path record;
  std::filesystem::path host_path;
};

// This program's absolute path (/proc/self/exe on Linux). Errors: "io_error".
Result<std::filesystem::path> self_path();

// Splits `ids` by family; defaults fill a family with none. Errors: "invalid_extension_id"
// naming the id and both accepted forms.
struct ExtensionIds {
  std::vector<std::string> chromium;  // bare ids
  std::vector<std::string> firefox;
};
Result<ExtensionIds> sort_extension_ids(const std::vector<std::string>& ids);

// Errors: "no_browser" (nothing to install for: names what was looked for), "usage"
// (options that don't go together), "invalid_extension_id", "invalid_host_path",
// "no_home", "invalid_record", "io_error". What was written before an I/O error stays
// recorded, so uninstall still removes it.
Result<InstallResult> install(const InstallOptions& options, const platform::Paths& paths,
                              const platform::EnvLookup& env);

struct UninstallOptions {
  std::vector<Browser> browsers;  // empty: everything recorded
  bool force = false;             // also remove manifests changed since install wrote them
};

enum class Outcome { removed, missing, kept_changed, failed };
std::string_view outcome_name(Outcome o);  // "removed", "missing", "kept_changed", "failed"

struct UninstallEntry {
  RecordedManifest manifest;
  Outcome outcome = Outcome::removed;
  std::string message;  // why, for kept_changed and failed
};

struct UninstallResult {
  std::vector<UninstallEntry> manifests;
  std::vector<std::filesystem::path> removed_dirs;
  std::vector<std::filesystem::path> removed_allow_lists;
  std::vector<std::filesystem::path> rewritten_allow_lists;
  std::filesystem::path record;
  // True when every selected manifest is gone.
  bool complete() const;
};

// Removes what the record lists (only that). Errors: "invalid_record", "io_error" (the
// record itself can't be written).
Result<UninstallResult> uninstall(const UninstallOptions& options, const platform::Paths& paths);

}  // namespace dealstack::install
