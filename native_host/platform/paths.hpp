// Where the program keeps its files, per user (XDG base directories):
//   data     $XDG_DATA_HOME/dealstack    (default ~/.local/share/dealstack): the database
//   config   $XDG_CONFIG_HOME/dealstack  (default ~/.config/dealstack): settings files
//   runtime  $XDG_RUNTIME_DIR/dealstack  (default /tmp/dealstack-UID): the agent's socket
//            and lock; must be private to the user (0700, owned by them)
// Environment values are read through a lookup function so tests can pass their own.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace dealstack::platform {

using EnvLookup = std::function<std::optional<std::string>(const char* name)>;

// The process's real environment.
std::optional<std::string> real_env(const char* name);

struct Paths {
  std::filesystem::path home;
  std::filesystem::path data;     // the database lives here
  std::filesystem::path config;
  std::filesystem::path runtime;  // socket and lock

  std::filesystem::path database() const { return data / "dealstack.sqlite3"; }
  std::filesystem::path socket() const { return runtime / "agent.sock"; }
  std::filesystem::path lock() const { return runtime / "agent.lock"; }
};

// Errors: "no_home" when neither HOME nor the XDG variables say where to go. Relative XDG
// values are ignored, as the spec says.
Result<Paths> user_paths(const EnvLookup& env = real_env);

// Creates `dir` (and its parents) with mode 0700 if missing, then checks it is a directory
// owned by this user with no group or other access. Errors: "unsafe_directory" (names the
// directory and what is wrong), "io_error".
Status ensure_private_dir(const std::filesystem::path& dir);

}  // namespace dealstack::platform
