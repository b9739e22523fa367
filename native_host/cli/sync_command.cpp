// `dealstack sync login|status|now|logout`: the agent's sync with a dealstack-server
// (docs/sync.md), through the agent's socket. The account's password is read from the
// terminal without echo, or as the first line of standard input with --stdin; never from the
// arguments or the environment. It goes to the agent (which derives the keys and wipes it),
// never to the server, and nothing this command prints holds it.
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/agent_cli.hpp"
#include "cli/agent_client.hpp"
#include "cli/commands.hpp"
#include "cli/secret_input.hpp"
#include "crypto/crypto.hpp"
#include "platform/paths.hpp"
#include "protocol/wire.hpp"

namespace dealstack::cli {
namespace {

using protocol::Json;

constexpr int kCallTimeoutMs = 10'000;
// login: scrypt in the agent (about 0.3 s), the server's own hash, a round trip or two.
// now: a whole round (10,000 records take a few seconds; a slow server longer).
constexpr int kLongTimeoutMs = 120'000;
constexpr std::size_t kMaxPasswordBytes = 1024;

constexpr std::string_view kUsage =
    "usage: dealstack sync <command> [options]\n"
    "\n"
    "Sync watches, the wallet and settings across machines through a dealstack-server,\n"
    "encrypted end to end (the server never sees them, nor the password).\n"
    "\n"
    "  login --email EMAIL [--server URL] [--register] [--device NAME]\n"
    "                 log in (asks for the password without echo); --register creates the\n"
    "                 account first. URL: https://host:port (default: agent.json \"sync\":\n"
    "                 {\"server\"}). Needs an unlocked vault (dealstack vault init).\n"
    "  status         state, server, account, last sync, pending changes, last error\n"
    "  now            sync now and print the status after the round\n"
    "  logout         revoke the token, forget the account (local data stays)\n"
    "\n"
    "options:\n"
    "  --stdin   read the password from the first line of standard input\n"
    "  --json    print the agent's answer as one JSON line\n"
    "  --help    this text\n"
    "exit codes: 0 ok, 1 the agent or the server refused (or now: the round failed; the\n"
    "            message says why), 2 usage error or no password\n";

struct Options {
  std::string sub;
  std::vector<std::string> positionals;
  bool json = false, help = false, from_stdin = false, register_account = false;
  std::optional<std::string> server, email, device;
};

std::optional<crypto::SecretBytes> ask_password(Io io, const Options& o, const char* prompt) {
  auto got = ask_secret(io, {"sync", "password", prompt, kMaxPasswordBytes, o.from_stdin});
  if (got && got->size() > kMaxPasswordBytes) {
    io.err << "dealstack sync: the password is longer than " << kMaxPasswordBytes << " bytes\n";
    return std::nullopt;
  }
  return got;
}

std::string status_text(const Json& r) {
  const std::string state = terminal_text(field(r, "state"), "?");
  std::string out;
  if (state == "off") {
    out = "sync is off (dealstack sync login)\n";
  } else {
    out = "state: " + state + "\n";
    out += "account: " + terminal_text(field(r, "email"), "-") + " at " + terminal_text(field(r, "server"), "-") + "\n";
    out += "last sync: " + format_time(field(r, "last_sync_at")) + "\n";
    if (field(r, "next_attempt_at").is_number_integer()) out += "next attempt: " + format_time(field(r, "next_attempt_at")) + "\n";
    out += "records: " + terminal_text(field(r, "records"), "0") + ", pending changes: " +
           terminal_text(field(r, "pending"), "0") + ", rule packs: " + terminal_text(field(r, "rules"), "0") + "\n";
    if (field(r, "offers_synced_at").is_number_integer())
      out += "offers synced: " + format_time(field(r, "offers_synced_at")) + "\n";
  }
  const Json& e = field(r, "last_error");
  if (e.is_object())
    out += "last error: " + terminal_text(field(e, "message")) + " (" + terminal_text(field(e, "code")) + ")\n";
  return out;
}

}  // namespace

int sync_command(const std::vector<std::string>& args, Io io) {
  Options o;
  ArgScanner a(args);
  while (a.next()) {
    if (!a.is_option()) {
      if (o.sub.empty())
        o.sub = a.name();
      else
        o.positionals.push_back(a.name());
      continue;
    }
    const std::string& name = a.name();
    bool* flag = name == "--json"                   ? &o.json
                 : name == "--help" || name == "-h" ? &o.help
                 : name == "--stdin"                ? &o.from_stdin
                 : name == "--register"             ? &o.register_account
                                                    : nullptr;
    if (flag != nullptr) {
      if (a.has_inline_value()) return usage_error(io, "sync", name + " takes no value");
      *flag = true;
      continue;
    }
    if (name == "--server" || name == "--email" || name == "--device") {
      auto v = a.value();
      if (!v) return usage_error(io, "sync", name + " needs a value");
      (name == "--server" ? o.server : name == "--email" ? o.email : o.device) = *v;
      continue;
    }
    if (name == "--password")
      return usage_error(io, "sync", "the password is never an argument (others can read arguments): it is asked for, or --stdin");
    return usage_error(io, "sync", "unknown option " + terminal_text(Json(name)));
  }
  if (o.help) {
    io.out << kUsage;
    return kExitOk;
  }
  if (o.sub.empty()) return usage_error(io, "sync", "which command? login, status, now or logout");
  if (!o.positionals.empty()) return usage_error(io, "sync", o.sub + " takes no arguments");
  const bool login = o.sub == "login";
  if (!login && (o.server || o.email || o.device || o.register_account || o.from_stdin))
    return usage_error(io, "sync", "--server, --email, --device, --register and --stdin go with login");
  const auto print_status = [&](const Json& r) { io.out << status_text(r); };
  if (login) {
    if (!o.email) return usage_error(io, "sync", "login needs --email");
    auto password = ask_password(io, o, "Sync account password: ");
    if (!password) return kExitUsage;
    if (o.register_account && !o.from_stdin) {
      auto again = ask_password(io, o, "Repeat it: ");
      if (!again) return kExitUsage;
      if (!crypto::equal_constant_time(again->view(), password->view())) {
        io.err << "dealstack sync: the passwords differ; nothing was changed\n";
        return kExitUsage;
      }
    }
    Json params{{"email", *o.email}, {"password", std::string(password->view())}, {"register", o.register_account}};
    if (o.server) params["server"] = *o.server;
    if (o.device) params["device"] = *o.device;
    const int code = run_agent_call(io, "sync", protocol::method::sync_login, params, kLongTimeoutMs, o.json,
                                    [&](const Json& r) { io.out << "logged in\n" << status_text(r); });
    crypto::wipe(params["password"].get_ref<std::string&>());
    return code;
  }
  Json params = Json::object();
  if (o.sub == "status")
    return run_agent_call(io, "sync", protocol::method::sync_status, params, kCallTimeoutMs, o.json, print_status);
  if (o.sub == "logout")
    return run_agent_call(io, "sync", protocol::method::sync_logout, params, kCallTimeoutMs, o.json, print_status);
  if (o.sub == "now") {
    auto paths = platform::user_paths();
    if (!paths) return run_agent_call(io, "sync", protocol::method::sync_now, params, kLongTimeoutMs, o.json, print_status);
    auto r = call_agent(*paths, protocol::method::sync_now, params, kLongTimeoutMs);
    if (!r) {
      io.err << "dealstack sync: " << terminal_text(Json(r.error().message)) << " (" << r.error().code << ")\n";
      return kExitRefused;
    }
    if (o.json)
      io.out << r->dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
    else
      print_status(*r);
    // The round failing is not the agent refusing the call, but it is a failed `sync now`.
    return field(*r, "state") == "idle" ? kExitOk : kExitRefused;
  }
  return usage_error(io, "sync", "unknown command " + terminal_text(Json(o.sub)));
}

}  // namespace dealstack::cli
