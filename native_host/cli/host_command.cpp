// The native-messaging host mode: what browsers run (their arguments are the caller's
// origin, or Firefox's manifest path and extension id). Nothing but frames goes to stdout.
#include <unistd.h>

#include "agent/config.hpp"
#include "cli/commands.hpp"
#include "host/host.hpp"
#include "install/allow_list.hpp"

namespace dealstack::cli {

int host_command(const std::string& caller, Io io) {
  auto paths = platform::user_paths();
  if (!paths) {
    io.err << "dealstack host: " << paths.error().message << "\n";
    return 1;
  }
  auto allowed = install::load_allowed_origins(*paths);
  // No allow-list refuses everyone (run_host reports it to the browser).
  const std::vector<std::string> list = allowed ? *allowed : std::vector<std::string>{};
  if (!allowed) io.err << "dealstack host: " << allowed.error().message << "\n";
  // The frame cap is shared with the agent (agent.json); a file the agent would refuse is
  // reported by the agent not starting, so here the defaults stand in for it.
  host::HostOptions options;
  if (auto config = agent::load_agent_config(paths->config / "agent.json"); config && config->max_frame)
    options.max_frame = *config->max_frame;
  return host::run_host(caller, list, *paths, STDIN_FILENO, STDOUT_FILENO, options);
}

}  // namespace dealstack::cli
