// One function per CLI subcommand. Each takes its arguments (after the subcommand name)
// and the process's streams, and returns the exit code:
//   0 success, 1 failure (stack: the request was refused; watch/history/alerts: the agent
//   refused, not found, the check failed), 2 usage error or unreadable input, 3 no product (extract).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace dealstack::cli {

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

int price_command(const std::vector<std::string>& args, Io io);
int extract_command(const std::vector<std::string>& args, Io io);
int stack_command(const std::vector<std::string>& args, Io io);
int install_command(const std::vector<std::string>& args, Io io);
int uninstall_command(const std::vector<std::string>& args, Io io);
int doctor_command(const std::vector<std::string>& args, Io io);
int agent_command(const std::vector<std::string>& args, Io io);
// Price watches through the agent: watch add|list|remove|check, history, alerts.
int watch_command(const std::vector<std::string>& args, Io io);
int history_command(const std::vector<std::string>& args, Io io);
int alerts_command(const std::vector<std::string>& args, Io io);
// The offers the agent serves per retailer: offers import FILE | list [--retailer NAME].
int offers_command(const std::vector<std::string>& args, Io io);
// The shopper's secrets, kept by the agent: vault init|unlock|lock|status|set|list|delete|passwd.
int vault_command(const std::vector<std::string>& args, Io io);
// Sync through a dealstack-server: sync login|status|now|logout.
int sync_command(const std::vector<std::string>& args, Io io);
// Host mode: `caller` is the origin (Chromium) or extension id (Firefox) it was started for.
int host_command(const std::string& caller, Io io);

}  // namespace dealstack::cli
