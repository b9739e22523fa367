// The native-messaging host: the process a browser starts for the extension's port. It
// holds no state (browsers kill it when the port closes): it checks who called, makes sure
// the agent runs, and relays frames both ways: the browser's native-order frames on
// stdin/stdout, the agent's big-endian frames on its socket. Only frames ever reach stdout.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "messaging/frame.hpp"
#include "platform/paths.hpp"

namespace dealstack::host {

struct HostOptions {
  std::size_t max_frame = messaging::kDefaultMaxFrame;  // inbound cap, bytes (both sides)
  std::size_t browser_limit = messaging::kBrowserMessageLimit;  // outbound chunking threshold
  int agent_start_timeout_ms = 3000;
  std::string program;  // the dealstack binary, to start the agent (default /proc/self/exe)
};

// Serves one browser port until stdin closes. `caller` is the origin or Firefox id from the
// arguments; `allowed` the allow-list. Returns the exit code: 0 when the browser closed the
// port, 1 on a refused caller, an unreachable agent or a broken stream (each first
// reported to the browser as an error frame where one can be written).
int run_host(const std::string& caller, const std::vector<std::string>& allowed,
             const platform::Paths& paths, int in_fd, int out_fd, const HostOptions& options = {});

// Connects to the agent's socket, starting `dealstack agent` (detached, in its own session)
// when nobody answers. Returns the connected descriptor. Errors "agent_unavailable".
Result<int> connect_agent(const platform::Paths& paths, const std::string& program, int timeout_ms);

}  // namespace dealstack::host
