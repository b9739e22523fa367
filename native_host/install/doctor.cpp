#include "install/doctor.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "install/allow_list.hpp"
#include "install/files.hpp"
#include "install/manifest.hpp"

// Problem codes (stable): no_browser, manifest_missing, manifest_unreadable, the
// manifest_* codes of check_manifest, manifest_writable_by_others, host_missing,
// host_not_executable, host_writable_by_others, allow_list_missing, allow_list_invalid,
// allow_list_mismatch, record_invalid, agent_not_running, agent_socket_not_socket,
// agent_socket_unsafe, agent_socket_stale, database_missing, database_not_file,
// database_unsafe, database_unreadable.

namespace dealstack::install {
namespace {

// How the agent is started by hand; the fix for a missing or dead agent.
constexpr const char* kStartAgent = "dealstack agent";

struct Item {
  Browser browser;
  Place place;
  std::filesystem::path file;
  std::filesystem::path profile;  // Place::profile: the --user-data-dir folder
};

std::string reinstall_command(const Item& it) {
  std::string cmd = "dealstack install --browser " + std::string(browser_name(it.browser));
  if (it.place == Place::system) return "sudo " + cmd + " --system";
  if (it.place == Place::profile) cmd += " --user-data-dir '" + it.profile.string() + "'";
  return cmd;
}

std::string where(const Item& it) {
  std::string s(browser_label(it.browser));
  switch (it.place) {
    case Place::user: return s + "'s host manifest " + it.file.string();
    case Place::system: return s + "'s system-wide host manifest " + it.file.string();
    case Place::profile: return s + "'s host manifest for the profile folder " + it.profile.string();
  }
  return s;
}

std::string octal(mode_t m) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03o", static_cast<unsigned>(m & 0777));
  return buf;
}

class Doctor {
 public:
  Doctor(const platform::Paths& paths) : paths_(paths) {}

  void problem(std::string subject, std::string code, std::string message, std::string fix) {
    report.problems.push_back({std::move(subject), std::move(code), std::move(message), std::move(fix)});
  }

  void check_manifest_file(const Item& it, const std::optional<std::vector<std::string>>& allow_list) {
    const std::string subject(browser_name(it.browser));
    const std::string fix = reinstall_command(it);
    const std::size_t before = report.problems.size();
    CheckedManifest checked{it.browser, it.place, it.file, false};
    auto text = read_file(it.file, 1u << 20);
    if (!text) {
      if (text.error().code == "not_found")
        problem(subject, "manifest_missing",
                std::string(browser_label(it.browser)) + " has no dealstack host manifest at " + it.file.string() +
                    ", so the extension can't start dealstack there.",
                fix);
      else
        problem(subject, "manifest_unreadable", where(it) + " can't be read: " + text.error().message + ".", fix);
      report.manifests.push_back(checked);
      return;
    }
    const auto check = check_manifest(browser_family(it.browser), it.file.filename().string(), *text);
    for (const auto& issue : check.issues) problem(subject, issue.code, where(it) + " is wrong: " + issue.message + ".", fix);

    struct stat st {};
    if (::stat(it.file.c_str(), &st) == 0 && (st.st_mode & 022) != 0)
      problem(subject, "manifest_writable_by_others",
              where(it) + " can be changed by other users (mode " + octal(st.st_mode) +
                  "), who could point the browser at another program.",
              std::string(it.place == Place::system ? "sudo " : "") + "chmod 644 '" + it.file.string() + "'");

    if (!check.content.path.empty() && check.content.path.front() == '/') check_host(it, check.content.path, fix);

    if (allow_list) {
      for (const auto& id : check.content.allowed) {
        const bool well_formed = browser_family(it.browser) == Family::chromium ? !id_of_origin(id).empty()
                                                                                 : valid_firefox_id(id);
        if (well_formed && !origin_allowed(*allow_list, id))
          problem(subject, "allow_list_mismatch",
                  where(it) + " allows " + id + ", but dealstack's allow-list does not, so the host will refuse it.",
                  fix);
      }
    }
    checked.ok = report.problems.size() == before;
    report.manifests.push_back(checked);
  }

  void check_host(const Item& it, const std::string& host, const std::string& fix) {
    const std::string subject(browser_name(it.browser));
    struct stat st {};
    if (::stat(host.c_str(), &st) != 0) {
      problem(subject, "host_missing",
              where(it) + " names the program " + host + ", which does not exist (" + std::strerror(errno) + ").",
              fix);
      return;
    }
    if (!S_ISREG(st.st_mode) || ::access(host.c_str(), X_OK) != 0 || (st.st_mode & 0111) == 0) {
      problem(subject, "host_not_executable",
              where(it) + " names " + host + ", which is not an executable program (mode " + octal(st.st_mode) +
                  ").",
              S_ISREG(st.st_mode) ? "chmod 755 '" + host + "'" : fix);
    }
    if (S_ISREG(st.st_mode) && (st.st_mode & 022) != 0)
      problem(subject, "host_writable_by_others",
              "The program " + host + " can be changed by other users (mode " + octal(st.st_mode) +
                  "), who could make the browser run their code.",
              "chmod go-w '" + host + "'");
  }

