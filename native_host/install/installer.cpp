#include "install/installer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif

#include "install/allow_list.hpp"
#include "install/extension_ids.hpp"
#include "install/files.hpp"
#include "install/manifest.hpp"

namespace dealstack::install {
namespace {

bool is_dir(const std::filesystem::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::filesystem::path under_root(const std::filesystem::path& root, const std::filesystem::path& p) {
  if (root.empty()) return p;
  return root / p.relative_path();
}

struct Target {
  Browser browser;
  Place place;
  std::filesystem::path dir;
  std::filesystem::path allow_list;
};

Result<std::vector<Target>> plan(const InstallOptions& o, const platform::Paths& paths,
                                 const platform::EnvLookup& env) {
  std::vector<Target> out;
  if (o.user_data_dir) {
    if (o.scope == Scope::system) return make_error("usage", "--user-data-dir and --system don't go together");
    if (!o.user_data_dir->is_absolute())
      return make_error("usage", "--user-data-dir must be an absolute path, got " + o.user_data_dir->string());
    if (o.browsers.size() > 1)
      return make_error("usage", "--user-data-dir takes one browser (the one that uses that profile folder)");
    const Browser b = o.browsers.empty() ? Browser::chromium : o.browsers[0];
    if (browser_family(b) != Family::chromium)
      return make_error("usage", std::string(browser_label(b)) +
                                     " reads host manifests only from its own folders, not from a profile folder");
    out.push_back({b, Place::profile, *o.user_data_dir / "NativeMessagingHosts", user_allow_list_file(paths)});
    return out;
  }
  std::vector<Browser> browsers = o.browsers;
  if (browsers.empty()) {
    if (o.scope == Scope::system) return make_error("usage", "--system needs --browser (a name or all)");
    std::string looked;
    for (Browser b : all_browsers()) {
      auto dir = browser_user_dir(b, o.os, env);
      if (!dir) return dir.error();
      if (is_dir(*dir)) browsers.push_back(b);
      looked += (looked.empty() ? "" : ", ") + dir->string();
    }
    if (browsers.empty())
      return make_error("no_browser", "no supported browser has been run by this user (looked for " + looked +
                                          "); pass --browser NAME (or --browser all) to install anyway");
  }
  std::set<std::filesystem::path> seen;
  for (Browser b : browsers) {
    auto dir = manifest_dir(b, o.scope, o.os, env);
    if (!dir) return dir.error();
    Target t{b, o.scope == Scope::system ? Place::system : Place::user, *dir, user_allow_list_file(paths)};
    if (o.scope == Scope::system) {
      t.dir = under_root(o.system_root, t.dir);
      t.allow_list = under_root(o.system_root, system_allow_list_file(o.os));
    }
    // Brave reads Chromium's system folder: one file serves both.
    if (seen.insert(t.dir).second) out.push_back(std::move(t));
  }
  return out;
}

void remember_dirs(InstallRecord& rec, const std::vector<std::filesystem::path>& created) {
  for (const auto& d : created)
    if (std::find(rec.created_dirs.begin(), rec.created_dirs.end(), d) == rec.created_dirs.end())
      rec.created_dirs.push_back(d);
}

// Rewrites (or, with nothing left to allow, removes) each allow-list the record names from
// the manifests recorded against it.
Status sync_allow_lists(InstallRecord& rec, std::vector<std::filesystem::path>* removed,
                        std::vector<std::filesystem::path>* rewritten) {
  std::vector<std::filesystem::path> keep;
  for (const auto& list : rec.allow_lists) {
    std::vector<std::string> allowed;
    for (const auto& m : rec.manifests)
      if (m.allow_list == list) allowed.insert(allowed.end(), m.allowed.begin(), m.allowed.end());
    if (allowed.empty()) {
      if (::unlink(list.c_str()) != 0 && errno != ENOENT)
        return make_error("io_error", "can't remove " + list.string() + ": " + std::strerror(errno));
      if (removed) removed->push_back(list);
      continue;
    }
    auto w = write_file_atomic(list, allow_list_text(allowed), 0644);
    if (!w) return w;
    if (rewritten) rewritten->push_back(list);
    keep.push_back(list);
  }
  rec.allow_lists = std::move(keep);
  return Unit{};
}

}  // namespace

Result<std::filesystem::path> self_path() {
#if defined(__APPLE__)
  uint32_t size = 0;
  _NSGetExecutablePath(nullptr, &size);
  std::string buf(size, '\0');
  if (_NSGetExecutablePath(buf.data(), &size) != 0) return make_error("io_error", "can't find this program's path");
  std::error_code ec;
  auto p = std::filesystem::canonical(buf.c_str(), ec);
  if (ec) return make_error("io_error", "can't resolve this program's path: " + ec.message());
  return p;
#else
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return make_error("io_error", "can't read /proc/self/exe: " + ec.message());
  return p;
#endif
}

Result<ExtensionIds> sort_extension_ids(const std::vector<std::string>& ids) {
  ExtensionIds out;
  for (const auto& id : ids) {
    auto& into = valid_chromium_id(id) ? out.chromium : valid_firefox_id(id) ? out.firefox : out.chromium;
    if (!valid_chromium_id(id) && !valid_firefox_id(id))
      return make_error("invalid_extension_id",
                        "extension id \"" + id.substr(0, 120) +
                            "\" is neither a Chromium id (32 letters a-p) nor a Firefox id (name@domain or {uuid})");
    if (std::find(into.begin(), into.end(), id) == into.end()) into.push_back(id);
  }
  if (out.chromium.empty()) out.chromium.emplace_back(kDevChromiumExtensionId);
  if (out.firefox.empty()) out.firefox.emplace_back(kFirefoxExtensionId);
  return out;
}

Result<InstallResult> install(const InstallOptions& o, const platform::Paths& paths, const platform::EnvLookup& env) {
  InstallResult result;
  result.record = record_file(paths);
  result.host_path = o.host_path;
  if (result.host_path.empty()) {
    auto self = self_path();
    if (!self) return self.error();
    result.host_path = *self;
  }
  if (!result.host_path.is_absolute())
    return make_error("invalid_host_path", "--host-path must be absolute, got " + result.host_path.string());
  auto ids = sort_extension_ids(o.extension_ids);
  if (!ids) return ids.error();
  auto targets = plan(o, paths, env);
  if (!targets) return targets.error();

  // Every manifest's text first, so a bad id or path writes nothing.
  std::vector<RecordedManifest> planned;
  for (const Target& t : *targets) {
    const Family family = browser_family(t.browser);
    const auto& family_ids = family == Family::chromium ? ids->chromium : ids->firefox;
    auto text = make_manifest(family, result.host_path, family_ids);
    if (!text) return text.error();
    RecordedManifest m;
    m.browser = t.browser;
    m.place = t.place;
    m.file = t.dir / manifest_file_name();
    for (const auto& id : family_ids) m.allowed.push_back(family == Family::chromium ? chromium_origin(id) : id);
    m.content = std::move(*text);
    m.allow_list = t.allow_list;
    planned.push_back(std::move(m));
  }

  auto rec = load_record(result.record);
  if (!rec) return rec.error();

  Status failure = Unit{};
  for (auto& m : planned) {
    std::vector<std::filesystem::path> created;
    failure = make_dirs(m.file.parent_path(), created);
    remember_dirs(*rec, created);
    if (failure.ok()) failure = write_file_atomic(m.file, m.content, 0644);
    if (!failure.ok()) break;
    auto& ms = rec->manifests;
    ms.erase(std::remove_if(ms.begin(), ms.end(), [&](const RecordedManifest& r) { return r.file == m.file; }),
             ms.end());
    ms.push_back(m);
    if (std::find(rec->allow_lists.begin(), rec->allow_lists.end(), m.allow_list) == rec->allow_lists.end())
      rec->allow_lists.push_back(m.allow_list);
    result.manifests.push_back(m);
  }
  if (failure.ok()) {
    for (const auto& list : rec->allow_lists) {
      if (list == user_allow_list_file(paths)) {
        failure = platform::ensure_private_dir(list.parent_path());
      } else {
        std::vector<std::filesystem::path> created;
        failure = make_dirs(list.parent_path(), created);
        remember_dirs(*rec, created);
      }
      if (!failure.ok()) break;
    }
  }
  if (failure.ok()) failure = sync_allow_lists(*rec, nullptr, nullptr);
  // Record whatever was written, even after a failure, so uninstall can undo it.
  auto saved = save_record(result.record, *rec);
  if (!failure.ok()) return failure.error();
  if (!saved) return saved.error();
  for (const auto& m : result.manifests)
    if (std::find(result.allow_lists.begin(), result.allow_lists.end(), m.allow_list) == result.allow_lists.end())
      result.allow_lists.push_back(m.allow_list);
  return result;
}

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::removed: return "removed";
    case Outcome::missing: return "missing";
    case Outcome::kept_changed: return "kept_changed";
    case Outcome::failed: return "failed";
  }
  return "failed";
}

