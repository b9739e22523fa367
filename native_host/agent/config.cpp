#include "agent/config.hpp"

#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "crypto/crypto.hpp"
#include "http/url.hpp"

namespace dealstack::agent {

using nlohmann::json;

namespace {

struct Reader {
  std::string file;
  Error bad(const std::string& field, const std::string& what) const {
    return make_error("invalid_config", file + ": " + field + " " + what);
  }
  Status only(const json& obj, const std::string& where, const std::set<std::string>& known) const {
    for (const auto& [k, v] : obj.items())
      if (!known.count(k)) return bad(where + k, "is not a setting this dealstack knows");
    return Unit{};
  }
  template <typename T>
  Status integer(const json& obj, const std::string& where, const char* key, std::int64_t lo, std::int64_t hi,
                 T& out) const {
    auto it = obj.find(key);
    if (it == obj.end()) return Unit{};
    if (!it->is_number_integer()) return bad(where + key, "must be an integer");
    const auto v = it->get<std::int64_t>();
    if (v < lo || v > hi) return bad(where + key, "must be " + std::to_string(lo) + ".." + std::to_string(hi));
    out = static_cast<T>(v);
    return Unit{};
  }
};

}  // namespace

Result<AgentConfig> parse_agent_config(std::string_view text, std::string_view file_name) {
  Reader r{std::string(file_name)};
  if (text.size() > kMaxConfigBytes)
    return r.bad("the file", "is larger than " + std::to_string(kMaxConfigBytes) + " bytes");
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return r.bad("the file", "is not valid JSON");
  if (!j.is_object()) return r.bad("the file", "must hold a JSON object");
  AgentConfig c;
  if (auto ok = r.only(j, "", {"monitor", "notifications", "messaging", "vault", "sync"}); !ok) return ok.error();
  if (auto it = j.find("monitor"); it != j.end()) {
    if (!it->is_object()) return r.bad("monitor", "must be an object");
    const json& m = *it;
    const std::string w = "monitor.";
    if (auto ok = r.only(m, w, {"min_host_gap_ms", "rate_per_minute", "max_in_flight", "jitter_percent",
                                "base_backoff_ms", "ca_file"});
        !ok)
      return ok.error();
    auto& s = c.monitor.schedule;
    for (auto st : {r.integer(m, w, "min_host_gap_ms", 0, 86'400'000, s.min_host_gap_ms),
                    r.integer(m, w, "rate_per_minute", 1, 10'000, s.global_rate_per_minute),
                    r.integer(m, w, "max_in_flight", 1, 256, c.monitor.max_in_flight),
                    r.integer(m, w, "jitter_percent", 0, 50, s.jitter_percent),
                    r.integer(m, w, "base_backoff_ms", 1000, 86'400'000, s.base_backoff_ms)})
      if (!st) return st.error();
    if (s.max_backoff_ms < s.base_backoff_ms) s.max_backoff_ms = s.base_backoff_ms;
    if (auto ca = m.find("ca_file"); ca != m.end()) {
      if (!ca->is_string() || ca->get<std::string>().empty()) return r.bad(w + "ca_file", "must be a file path");
      c.monitor.client.ca_file = ca->get<std::string>();
    }
  }
  if (auto it = j.find("notifications"); it != j.end()) {
    if (!it->is_object()) return r.bad("notifications", "must be an object");
    if (auto ok = r.only(*it, "notifications.", {"desktop"}); !ok) return ok.error();
    if (auto d = it->find("desktop"); d != it->end()) {
      if (!d->is_boolean()) return r.bad("notifications.desktop", "must be true or false");
      c.desktop_notifications = d->get<bool>();
    }
  }
  if (auto it = j.find("messaging"); it != j.end()) {
    if (!it->is_object()) return r.bad("messaging", "must be an object");
    if (auto ok = r.only(*it, "messaging.", {"max_frame_bytes"}); !ok) return ok.error();
    std::size_t cap = 0;
    if (auto ok = r.integer(*it, "messaging.", "max_frame_bytes", 1024, 64 * 1024 * 1024, cap); !ok)
      return ok.error();
    if (cap != 0) c.max_frame = cap;
  }
  if (auto it = j.find("vault"); it != j.end()) {
    if (!it->is_object()) return r.bad("vault", "must be an object");
    if (auto ok = r.only(*it, "vault.", {"auto_lock_minutes"}); !ok) return ok.error();
    if (auto ok = r.integer(*it, "vault.", "auto_lock_minutes", 0, 7 * 24 * 60, c.vault_auto_lock_minutes); !ok)
      return ok.error();
  }
  if (auto it = j.find("sync"); it != j.end()) {
    if (!it->is_object()) return r.bad("sync", "must be an object");
    const std::string w = "sync.";
    if (auto ok = r.only(*it, w, {"server", "ca_file", "interval_ms", "rule_keys"}); !ok) return ok.error();
    if (auto sv = it->find("server"); sv != it->end()) {
      if (!sv->is_string()) return r.bad(w + "server", "must be an https:// URL");
      auto url = http::parse_url(sv->get<std::string>());
      if (!url || !url->https()) return r.bad(w + "server", "must be an https:// URL");
      c.sync.server = sv->get<std::string>();
    }
    if (auto ca = it->find("ca_file"); ca != it->end()) {
      if (!ca->is_string() || ca->get<std::string>().empty()) return r.bad(w + "ca_file", "must be a file path");
      c.sync.ca_file = ca->get<std::string>();
    }
    if (auto ok = r.integer(*it, w, "interval_ms", 1000, 86'400'000, c.sync.interval_ms); !ok) return ok.error();
    if (auto keys = it->find("rule_keys"); keys != it->end()) {
      if (!keys->is_array() || keys->size() > 64) return r.bad(w + "rule_keys", "must be a list of at most 64 keys");
      for (std::size_t i = 0; i < keys->size(); ++i) {
        const json& k = (*keys)[i];
        const std::string where = w + "rule_keys[" + std::to_string(i) + "]";
        if (!k.is_string()) return r.bad(where, "must be a base64 Ed25519 public key");
        auto raw = crypto::base64_decode(k.get<std::string>());
        if (!raw || raw->size() != 32) return r.bad(where, "must be a base64 Ed25519 public key (32 bytes)");
        c.sync.rule_keys.push_back(k.get<std::string>());
      }
    }
  }
  return c;
}

Result<AgentConfig> load_agent_config(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return AgentConfig{};
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return make_error("invalid_config", file.string() + ": can't read it: " + ec.message());
  if (size > kMaxConfigBytes)
    return make_error("invalid_config", file.string() + ": the file is larger than " +
                                            std::to_string(kMaxConfigBytes) + " bytes");
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error("invalid_config", file.string() + ": can't open it");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_agent_config(text, file.string());
}

}  // namespace dealstack::agent
