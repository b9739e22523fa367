#include "install/allow_list.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "install/files.hpp"
#include "install/manifest.hpp"

namespace dealstack::install {

std::filesystem::path user_allow_list_file(const platform::Paths& paths) {
  return paths.config / "allowed_origins.json";
}

std::filesystem::path system_allow_list_file(Os os) {
  return os == Os::MacOs ? "/Library/Application Support/dealstack/allowed_origins.json"
                         : "/etc/dealstack/allowed_origins.json";
}

std::string allow_list_text(std::vector<std::string> allowed) {
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  return nlohmann::json{{"allowed", allowed}}.dump(2) + "\n";
}

Result<std::vector<std::string>> load_allowed_origins_from(const std::vector<std::filesystem::path>& files) {
  std::vector<std::string> out;
  bool any = false;
  for (const auto& file : files) {
    auto text = read_file(file, 1u << 20);
    if (!text) {
      if (text.error().code == "not_found") continue;
      if (text.error().code == "too_large") return make_error("invalid_allow_list", text.error().message);
      return text.error();
    }
    any = true;
    const auto j = nlohmann::json::parse(*text, nullptr, false);
    const auto bad = [&](const std::string& what) {
      return make_error("invalid_allow_list", "allow-list " + file.string() + ": " + what);
    };
    if (j.is_discarded()) return bad("not valid JSON");
    if (!j.is_object() || !j.contains("allowed") || !j["allowed"].is_array())
      return bad("expected an object with an \"allowed\" array");
    for (const auto& v : j["allowed"]) {
      if (!v.is_string()) return bad("\"allowed\" holds something that is not a string");
      const auto& s = v.get_ref<const std::string&>();
      if (id_of_origin(s).empty() && !valid_firefox_id(s))
        return bad("\"" + s.substr(0, 120) + "\" is neither a chrome-extension:// origin nor a Firefox id");
      out.push_back(s);
    }
  }
  if (!any) return make_error("no_allow_list", "no allow-list of extensions was found; run: dealstack install");
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<std::string>> load_allowed_origins(const platform::Paths& paths) {
  return load_allowed_origins_from({user_allow_list_file(paths), system_allow_list_file()});
}

std::string caller_from_args(const std::vector<std::string>& args) {
  if (args.empty()) return {};
  if (args[0].rfind("chrome-extension://", 0) == 0) return args[0];
  if (args.size() >= 2 && !args[0].empty() && args[0].front() == '/' && valid_firefox_id(args[1])) return args[1];
  return {};
}

bool origin_allowed(const std::vector<std::string>& allowed, std::string_view caller) {
  if (caller.empty()) return false;
  return std::find(allowed.begin(), allowed.end(), caller) != allowed.end();
}

}  // namespace dealstack::install
