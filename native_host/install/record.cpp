#include "install/record.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "install/files.hpp"

namespace dealstack::install {
namespace {

using nlohmann::json;

std::optional<Place> parse_place(const std::string& s) {
  if (s == "user") return Place::user;
  if (s == "system") return Place::system;
  if (s == "profile") return Place::profile;
  return std::nullopt;
}

bool string_array(const json& j) {
  if (!j.is_array()) return false;
  for (const auto& v : j)
    if (!v.is_string()) return false;
  return true;
}

}  // namespace

std::string_view place_name(Place p) {
  switch (p) {
    case Place::user: return "user";
    case Place::system: return "system";
    case Place::profile: return "profile";
  }
  return "user";
}

std::filesystem::path record_file(const platform::Paths& paths) { return paths.data / "installed.json"; }

Result<InstallRecord> load_record(const std::filesystem::path& file) {
  InstallRecord rec;
  auto text = read_file(file, 4u << 20);
  if (!text) {
    if (text.error().code == "not_found") return rec;
    if (text.error().code == "too_large") return make_error("invalid_record", text.error().message);
    return text.error();
  }
  const auto bad = [&](const std::string& what) {
    return make_error("invalid_record", "install record " + file.string() + ": " + what +
                                            " (remove the file to start afresh)");
  };
  const json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  if (!j.contains("manifests") || !j["manifests"].is_array()) return bad("no \"manifests\" array");
  for (const auto& m : j["manifests"]) {
    if (!m.is_object()) return bad("a manifest entry is not an object");
    const auto b = m.find("browser"), pl = m.find("place"), f = m.find("file"), a = m.find("allowed"),
               c = m.find("content"), l = m.find("allow_list");
    if (b == m.end() || !b->is_string() || pl == m.end() || !pl->is_string() || f == m.end() || !f->is_string() ||
        a == m.end() || !string_array(*a) || c == m.end() || !c->is_string() || l == m.end() || !l->is_string())
      return bad("a manifest entry lacks browser, place, file, allowed, content or allow_list");
    RecordedManifest r;
    const auto browser = parse_browser(b->get<std::string>());
    const auto place = parse_place(pl->get<std::string>());
    if (!browser || !place) return bad("unknown browser or place \"" + b->get<std::string>() + "\"");
    r.browser = *browser;
    r.place = *place;
    r.file = f->get<std::string>();
    r.allow_list = l->get<std::string>();
    if (!r.file.is_absolute() || !r.allow_list.is_absolute()) return bad("a manifest entry holds a relative path");
    r.allowed = a->get<std::vector<std::string>>();
    r.content = c->get<std::string>();
    rec.manifests.push_back(std::move(r));
  }
  for (const char* key : {"created_dirs", "allow_lists"}) {
    if (!j.contains(key)) continue;
    if (!string_array(j[key])) return bad(std::string("\"") + key + "\" is not a list of paths");
    auto& into = std::string_view(key) == "created_dirs" ? rec.created_dirs : rec.allow_lists;
    for (const auto& v : j[key]) {
      std::filesystem::path p = v.get<std::string>();
      if (!p.is_absolute()) return bad(std::string("\"") + key + "\" holds a relative path");
      into.push_back(std::move(p));
    }
  }
  return rec;
}

Status save_record(const std::filesystem::path& file, const InstallRecord& record) {
  if (record.manifests.empty() && record.created_dirs.empty() && record.allow_lists.empty()) {
    if (::unlink(file.c_str()) != 0 && errno != ENOENT)
      return make_error("io_error", "can't remove " + file.string() + ": " + std::strerror(errno));
    return Unit{};
  }
  json manifests = json::array();
  for (const auto& m : record.manifests)
    manifests.push_back({{"browser", browser_name(m.browser)},
                         {"place", place_name(m.place)},
                         {"file", m.file.string()},
                         {"allowed", m.allowed},
                         {"content", m.content},
                         {"allow_list", m.allow_list.string()}});
  json dirs = json::array(), lists = json::array();
  for (const auto& d : record.created_dirs) dirs.push_back(d.string());
  for (const auto& l : record.allow_lists) lists.push_back(l.string());
  const json j = {{"version", 1}, {"manifests", manifests}, {"created_dirs", dirs}, {"allow_lists", lists}};
  auto dir = platform::ensure_private_dir(file.parent_path());
  if (!dir) return dir.error();
  return write_file_atomic(file, j.dump(2) + "\n", 0600);
}

}  // namespace dealstack::install
