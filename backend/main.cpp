// dealstack-server: the self-hostable backend (accounts, end-to-end-encrypted sync, offers,
// signed rule packs). docs/backend.md is the manual.
//
//   dealstack-server serve [--config FILE]
//   dealstack-server admin ... [--config FILE]     (see admin/admin.hpp)
#include <iostream>
#include <string>
#include <vector>

#include "admin/admin.hpp"
#include "server/config.hpp"
#include "server/server.hpp"

namespace {

int usage() {
  std::cerr << "usage: dealstack-server serve [--config FILE]\n"
               "       dealstack-server admin offers import FILE | rules keygen --out SEEDFILE |\n"
               "                              rules sign --key SEEDFILE PACK.json | rules import ENVELOPE.json |\n"
               "                              tokens revoke|expire --email EMAIL | accounts list   [--config FILE]\n"
               "       dealstack-server --version\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dealstack::backend;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage();
  if (args[0] == "--version") {
    std::cout << "dealstack-server " << DEALSTACK_VERSION << "\n";
    return 0;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    usage();
    return 0;
  }
  // --config FILE may stand anywhere after the command.
  std::string config_file;
  std::vector<std::string> rest;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--config") {
      if (i + 1 >= args.size()) return usage();
      config_file = args[++i];
    } else {
      rest.push_back(args[i]);
    }
  }
  auto config = config_file.empty() ? default_config() : load_config(config_file);
  if (!config) {
    std::cerr << "dealstack-server: " << config.error().message << " (" << config.error().code << ")\n";
    return 1;
  }
  if (args[0] == "serve") {
    if (!rest.empty()) return usage();
    return server::serve(*config);
  }
  if (args[0] == "admin") return admin::run(*config, rest);
  return usage();
}