  void check_agent() {
    const auto sock = paths_.socket();
    struct stat st {};
    if (::lstat(sock.c_str(), &st) != 0) {
      problem("agent", "agent_not_running",
              "The dealstack agent is not running: there is no socket at " + sock.string() + ".", kStartAgent);
      return;
    }
    if (!S_ISSOCK(st.st_mode)) {
      problem("agent", "agent_socket_not_socket",
              sock.string() + " should be the agent's socket but is something else.",
              "rm '" + sock.string() + "' && " + kStartAgent);
      return;
    }
    if (st.st_uid != ::getuid()) {
      problem("agent", "agent_socket_unsafe", "The agent's socket " + sock.string() + " belongs to another user.",
              "rm '" + sock.string() + "' && " + kStartAgent);
      return;
    }
    struct stat dir {};
    if (::stat(paths_.runtime.c_str(), &dir) == 0 && (dir.st_mode & 077) != 0)
      problem("agent", "agent_socket_unsafe",
              "The agent's folder " + paths_.runtime.string() + " is open to other users (mode " +
                  octal(dir.st_mode) + ").",
              "chmod 700 '" + paths_.runtime.string() + "'");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (sock.string().size() >= sizeof addr.sun_path) return;  // can't dial it; existence is all we can say
    std::memcpy(addr.sun_path, sock.c_str(), sock.string().size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return;
    const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const int err = errno;
    ::close(fd);
    if (rc != 0 && (err == ECONNREFUSED || err == ENOENT))
      problem("agent", "agent_socket_stale",
              "Nothing answers on the agent's socket " + sock.string() + ": the agent has stopped.",
              "rm '" + sock.string() + "' && " + kStartAgent);
  }

  void check_database() {
    const auto db = paths_.database();
    struct stat st {};
    if (::stat(db.c_str(), &st) != 0) {
      problem("database", "database_missing",
              "There is no database at " + db.string() + " yet; the agent creates it when it starts.", kStartAgent);
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      problem("database", "database_not_file", "The database " + db.string() + " is not a regular file.",
              "mv '" + db.string() + "' '" + db.string() + ".broken' && " + kStartAgent);
      return;
    }
    if ((st.st_mode & 022) != 0 || st.st_uid != ::getuid())
      problem("database", "database_unsafe",
              "The database " + db.string() + " can be changed by other users (mode " + octal(st.st_mode) + ").",
              "chmod 600 '" + db.string() + "'");
    else if (::access(db.c_str(), R_OK | W_OK) != 0)
      problem("database", "database_unreadable",
              "The database " + db.string() + " can't be read and written by you (mode " + octal(st.st_mode) + ").",
              "chmod 600 '" + db.string() + "'");
  }

  DoctorReport report;

 private:
  const platform::Paths& paths_;
};

bool present(const std::filesystem::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0;
}

}  // namespace

DoctorReport run_doctor(const DoctorOptions& o, const platform::Paths& paths, const platform::EnvLookup& env) {
  Doctor d(paths);
  auto wanted = [&](Browser b) {
    return o.browsers.empty() || std::find(o.browsers.begin(), o.browsers.end(), b) != o.browsers.end();
  };

  InstallRecord rec;
  if (auto r = load_record(record_file(paths)))
    rec = std::move(*r);
  else
    d.problem("install", "record_invalid", "The install record can't be used: " + r.error().message + ".",
              "rm '" + record_file(paths).string() + "' && dealstack install");

  // What to check: recorded manifests, per-user manifests of browsers found, system
  // manifests present. One file once (Brave and Chromium share a system folder).
  std::vector<Item> items;
  auto add = [&](Item it) {
    if (!wanted(it.browser)) return;
    for (const auto& x : items)
      if (x.file == it.file) return;
    items.push_back(std::move(it));
  };
  for (const auto& m : rec.manifests)
    add({m.browser, m.place, m.file, m.place == Place::profile ? m.file.parent_path().parent_path() : ""});
  for (Browser b : all_browsers()) {
    auto user_dir = browser_user_dir(b, o.os, env);
    auto hosts = manifest_dir(b, Scope::user, o.os, env);
    if (user_dir && hosts && present(*user_dir)) add({b, Place::user, *hosts / manifest_file_name(), {}});
    auto system = manifest_dir(b, Scope::system, o.os, env);
    if (system && present(*system / manifest_file_name())) add({b, Place::system, *system / manifest_file_name(), {}});
  }

  if (items.empty()) {
    const std::string b = o.browsers.size() == 1 ? std::string(browser_name(o.browsers[0])) : "NAME";
    d.problem("install", "no_browser",
              "No supported browser was found for this user and dealstack is installed for none.",
              "dealstack install --browser " + b);
  }

  // The allow-lists the host will read, as the host reads them.
  std::optional<std::vector<std::string>> allow_list;
  std::vector<std::filesystem::path> list_files{user_allow_list_file(paths), system_allow_list_file(o.os)};
  for (const auto& l : rec.allow_lists)
    if (std::find(list_files.begin(), list_files.end(), l) == list_files.end()) list_files.push_back(l);
  const bool any_manifest =
      std::any_of(items.begin(), items.end(), [](const Item& it) { return present(it.file); });
  auto loaded = load_allowed_origins_from(list_files);
  if (loaded) {
    allow_list = std::move(*loaded);
  } else if (any_manifest) {
    const Item* first = nullptr;
    for (const auto& it : items)
      if (present(it.file)) first = first ? first : &it;
    const std::string fix = reinstall_command(*first);
    if (loaded.error().code == "no_allow_list")
      d.problem("allow-list", "allow_list_missing",
                "dealstack's allow-list " + user_allow_list_file(paths).string() +
                    " is missing, so the host will refuse every extension.",
                fix);
    else
      d.problem("allow-list", "allow_list_invalid", loaded.error().message + ", so the host will refuse every extension.",
                fix);
  }

  for (const auto& it : items) d.check_manifest_file(it, allow_list);
  d.check_agent();
  d.check_database();
  return std::move(d.report);
}

}  // namespace dealstack::install
