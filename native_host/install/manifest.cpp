#include "install/manifest.hpp"

#include <nlohmann/json.hpp>

namespace dealstack::install {
namespace {

using nlohmann::json;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool valid_uuid_id(std::string_view id) {
  // {8-4-4-4-12}
  if (id.size() != 38 || id.front() != '{' || id.back() != '}') return false;
  for (std::size_t i = 1; i + 1 < id.size(); ++i) {
    const bool dash = i == 9 || i == 14 || i == 19 || i == 24;
    if (dash ? id[i] != '-' : !is_hex(id[i])) return false;
  }
  return true;
}

bool email_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

// Quoted for messages, cut short so a hostile file can't flood the output.
std::string in_quotes(std::string_view s) {
  constexpr std::size_t kMax = 120;
  std::string out = "\"";
  out += s.substr(0, kMax);
  if (s.size() > kMax) out += "...";
  return out + "\"";
}

std::string_view allowed_key(Family f) {
  return f == Family::chromium ? "allowed_origins" : "allowed_extensions";
}

}  // namespace

std::string manifest_file_name() { return std::string(kHostName) + ".json"; }

bool valid_host_name(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) return false;
    if (c == '.' && i + 1 < name.size() && name[i + 1] == '.') return false;
  }
  return true;
}

bool valid_chromium_id(std::string_view id) {
  if (id.size() != 32) return false;
  for (char c : id)
    if (c < 'a' || c > 'p') return false;
  return true;
}

bool valid_firefox_id(std::string_view id) {
  if (id.empty() || id.size() > 255) return false;
  if (id.front() == '{') return valid_uuid_id(id);
  const auto at = id.find('@');
  if (at == std::string_view::npos || at + 1 == id.size()) return false;
  for (std::size_t i = 0; i < id.size(); ++i)
    if (i != at && !email_char(id[i])) return false;
  return true;
}

std::string chromium_origin(std::string_view id) { return "chrome-extension://" + std::string(id) + "/"; }

std::string_view id_of_origin(std::string_view origin) {
  constexpr std::string_view kScheme = "chrome-extension://";
  if (origin.size() != kScheme.size() + 33 || origin.substr(0, kScheme.size()) != kScheme || origin.back() != '/')
    return {};
  const auto id = origin.substr(kScheme.size(), 32);
  return valid_chromium_id(id) ? id : std::string_view{};
}

Result<std::string> make_manifest(Family family, const std::filesystem::path& host_path,
                                  const std::vector<std::string>& ids) {
  if (!host_path.is_absolute())
    return make_error("invalid_host_path", "the host path must be absolute, got " + in_quotes(host_path.string()));
  if (ids.empty()) return make_error("no_extension_ids", "a manifest needs at least one extension id");
  json allowed = json::array();
  for (const auto& id : ids) {
    if (family == Family::chromium) {
      if (!valid_chromium_id(id))
        return make_error("invalid_extension_id",
                          "Chromium extension id " + in_quotes(id) + " is not 32 letters a-p");
      allowed.push_back(chromium_origin(id));
    } else {
      if (!valid_firefox_id(id))
        return make_error("invalid_extension_id",
                          "Firefox extension id " + in_quotes(id) + " is neither name@domain nor {uuid}");
      allowed.push_back(id);
    }
  }
  // nlohmann's object keeps keys sorted; the order means nothing to browsers.
  json m = {{"name", kHostName},
            {"description", kHostDescription},
            {"path", host_path.string()},
            {"type", "stdio"},
            {std::string(allowed_key(family)), allowed}};
  return m.dump(2) + "\n";
}

ManifestCheck check_manifest(Family family, std::string_view file_name, std::string_view text) {
  ManifestCheck out;
  auto add = [&](const char* code, std::string message) { out.issues.push_back({code, std::move(message)}); };
  const json m = json::parse(text.begin(), text.end(), nullptr, false);
  if (m.is_discarded()) {
    add("manifest_invalid_json", "it is not valid JSON");
    return out;
  }
  if (!m.is_object()) {
    add("manifest_not_object", "it is JSON but not an object");
    return out;
  }

  std::string stem(file_name);
  if (stem.size() > 5 && stem.compare(stem.size() - 5, 5, ".json") == 0) stem.resize(stem.size() - 5);
  const auto name = m.find("name");
  if (name == m.end() || !name->is_string()) {
    add("manifest_bad_name", "\"name\" is missing or not a string");
  } else {
    out.content.name = name->get<std::string>();
    if (!valid_host_name(out.content.name))
      add("manifest_bad_name", "\"name\" " + in_quotes(out.content.name) +
                                   " may only hold a-z, 0-9, '_' and single inner dots");
    else if (out.content.name != stem)
      add("manifest_name_mismatch", "\"name\" " + in_quotes(out.content.name) + " does not match the file name " +
                                        in_quotes(std::string(file_name)));
  }

  const auto desc = m.find("description");
  if (desc == m.end() || !desc->is_string() || desc->get_ref<const std::string&>().empty())
    add("manifest_bad_description", "\"description\" is missing or empty");

  const auto path = m.find("path");
  if (path == m.end() || !path->is_string() || path->get_ref<const std::string&>().empty()) {
    add("manifest_bad_path", "\"path\" is missing or empty");
  } else {
    out.content.path = path->get<std::string>();
    if (out.content.path.front() != '/')
      add("manifest_bad_path", "\"path\" " + in_quotes(out.content.path) + " is not an absolute path");
  }

  const auto type = m.find("type");
  if (type == m.end() || !type->is_string() || type->get_ref<const std::string&>() != "stdio")
    add("manifest_bad_type", "\"type\" must be \"stdio\"");

  const std::string key(allowed_key(family));
  const auto allowed = m.find(key);
  if (allowed == m.end() || !allowed->is_array() || allowed->empty()) {
    add("manifest_no_allowed_ids", "\"" + key + "\" is missing or empty, so no extension may start the host");
  } else {
    for (const auto& v : *allowed) {
      if (!v.is_string()) {
        add("manifest_bad_allowed_id", "\"" + key + "\" holds something that is not a string");
        continue;
      }
      const auto& s = v.get_ref<const std::string&>();
      out.content.allowed.push_back(s);
      const bool ok = family == Family::chromium ? !id_of_origin(s).empty() : valid_firefox_id(s);
      if (!ok)
        add("manifest_bad_allowed_id",
            "\"" + key + "\" entry " + in_quotes(s) +
                (family == Family::chromium ? " is not chrome-extension://<32 letters a-p>/"
                                            : " is neither name@domain nor {uuid}"));
    }
  }
  return out;
}

}  // namespace dealstack::install
