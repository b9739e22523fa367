#include "server/config.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "crypto/crypto.hpp"

namespace dealstack::backend {

using Json = nlohmann::json;

Result<Config> default_config() {
  Config c;
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && xdg[0] == '/') {
    c.data_dir = std::filesystem::path(xdg) / "dealstack-server";
  } else if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/') {
    c.data_dir = std::filesystem::path(home) / ".local/share/dealstack-server";
  } else {
    return make_error("invalid_config", "neither XDG_DATA_HOME nor HOME is set: set \"data_dir\" in a config file");
  }
  return c;
}

namespace {

struct Reader {
  std::string origin;
  Error error;
  bool failed = false;

  bool fail(const std::string& path, const std::string& what) {
    if (!failed) error = make_error("invalid_config", origin + ": " + path + ": " + what);
    failed = true;
    return false;
  }
  bool only(const Json& obj, const std::string& path, std::initializer_list<const char*> keys) {
    if (!obj.is_object()) return fail(path, "must be an object");
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      bool known = false;
      for (const char* k : keys) known = known || it.key() == k;
      if (!known) {
        std::string list;
        for (const char* k : keys) list += (list.empty() ? "" : ", ") + std::string(k);
        return fail(path.empty() ? it.key().substr(0, 60) : path + "." + it.key().substr(0, 60),
                    "unknown setting (known: " + list + ")");
      }
    }
    return true;
  }
  template <typename T>
  void integer(const Json& obj, const char* key, const std::string& path, T& out, long long lo, long long hi) {
    const auto it = obj.find(key);
    if (it == obj.end()) return;
    const std::string p = path.empty() ? key : path + "." + key;
    if (!it->is_number_integer()) {
      fail(p, "must be an integer");
      return;
    }
    const long long v = it->get<long long>();
    if (v < lo || v > hi) {
      fail(p, "must be from " + std::to_string(lo) + " to " + std::to_string(hi));
      return;
    }
    out = static_cast<T>(v);
  }
  void string(const Json& obj, const char* key, const std::string& path, std::string& out) {
    const auto it = obj.find(key);
    if (it == obj.end()) return;
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      fail(path.empty() ? key : path + "." + key, "must be a non-empty string");
      return;
    }
    out = it->get<std::string>();
  }
  void path_value(const Json& obj, const char* key, const std::string& path, std::filesystem::path& out) {
    std::string s;
    string(obj, key, path, s);
    if (!s.empty()) out = s;
  }
  void limit(const Json& obj, const char* key, ratelimit::Limit& out, bool per_minute) {
    const auto it = obj.find(key);
    if (it == obj.end()) return;
    const std::string p = std::string("rate_limits.") + key;
    if (!only(*it, p, {per_minute ? "per_minute" : "per_second", "burst"})) return;
    const char* rate_key = per_minute ? "per_minute" : "per_second";
    if (const auto r = it->find(rate_key); r != it->end()) {
      if (!r->is_number() || r->get<double>() < 0) {
        fail(p + "." + rate_key, "must be a number >= 0 (0 turns the limit off)");
        return;
      }
      out.rate = per_minute ? r->get<double>() / 60 : r->get<double>();
    }
    if (const auto b = it->find("burst"); b != it->end()) {
      if (!b->is_number() || b->get<double>() < 1) {
        fail(p + ".burst", "must be a number >= 1");
        return;
      }
      out.burst = b->get<double>();
    }
  }
};

}  // namespace

