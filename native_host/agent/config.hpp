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
//  "vault": {"auto_lock_minutes": 15}}       drop the vault's key after this idle time,
//                                            0 (never)..10080 (docs/vault.md)
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "agent/monitor_loop.hpp"
#include "core/result.hpp"

namespace dealstack::agent {

inline constexpr std::size_t kMaxConfigBytes = 64 * 1024;

struct AgentConfig {
  MonitorOptions monitor;
  bool desktop_notifications = true;
  std::optional<std::size_t> max_frame;  // bytes; none = messaging::kDefaultMaxFrame
  std::int64_t vault_auto_lock_minutes = 15;  // 0 = never
};

// Errors: "invalid_config" naming the file and the field (not JSON, an unknown field, a
// value of the wrong type or out of range, a file over kMaxConfigBytes).
Result<AgentConfig> parse_agent_config(std::string_view text, std::string_view file_name);
// A missing file gives the defaults. Errors as above, and "invalid_config" when unreadable.
Result<AgentConfig> load_agent_config(const std::filesystem::path& file);

}  // namespace dealstack::agent
