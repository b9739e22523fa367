// dealstack-server's configuration: every field has a default, so `serve` works with no file.
// A config file is JSON with the same names (docs/backend.md, "Configuration"); unknown keys
// are refused so a misspelt limit is not silently ignored.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "ratelimit/token_bucket.hpp"

namespace dealstack::backend {

struct Config {
  std::string address = "127.0.0.1";  // listen address (IPv4 or IPv6 literal)
  int port = 8443;                    // 0 = any free port (printed on the first stdout line)
  // Where the database and generated TLS files live. Default $XDG_DATA_HOME/dealstack-server
  // (~/.local/share/dealstack-server); created 0700.
  std::filesystem::path data_dir;
  // TLS: PEM files. Both empty = a local CA and a server certificate for localhost,
  // 127.0.0.1 and ::1 generated in data_dir/tls/ on first start (keys 0600).
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  int threads = 0;  // I/O threads; 0 = the hardware's concurrency

  // Connection limits.
  std::size_t max_body_bytes = 8u << 20;     // 413 beyond
  std::size_t max_header_bytes = 16u << 10;  // 413 beyond
  int max_connections = 1024;                // more are closed at once
  int header_timeout_ms = 10'000;            // TLS handshake, or a request's headers after connect
  int body_timeout_ms = 30'000;              // a request's body once its headers are in
  int idle_timeout_ms = 60'000;              // keep-alive: the next request's headers

  // Accounts.
  std::int64_t token_lifetime_seconds = 30LL * 24 * 3600;  // 30 days
  int scrypt_log2_n = 17;  // N = 2^17, r = 8, p = 1 (128 MiB per hash); 10..20
  int hash_threads = 2;    // password hashes at once

  // Rate limits (token buckets).
  ratelimit::Limit per_address{50, 200};      // every request, per client address
  ratelimit::Limit per_account{20, 100};      // authenticated requests, per account
  ratelimit::Limit auth_per_address{10.0 / 60, 10};  // POST /v1/accounts and /v1/sessions: 10 a minute

  // Rule packs: the Ed25519 public keys (raw 32 bytes; base64 in the file's "rule_keys") that
  // `admin rules import` accepts signatures from. Empty = envelopes are stored without a
  // signature check (with a warning): the agents verify them anyway.
  std::vector<std::string> rule_keys;

  bool log_requests = true;  // one JSON line per request on stderr

  std::filesystem::path database() const { return data_dir / "server.sqlite3"; }
};

// Defaults with data_dir from the environment. Errors "invalid_config" when neither
// XDG_DATA_HOME nor HOME is set.
Result<Config> default_config();
// Defaults overridden by the file's fields. Errors "invalid_config" naming the file and field.
Result<Config> load_config(const std::filesystem::path& file);
// Defaults overridden by a JSON text's fields (what load_config reads). `origin` names it in errors.
Result<Config> parse_config(std::string_view text, std::string_view origin);

}  // namespace dealstack::backend