Result<Config> parse_config(std::string_view text, std::string_view origin) {
  auto base = default_config();
  Config c = base ? std::move(*base) : Config{};
  const Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return make_error("invalid_config", std::string(origin) + ": is not valid JSON");
  Reader r{std::string(origin), {}, false};
  if (!r.only(j, "", {"listen", "data_dir", "tls", "threads", "limits", "accounts", "rate_limits", "rule_keys",
                      "log_requests"}))
    return r.error;
  if (const auto l = j.find("listen"); l != j.end() && r.only(*l, "listen", {"address", "port"})) {
    r.string(*l, "address", "listen", c.address);
    r.integer(*l, "port", "listen", c.port, 0, 65535);
  }
  r.path_value(j, "data_dir", "", c.data_dir);
  if (const auto t = j.find("tls"); t != j.end() && r.only(*t, "tls", {"cert", "key"})) {
    r.path_value(*t, "cert", "tls", c.tls_cert);
    r.path_value(*t, "key", "tls", c.tls_key);
    if (c.tls_cert.empty() != c.tls_key.empty()) r.fail("tls", "needs both \"cert\" and \"key\" (or neither)");
  }
  r.integer(j, "threads", "", c.threads, 0, 256);
  if (const auto l = j.find("limits"); l != j.end() &&
      r.only(*l, "limits", {"max_body_bytes", "max_header_bytes", "max_connections", "header_timeout_ms",
                            "body_timeout_ms", "idle_timeout_ms"})) {
    r.integer(*l, "max_body_bytes", "limits", c.max_body_bytes, 1024, 64LL << 20);
    r.integer(*l, "max_header_bytes", "limits", c.max_header_bytes, 1024, 1 << 20);
    r.integer(*l, "max_connections", "limits", c.max_connections, 1, 1'000'000);
    r.integer(*l, "header_timeout_ms", "limits", c.header_timeout_ms, 50, 3'600'000);
    r.integer(*l, "body_timeout_ms", "limits", c.body_timeout_ms, 50, 3'600'000);
    r.integer(*l, "idle_timeout_ms", "limits", c.idle_timeout_ms, 50, 3'600'000);
  }
  if (const auto a = j.find("accounts"); a != j.end() &&
      r.only(*a, "accounts", {"token_lifetime_seconds", "scrypt_log2_n", "hash_threads"})) {
    r.integer(*a, "token_lifetime_seconds", "accounts", c.token_lifetime_seconds, 1, 10LL * 365 * 24 * 3600);
    r.integer(*a, "scrypt_log2_n", "accounts", c.scrypt_log2_n, 10, 20);
    r.integer(*a, "hash_threads", "accounts", c.hash_threads, 1, 16);
  }
  if (const auto rl = j.find("rate_limits"); rl != j.end() &&
      r.only(*rl, "rate_limits", {"per_address", "per_account", "auth_per_address"})) {
    r.limit(*rl, "per_address", c.per_address, false);
    r.limit(*rl, "per_account", c.per_account, false);
    r.limit(*rl, "auth_per_address", c.auth_per_address, true);
  }
  if (const auto k = j.find("rule_keys"); k != j.end()) {
    if (!k->is_array()) {
      r.fail("rule_keys", "must be an array of base64 Ed25519 public keys");
    } else {
      for (std::size_t i = 0; i < k->size(); ++i) {
        const Json& e = (*k)[i];
        auto bytes = e.is_string() ? crypto::base64_decode(e.get<std::string>()) : Result<std::string>(Error{});
        if (!bytes || bytes->size() != crypto::kEd25519PublicBytes) {
          r.fail("rule_keys[" + std::to_string(i) + "]", "must be a base64 Ed25519 public key (32 bytes)");
          break;
        }
        c.rule_keys.push_back(*bytes);
      }
    }
  }
  if (const auto lr = j.find("log_requests"); lr != j.end()) {
    if (!lr->is_boolean()) r.fail("log_requests", "must be true or false");
    else c.log_requests = lr->get<bool>();
  }
  if (r.failed) return r.error;
  if (c.data_dir.empty()) return base.error();
  return c;
}

Result<Config> load_config(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return make_error("invalid_config", file.string() + ": can't be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > (1u << 20)) return make_error("invalid_config", file.string() + ": is over 1 MiB");
  return parse_config(ss.str(), file.string());
}

}  // namespace dealstack::backend
