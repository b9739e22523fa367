// dealstack agent: the per-user agent in the foreground (the host starts it detached; the
// systemd user unit in manifests/ starts it at login).
#include <iostream>

#include "agent/agent.hpp"
#include "cli/commands.hpp"

namespace dealstack::cli {

int agent_command(const std::vector<std::string>& args, Io io) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    io.out << "usage: dealstack agent\n"
              "  Runs the per-user agent: the database, the price monitor and the socket the\n"
              "  browser's host and the CLI talk to. One per user; stops on SIGTERM.\n";
    return 0;
  }
  if (!args.empty()) {
    io.err << "dealstack agent: unexpected argument '" << args[0] << "'\n";
    return 2;
  }
  auto paths = platform::user_paths();
  if (!paths) {
    io.err << "dealstack agent: " << paths.error().message << "\n";
    return 1;
  }
  auto ran = agent::run_agent(*paths);
  if (!ran) {
    io.err << "dealstack agent: " << ran.error().message << " (" << ran.error().code << ")\n";
    return ran.error().code == "agent_running" ? 3 : 1;
  }
  return 0;
}

}  // namespace dealstack::cli
