// The long-lived per-user agent: owns the database and the monitor, serves the protocol on
// a Unix socket in the user's private runtime folder. One per user (a lock on
// runtime/agent.lock); SIGTERM or SIGINT stop it cleanly (the socket is removed).
// Settings: config/agent.json (agent/config.hpp). Alerts go to every connected client as
// events and, when no browser's host is among them, to the desktop (notify/).
#pragma once

#include <cstddef>

#include "core/result.hpp"
#include "messaging/frame.hpp"
#include "platform/paths.hpp"

namespace dealstack::agent {

struct AgentOptions {
  std::size_t max_frame = messaging::kDefaultMaxFrame;  // inbound frame cap, bytes
  std::size_t max_connections = 64;
};

// Runs until stopped by a signal. Errors: "agent_running" (another agent holds the lock),
// "unsafe_directory", "io_error" (socket), "invalid_config" (agent.json), the store's.
Status run_agent(const platform::Paths& paths, const AgentOptions& options = {});

}  // namespace dealstack::agent
