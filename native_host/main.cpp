// dealstack: the command-line entry point. Subcommands live in cli/, one file each.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "install/allow_list.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: dealstack <command> [options]\n"
    "\n"
    "commands:\n"
    "  price [--currency-hint TEXT] [--decimal-separator C] [--locale TAG] TEXT\n"
    "        read a price out of TEXT; prints one JSON object\n"
    "  price --jsonl\n"
    "        read {\"text\",\"currency_hint\",\"decimal_separator\",\"locale\"} lines on stdin,\n"
    "        write one result line per input line\n"
    "  extract [--url URL] [--charset NAME] [FILE | -]\n"
    "        read the product on an HTML page; prints one JSON object\n"
    "        (exit 3: no product on the page; exit 2: unreadable input)\n"
    "  stack [FILE | -]\n"
    "        find the cheapest legal stack of offers for a cart; JSON in, JSON out\n"
    "        (docs/stacking.md; exit 1: the request was refused)\n"
    "  watch add URL [--target PRICE --currency CODE] [--drop PERCENT] [--every DURATION] ...\n"
    "  watch list | watch remove ID | watch check ID\n"
    "        watch product pages for price changes (through the agent; --json for scripts)\n"
    "  history ID [--days N | --from DATE --to DATE]\n"
    "        a watch's lowest, highest and last price per day\n"
    "  alerts [--all] [--ack ID]\n"
    "        the alerts price checks raised; --ack marks one as seen\n"
    "  offers import FILE | offers list [--retailer NAME]\n"
    "        load an offer feed file into the agent; list the offers it serves per shop\n"
    "  vault init|unlock|lock|status|set ID --kind KIND|list|delete ID|passwd\n"
    "        the secrets the agent keeps encrypted (tokens, shop sessions); never printed\n"
    "  sync login --email E [--server URL] [--register] | status | now | logout\n"
    "        sync watches, wallet and settings through a dealstack-server (end-to-end encrypted)\n"
    "  agent\n"
    "        run the per-user agent (database, monitor, the socket the host talks to)\n"
    "  install [--browser NAME] [--extension-id ID] [--user-data-dir DIR] [--system]\n"
    "        register the host with the browsers; uninstall removes what it wrote\n"
    "  doctor\n"
    "        check the browsers' host manifests, the agent and the database\n"
    "  version\n"
    "\n"
    "Each command takes --help.\n";

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? std::cerr : std::cout) << kUsage;
    return args.empty() ? 2 : 0;
  }
  dealstack::cli::Io io{std::cin, std::cout, std::cerr};
  // Started by a browser for its extension: the native-messaging host.
  if (const std::string caller = dealstack::install::caller_from_args(args); !caller.empty())
    return dealstack::cli::host_command(caller, io);
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "agent") return dealstack::cli::agent_command(args, io);
  if (command == "price") return dealstack::cli::price_command(args, io);
  if (command == "extract") return dealstack::cli::extract_command(args, io);
  if (command == "stack") return dealstack::cli::stack_command(args, io);
  if (command == "watch") return dealstack::cli::watch_command(args, io);
  if (command == "history") return dealstack::cli::history_command(args, io);
  if (command == "alerts") return dealstack::cli::alerts_command(args, io);
  if (command == "offers") return dealstack::cli::offers_command(args, io);
  if (command == "vault") return dealstack::cli::vault_command(args, io);
  if (command == "sync") return dealstack::cli::sync_command(args, io);
  if (command == "install") return dealstack::cli::install_command(args, io);
  if (command == "uninstall") return dealstack::cli::uninstall_command(args, io);
  if (command == "doctor") return dealstack::cli::doctor_command(args, io);
  if (command == "version" || command == "--version") {
    std::cout << "dealstack " << DEALSTACK_VERSION << "\n";
    return 0;
  }
  std::cerr << "dealstack: unknown command '" << command << "'\n\n" << kUsage;
  return 2;
}