bool UninstallResult::complete() const {
  return std::all_of(manifests.begin(), manifests.end(), [](const UninstallEntry& e) {
    return e.outcome == Outcome::removed || e.outcome == Outcome::missing;
  });
}

Result<UninstallResult> uninstall(const UninstallOptions& o, const platform::Paths& paths) {
  UninstallResult result;
  result.record = record_file(paths);
  auto rec = load_record(result.record);
  if (!rec) return rec.error();

  std::vector<RecordedManifest> remaining;
  for (auto& m : rec->manifests) {
    const bool selected =
        o.browsers.empty() || std::find(o.browsers.begin(), o.browsers.end(), m.browser) != o.browsers.end();
    if (!selected) {
      remaining.push_back(std::move(m));
      continue;
    }
    UninstallEntry e;
    e.manifest = m;
    auto now = read_file(m.file, 1u << 20);
    if (!now && now.error().code == "not_found") {
      e.outcome = Outcome::missing;
    } else if (now && *now != m.content && !o.force) {
      e.outcome = Outcome::kept_changed;
      e.message = m.file.string() + " changed since dealstack wrote it, so it was left in place";
    } else if (!now && !o.force) {
      e.outcome = Outcome::failed;
      e.message = now.error().message;
    } else if (::unlink(m.file.c_str()) != 0 && errno != ENOENT) {
      e.outcome = Outcome::failed;
      e.message = "can't remove " + m.file.string() + ": " + std::strerror(errno);
    } else {
      e.outcome = Outcome::removed;
    }
    if (e.outcome == Outcome::kept_changed || e.outcome == Outcome::failed) remaining.push_back(m);
    result.manifests.push_back(std::move(e));
  }
  rec->manifests = std::move(remaining);

  auto lists = sync_allow_lists(*rec, &result.removed_allow_lists, &result.rewritten_allow_lists);
  if (!lists) return lists.error();

  // Folders install created, deepest first. One still holding a kept manifest or allow-list
  // stays recorded; rmdir leaves any other that holds files that aren't ours (and then it
  // is no longer ours to remove: it leaves the record).
  auto holds = [](const std::filesystem::path& dir, const std::filesystem::path& file) {
    return file.string().rfind(dir.string() + "/", 0) == 0;
  };
  std::vector<std::filesystem::path> dirs = rec->created_dirs;
  std::sort(dirs.begin(), dirs.end(),
            [](const auto& a, const auto& b) { return a.string().size() > b.string().size(); });
  std::vector<std::filesystem::path> kept_dirs;
  for (const auto& d : dirs) {
    const bool in_use =
        std::any_of(rec->manifests.begin(), rec->manifests.end(), [&](const auto& m) { return holds(d, m.file); }) ||
        std::any_of(rec->allow_lists.begin(), rec->allow_lists.end(), [&](const auto& l) { return holds(d, l); });
    if (in_use)
      kept_dirs.insert(kept_dirs.begin(), d);
    else if (::rmdir(d.c_str()) == 0)
      result.removed_dirs.push_back(d);
  }
  rec->created_dirs = std::move(kept_dirs);
  auto saved = save_record(result.record, *rec);
  if (!saved) return saved.error();
  return result;
}

}  // namespace dealstack::install
