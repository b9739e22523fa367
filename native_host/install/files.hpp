// Small file helpers for the installer: whole-file reads with a size cap, and atomic
// writes (a temporary file in the same folder, then rename) so a browser never reads a
// half-written manifest.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace dealstack::install {

// The whole of `file`. Errors: "not_found", "too_large" (over `max_bytes`), "io_error".
Result<std::string> read_file(const std::filesystem::path& file, std::size_t max_bytes = 1u << 20);

// Replaces `file` with `content`, mode `mode` (not masked by the umask), atomically.
// Errors: "io_error" naming the file and the system's reason.
Status write_file_atomic(const std::filesystem::path& file, const std::string& content, mode_t mode);

// Creates `dir` and missing parents with mode 0755 (browsers, which may run as other
// users for system folders, must be able to read them). Appends each folder it created,
// deepest last, to `created`. Errors: "io_error".
Status make_dirs(const std::filesystem::path& dir, std::vector<std::filesystem::path>& created);

}  // namespace dealstack::install
