#include "install/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dealstack::install {
namespace {

Error sys_error(const std::string& what, const std::filesystem::path& p) {
  return make_error("io_error", what + " " + p.string() + ": " + std::strerror(errno));
}

}  // namespace

Result<std::string> read_file(const std::filesystem::path& file, std::size_t max_bytes) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return make_error("not_found", file.string() + " does not exist");
    return sys_error("can't open", file);
  }
  std::string out;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const Error e = sys_error("can't read", file);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_bytes) {
      ::close(fd);
      return make_error("too_large", file.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

Status write_file_atomic(const std::filesystem::path& file, const std::string& content, mode_t mode) {
  std::string tmpl = file.string() + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return sys_error("can't create a temporary file beside", file);
  auto fail = [&](const char* what) {
    const Error e = sys_error(what, tmpl);
    ::close(fd);
    ::unlink(tmpl.c_str());
    return e;
  };
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("can't write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode) != 0) return fail("can't set the mode of");
  if (::fsync(fd) != 0) return fail("can't flush");
  if (::close(fd) != 0) {
    const Error e = sys_error("can't close", tmpl);
    ::unlink(tmpl.c_str());
    return e;
  }
  if (::rename(tmpl.c_str(), file.c_str()) != 0) {
    const Error e = sys_error("can't move the new file into place at", file);
    ::unlink(tmpl.c_str());
    return e;
  }
  return Unit{};
}

Status make_dirs(const std::filesystem::path& dir, std::vector<std::filesystem::path>& created) {
  // Walk up to the first folder that exists, then create downwards.
  std::vector<std::filesystem::path> missing;
  std::filesystem::path p = dir;
  for (;;) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) return make_error("io_error", p.string() + " is not a folder");
      break;
    }
    if (errno != ENOENT) return sys_error("can't inspect", p);
    missing.push_back(p);
    if (!p.has_parent_path() || p.parent_path() == p) break;
    p = p.parent_path();
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0755) != 0) {
      if (errno == EEXIST) continue;
      return sys_error("can't create", *it);
    }
    ::chmod(it->c_str(), 0755);  // the umask may have taken bits browsers need
    created.push_back(*it);
  }
  return Unit{};
}

}  // namespace dealstack::install
