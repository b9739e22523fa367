// What `dealstack install` wrote, kept at <data>/installed.json, so `uninstall` removes
// exactly those files and folders and nothing else, and `doctor` knows where to look.
//
// Uninstall removes a manifest only while its bytes are still the ones recorded here: a
// file someone changed since (or replaced with their own) is left in place and reported,
// unless --force is given.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "install/browsers.hpp"
#include "platform/paths.hpp"

namespace dealstack::install {

// Where a manifest went: a browser's per-user or system folder, or a profile folder given
// with --user-data-dir.
enum class Place { user, system, profile };
std::string_view place_name(Place p);  // "user", "system", "profile"

struct RecordedManifest {
  Browser browser = Browser::chromium;
  Place place = Place::user;
  std::filesystem::path file;        // absolute
  std::vector<std::string> allowed;  // as in the manifest: origins or Firefox ids
  std::string content;               // the exact bytes written
  std::filesystem::path allow_list;  // the allow-list file that carries `allowed`
};

struct InstallRecord {
  std::vector<RecordedManifest> manifests;
  std::vector<std::filesystem::path> created_dirs;  // folders install made, parents first
  std::vector<std::filesystem::path> allow_lists;   // allow-list files install wrote
};

std::filesystem::path record_file(const platform::Paths& paths);

// An empty record when the file does not exist. Errors: "invalid_record" (names the file
// and what is wrong: remove it to start afresh), "io_error".
Result<InstallRecord> load_record(const std::filesystem::path& file);

// Writes the record atomically (mode 0600) in a private folder; removes the file when the
// record is empty. Errors: "io_error", "unsafe_directory".
Status save_record(const std::filesystem::path& file, const InstallRecord& record);

}  // namespace dealstack::install
