// Native-messaging host manifests: making one, and checking one read back from disk.
//
// A manifest is a JSON object the browser reads to find and trust the host:
//   name         the host's name, [a-z0-9_.] (no leading, trailing or doubled dot), equal
//                to the file name without ".json"
//   description  any non-empty text
//   path         the absolute path of the program the browser starts
//   type         "stdio"
//   allowed_origins     (Chromium family) ["chrome-extension://<32 letters a-p>/", ...]
//   allowed_extensions  (Firefox) ["name@domain" or "{uuid}", ...]
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "install/browsers.hpp"

namespace dealstack::install {

inline constexpr std::string_view kHostName = "com.dealstack.host";
inline constexpr std::string_view kHostDescription = "dealstack: prices, deals and watched products";

// "com.dealstack.host.json".
std::string manifest_file_name();

// The rules Chromium applies to host names.
bool valid_host_name(std::string_view name);
// 32 characters a-p (Chromium's base-16 alphabet of an id).
bool valid_chromium_id(std::string_view id);
// Firefox: "name@domain" (letters, digits, '-', '.', '_'; domain non-empty) or a braced
// UUID "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}". At most 255 characters.
bool valid_firefox_id(std::string_view id);
// "chrome-extension://ID/": the form Chromium compares allowed_origins with.
std::string chromium_origin(std::string_view id);
// The id inside a well-formed origin, or empty.
std::string_view id_of_origin(std::string_view origin);

// The manifest's text (pretty JSON, ending in a newline) for `family`, allowing `ids`
// (bare extension ids of that family). Errors: "invalid_host_path" (not absolute),
// "no_extension_ids", "invalid_extension_id" (names the id and the form expected).
Result<std::string> make_manifest(Family family, const std::filesystem::path& host_path,
                                  const std::vector<std::string>& ids);

// What is wrong with one manifest, in words for people.
struct ManifestIssue {
  std::string code;     // stable: manifest_invalid_json, manifest_not_object, manifest_bad_name,
                        // manifest_name_mismatch, manifest_bad_description, manifest_bad_path,
                        // manifest_bad_type, manifest_no_allowed_ids, manifest_bad_allowed_id
  std::string message;  // a plain sentence naming the field and the value
};

// What a manifest says, when it could be read.
struct ManifestContent {
  std::string name;
  std::string path;  // as written; may be relative or empty when invalid
  std::vector<std::string> allowed;  // allowed_origins or allowed_extensions, as written
};

struct ManifestCheck {
  ManifestContent content;
  std::vector<ManifestIssue> issues;  // empty: the manifest is well-formed
};

// Checks `text` as a manifest for `family` stored under `file_name`. Looks only at the
// text: whether `path` exists is the caller's business.
ManifestCheck check_manifest(Family family, std::string_view file_name, std::string_view text);

}  // namespace dealstack::install
