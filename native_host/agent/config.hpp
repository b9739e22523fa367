// The agent's settings file, `$XDG_CONFIG_HOME/dealstack/agent.json` (optional: every field
// has a default). People rarely need it; tests use it to check quickly and to trust their
// own certificate authority.
//
// {"monitor": {"min_host_gap_ms": 10000,     quiet time per shop after each check, 0..86400000
//              "rate_per_minute": 30,        checks started in any minute, 1..10000
//              "max_in_flight": 8,           checks running at once, 1..256
//              "jitter_percent": 10,         spread of intervals, 0..50
//              "base_backoff_ms": 60000,     wait after a first failure, 1000..86400000
//              "ca_file": "/path/ca.pem"},   extra trusted CAs (PEM), beside the system's
//  "notifications": {"desktop": true},       desktop notifications when no browser listens
//  "messaging": {"max_frame_bytes": 8388608}, the cap on an inbound frame, host and agent,
//                                            1024..67108864 (a longer one is refused unread)
//  "vault": {"auto_lock_minutes": 15},      drop the vault's key after this idle time,
//                                            0 (never)..10080 (docs/vault.md)
//  "sync": {"server": "https://host:8443",   the default sync server for login (docs/sync.md)
//           "ca_file": "/path/ca.pem",       extra trusted CAs for it (dealstack-server serve
//                                            prints the CA it generated)
//           "interval_ms": 300000,           between rounds when nothing changes, 1000..86400000
//           "rule_keys": ["base64 Ed25519 public key"]}}  rule-pack signers trusted
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/monitor_loop.hpp"
#include "core/result.hpp"

namespace dealstack::agent {

inline constexpr std::size_t kMaxConfigBytes = 64 * 1024;

struct AgentConfig {
  MonitorOptions monitor;
  bool desktop_notifications = true;
  std::optional<std::size_t> max_frame;  // bytes; none = messaging::kDefaultMaxFrame
  std::int64_t vault_auto_lock_minutes = 15;  // 0 = never
  struct Sync {
    std::optional<std::string> server;   // https URL; none = given at login
    std::optional<std::string> ca_file;  // PEM, beside the system's CAs
    std::int64_t interval_ms = 300'000;
    std::vector<std::string> rule_keys;  // base64 of 32-byte Ed25519 public keys (checked)
  } sync;
};

// Errors: "invalid_config" naming the file and the field (not JSON, an unknown field, a
// value of the wrong type or out of range, a file over kMaxConfigBytes).
Result<AgentConfig> parse_agent_config(std::string_view text, std::string_view file_name);
// A missing file gives the defaults. Errors as above, and "invalid_config" when unreadable.
Result<AgentConfig> load_agent_config(const std::filesystem::path& file);

}  // namespace dealstack::agent
