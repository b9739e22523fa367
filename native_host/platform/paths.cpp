#include "platform/paths.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace dealstack::platform {

std::optional<std::string> real_env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

namespace {

// An absolute XDG value, or nothing (unset, empty or relative values are ignored).
std::optional<std::filesystem::path> absolute_var(const EnvLookup& env, const char* name) {
  auto v = env(name);
  if (!v || v->empty() || (*v)[0] != '/') return std::nullopt;
  return std::filesystem::path(*v);
}

}  // namespace

Result<Paths> user_paths(const EnvLookup& env) {
  Paths p;
  auto home = absolute_var(env, "HOME");
  auto data = absolute_var(env, "XDG_DATA_HOME");
  auto config = absolute_var(env, "XDG_CONFIG_HOME");
  auto runtime = absolute_var(env, "XDG_RUNTIME_DIR");
  if (home) p.home = *home;
  if (!data && !home)
    return make_error("no_home", "HOME is not set (or not absolute) and neither is XDG_DATA_HOME");
  if (!config && !home)
    return make_error("no_home", "HOME is not set (or not absolute) and neither is XDG_CONFIG_HOME");
  p.data = (data ? *data : *home / ".local/share") / "dealstack";
  p.config = (config ? *config : *home / ".config") / "dealstack";
  p.runtime = runtime ? *runtime / "dealstack"
                      : std::filesystem::path("/tmp") / ("dealstack-" + std::to_string(::getuid()));
  return p;
}

Status ensure_private_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    if (dir.has_parent_path() && dir.parent_path() != dir) {
      std::filesystem::create_directories(dir.parent_path(), ec);
      if (ec) return make_error("io_error", "can't create " + dir.parent_path().string() + ": " + ec.message());
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return make_error("io_error", "can't create " + dir.string() + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    return make_error("io_error", "can't inspect " + dir.string() + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode))
    return make_error("unsafe_directory", dir.string() + " is not a directory");
  if (st.st_uid != ::getuid())
    return make_error("unsafe_directory", dir.string() + " belongs to another user");
  if ((st.st_mode & 077) != 0) {
    // Ours but too open (an older version, a umask): tighten rather than refuse.
    if (::chmod(dir.c_str(), 0700) != 0)
      return make_error("unsafe_directory", dir.string() + " is readable by others and can't be made private");
  }
  return Unit{};
}

}  // namespace dealstack::platform
