// The extensions the host answers: the allow-list `dealstack install` writes beside the
// manifests. Browsers check the manifest's list before starting the host; the host checks
// its caller again against this file, so a manifest edited by someone else (or another
// program's manifest pointing at dealstack) can't make it serve an extension we never
// allowed.
//
// File: {"allowed": ["chrome-extension://<id>/", "dealstack@dealstack.dev", ...]} holding
// Chromium origins and Firefox extension ids. Per user at <config>/allowed_origins.json;
// for every user (written by `install --system`) at system_allow_list_file().
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "install/browsers.hpp"
#include "platform/paths.hpp"

namespace dealstack::install {

std::filesystem::path user_allow_list_file(const platform::Paths& paths);
// /etc/dealstack/allowed_origins.json on Linux,
// /Library/Application Support/dealstack/allowed_origins.json on macOS.
std::filesystem::path system_allow_list_file(Os os = current_os());

// The file's text for `allowed` (duplicates dropped, sorted).
std::string allow_list_text(std::vector<std::string> allowed);

// Reads the allow-lists in `files` that exist and returns their union. Errors:
// "no_allow_list" when none exists (run `dealstack install`), "invalid_allow_list" naming
// the file and what is wrong, "io_error".
Result<std::vector<std::string>> load_allowed_origins_from(const std::vector<std::filesystem::path>& files);
// The user's and the system's allow-lists.
Result<std::vector<std::string>> load_allowed_origins(const platform::Paths& paths);

// Who started the host, from its arguments (after the program name): Chromium passes the
// caller's origin "chrome-extension://<id>/" first; Firefox passes the manifest's path and
// then the extension id. Empty when neither shape matches.
std::string caller_from_args(const std::vector<std::string>& args);

// Whether `caller` (an origin or a Firefox id, as caller_from_args gives) is in `allowed`.
// Exact comparison: ids are case-sensitive and an origin must keep its trailing slash.
bool origin_allowed(const std::vector<std::string>& allowed, std::string_view caller);

}  // namespace dealstack::install
