// `dealstack vault init|unlock|lock|status|set|list|delete|passwd`: the shopper's secrets,
// kept encrypted by the agent (docs/vault.md), through the agent's socket. Passphrases and
// secrets are read from the terminal without echo, or from standard input with --stdin;
// never from the arguments or the environment (other users' processes can read those), and
// nothing this command prints ever holds one.
//
// Secrets are read by cli/secret_input.hpp (no stdio copy, buffers wiped); our copies in the
// request are wiped after the call (the request text inside the socket client is not:
// docs/vault.md says what is and isn't wiped).
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
#include "vault/vault.hpp"

namespace dealstack::cli {
namespace {

using protocol::Json;

constexpr int kCallTimeoutMs = 10'000;
// init and unlock may wait for the keyring (10 s) and run scrypt (about 0.3 s, more on a
// slow machine or with raised parameters).
constexpr int kKeyTimeoutMs = 60'000;

constexpr std::string_view kUsage =
    "usage: dealstack vault <command> [options]\n"
    "\n"
    "The shopper's secrets (the sync account's token and key, shop sessions for member\n"
    "prices, notification tokens), kept encrypted by the per-user agent. Secrets go in and\n"
    "are used by the agent; nothing ever prints them back.\n"
    "\n"
    "  init [--keyring | --passphrase]\n"
    "                 create the vault: its key kept in the OS keyring (Secret Service),\n"
    "                 the default when one answers, or protected by a passphrase\n"
    "  unlock         load the key (asks for the passphrase; a keyring vault needs none)\n"
    "  lock           drop the key from the agent's memory now\n"
    "  status         initialized, locked, protection, auto-lock time, number of entries\n"
    "  set ID --kind KIND [--label TEXT]\n"
    "                 store a secret (asked for without echo; --stdin reads all of standard\n"
    "                 input). KIND: account_token, sync_key, shop_session, notify_secret.\n"
    "                 A shop session (ID shop/HOST) is JSON:\n"
    "                 {\"cookies\": {\"NAME\": \"VALUE\"}, \"headers\": {\"NAME\": \"VALUE\"}}\n"
    "  list           every entry's id, kind, label and times\n"
    "  delete ID      remove an entry\n"
    "  passwd         change the passphrase (the entries stay as they are)\n"
    "\n"
    "options:\n"
    "  --stdin   read passphrases from standard input, one per line (passwd: the old one,\n"
    "            then the new one), or set's secret (all of it, less one final newline)\n"
    "  --json    print the agent's answer as one JSON line\n"
    "  --help    this text\n"
    "exit codes: 0 ok, 1 the agent refused (wrong passphrase, locked, not found...; the\n"
    "            message says why), 2 usage error or nothing to read\n";

struct Options {
  std::string sub;
  std::vector<std::string> positionals;
  bool json = false, help = false, from_stdin = false, keyring = false, passphrase = false;
  std::optional<std::string> kind, label;
};

// A passphrase (or, for set, the secret) from the terminal without echo, or from stdin.
std::optional<crypto::SecretBytes> ask(Io io, const Options& o, const char* prompt, std::size_t cap,
                                       bool whole_input = false) {
  return ask_secret(io, {"vault", whole_input ? "secret" : "passphrase", prompt, cap, o.from_stdin, whole_input});
}

int fail(Io io, const std::string& message) {
  io.err << "dealstack vault: " << message << "\n";
  return kExitUsage;
}

// The secret in a params object, wiped once sent.
void wipe_param(Json& params, const char* name) {
  if (auto it = params.find(name); it != params.end() && it->is_string()) crypto::wipe(it->get_ref<std::string&>());
}

// Calls the agent and prints as run_agent_call does; `params`' secrets are wiped after.
int call(Io io, std::string_view method, Json& params, int timeout_ms, bool as_json,
         const std::function<void(const Json&)>& print, std::initializer_list<const char*> secret_fields = {}) {
  const int code = run_agent_call(io, "vault", method, params, timeout_ms, as_json, print);
  for (const char* f : secret_fields) wipe_param(params, f);
  return code;
}

Json secret_json(const crypto::SecretBytes& s) { return Json(std::string(s.view())); }

std::string status_line(const Json& r) {
  if (!flag_field(r, "initialized", false)) return "no vault yet (dealstack vault init)";
  std::string out = flag_field(r, "locked", true) ? "locked" : "unlocked";
  out += ", protected by " + std::string(field(r, "protection") == "keyring" ? "the OS keyring" : "a passphrase");
  const Json& minutes = field(r, "auto_lock_minutes");
  if (minutes.is_number_integer() && minutes.get<std::int64_t>() > 0)
    out += ", locks after " + terminal_text(minutes) + " min idle";
  else
    out += ", never locks by itself";
  out += ", " + terminal_text(field(r, "entries"), "?") + (field(r, "entries") == 1 ? " entry" : " entries");
  return out;
}

Result<Json> status(Io) {
  auto paths = platform::user_paths();
  if (!paths) return paths.error();
  return call_agent(*paths, protocol::method::vault_status, Json::object(), kCallTimeoutMs);
}

int init(Io io, const Options& o) {
  if (o.keyring && o.passphrase) return fail(io, "--keyring and --passphrase don't go together (see dealstack vault --help)");
  const auto print = [&](const Json& r) { io.out << "vault created: " << status_line(r) << "\n"; };
  if (!o.passphrase) {
    Json params{{"protection", "keyring"}};
    if (o.keyring) return call(io, protocol::method::vault_init, params, kKeyTimeoutMs, o.json, print);
    // No choice made: the keyring when one answers, else a passphrase.
    auto paths = platform::user_paths();
    if (!paths) return call(io, protocol::method::vault_init, params, kKeyTimeoutMs, o.json, print);
    auto r = call_agent(*paths, protocol::method::vault_init, params, kKeyTimeoutMs);
    if (r) {
      if (o.json)
        io.out << r->dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
      else
        print(*r);
      return kExitOk;
    }
    if (r.error().code != protocol::error::keyring_unavailable) {
      io.err << "dealstack vault: " << terminal_text(Json(r.error().message)) << " (" << r.error().code << ")\n";
      return kExitRefused;
    }
    io.err << "no OS keyring answers; the vault will be protected by a passphrase\n";
  }
  auto pass = ask(io, o, "New vault passphrase: ", vault::kMaxPassphraseBytes);
  if (!pass) return kExitUsage;
  if (!o.from_stdin) {
    auto again = ask(io, o, "Repeat it: ", vault::kMaxPassphraseBytes);
    if (!again) return kExitUsage;
    if (!crypto::equal_constant_time(again->view(), pass->view()))
      return fail(io, "the passphrases differ; nothing was changed");
  }
  Json params{{"protection", "passphrase"}, {"passphrase", secret_json(*pass)}};
  return call(io, protocol::method::vault_init, params, kKeyTimeoutMs, o.json, print, {"passphrase"});
}

int unlock(Io io, const Options& o) {
  auto st = status(io);
  if (!st) {
    io.err << "dealstack vault: " << terminal_text(Json(st.error().message)) << " (" << st.error().code << ")\n";
    return kExitRefused;
  }
  const auto print = [&](const Json& r) { io.out << status_line(r) << "\n"; };
  Json params = Json::object();
  if (flag_field(*st, "initialized", false) && field(*st, "protection") == "passphrase") {
    auto pass = ask(io, o, "Vault passphrase: ", vault::kMaxPassphraseBytes);
    if (!pass) return kExitUsage;
    params["passphrase"] = secret_json(*pass);
  }
  return call(io, protocol::method::vault_unlock, params, kKeyTimeoutMs, o.json, print, {"passphrase"});
}

int passwd(Io io, const Options& o) {
  auto old_pass = ask(io, o, "Current passphrase: ", vault::kMaxPassphraseBytes);
  if (!old_pass) return kExitUsage;
  auto new_pass = ask(io, o, "New passphrase: ", vault::kMaxPassphraseBytes);
  if (!new_pass) return kExitUsage;
  if (!o.from_stdin) {
    auto again = ask(io, o, "Repeat it: ", vault::kMaxPassphraseBytes);
    if (!again) return kExitUsage;
    if (!crypto::equal_constant_time(again->view(), new_pass->view()))
      return fail(io, "the new passphrases differ; nothing was changed");
  }
  Json params{{"old", secret_json(*old_pass)}, {"new", secret_json(*new_pass)}};
  return call(io, protocol::method::vault_passwd, params, kKeyTimeoutMs, o.json,
              [&](const Json&) { io.out << "passphrase changed\n"; }, {"old", "new"});
}

std::string entry_line(const Json& e) {
  std::string out = terminal_text(field(e, "id"), "?") + " (" + terminal_text(field(e, "kind"), "?") + ")";
  if (const Json& l = field(e, "label"); l.is_string() && !l.get<std::string>().empty())
    out += " \"" + terminal_text(l) + "\"";
  return out;
}

int set(Io io, const Options& o) {
  if (o.positionals.size() != 1) return usage_error(io, "vault", "set takes one ID");
  if (!o.kind) return usage_error(io, "vault", "set needs --kind");
  if (auto ok = vault::validate_id(o.positionals[0]); !ok) return usage_error(io, "vault", "ID: " + ok.error().message);
  if (auto ok = vault::validate_kind(*o.kind); !ok) return usage_error(io, "vault", "--kind: " + ok.error().message);
  if (o.label)
    if (auto ok = vault::validate_label(*o.label); !ok) return usage_error(io, "vault", "--label: " + ok.error().message);
  auto secret = ask(io, o, "Secret (not shown): ", vault::kMaxSecretBytes, true);
  if (!secret) return kExitUsage;
  if (secret->size() > vault::kMaxSecretBytes)
    return fail(io, "the secret is longer than " + std::to_string(vault::kMaxSecretBytes) + " bytes");
  Json params{{"id", o.positionals[0]}, {"kind", *o.kind}, {"label", o.label.value_or("")}, {"secret", secret_json(*secret)}};
  return call(io, protocol::method::vault_set, params, kCallTimeoutMs, o.json,
              [&](const Json& r) { io.out << "stored " << entry_line(field(r, "entry")) << "\n"; }, {"secret"});
}

void print_list(std::ostream& out, const Json& r) {
  const Json& list = field(r, "entries");
  if (!list.is_array() || list.empty()) {
    out << "no entries\n";
    return;
  }
  std::vector<std::vector<std::string>> rows{{"ID", "KIND", "UPDATED", "LABEL"}};
  for (const Json& e : list)
    rows.push_back({terminal_text(field(e, "id"), "?"), terminal_text(field(e, "kind"), "?"),
                    format_time(field(e, "updated_at")), terminal_text(field(e, "label"))});
  print_table(out, rows);
}

}  // namespace

int vault_command(const std::vector<std::string>& args, Io io) {
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
    bool* flag = name == "--json"                        ? &o.json
                 : name == "--help" || name == "-h"      ? &o.help
                 : name == "--stdin"                     ? &o.from_stdin
                 : name == "--keyring"                   ? &o.keyring
                 : name == "--passphrase"                ? &o.passphrase
                                                         : nullptr;
    if (flag != nullptr) {
      // A value after '=' would be a passphrase in argv: refuse it, as any value.
      if (a.has_inline_value()) return usage_error(io, "vault", name + " takes no value");
      *flag = true;
      continue;
    }
    if (name == "--kind" || name == "--label") {
      auto v = a.value();
      if (!v) return usage_error(io, "vault", name + " needs a value");
      (name == "--kind" ? o.kind : o.label) = *v;
      continue;
    }
    return usage_error(io, "vault", "unknown option " + terminal_text(Json(name)));
  }
  if (o.help) {
    io.out << kUsage;
    return kExitOk;
  }
  if (o.sub.empty()) return usage_error(io, "vault", "which command? init, unlock, lock, status, set, list, delete or passwd");
  const bool takes_id = o.sub == "set" || o.sub == "delete";
  if (!takes_id && !o.positionals.empty())
    return usage_error(io, "vault", o.sub + " takes no arguments (secrets are never given as arguments)");
  if ((o.kind || o.label) && o.sub != "set") return usage_error(io, "vault", "--kind and --label go with set");
  if ((o.keyring || o.passphrase) && o.sub != "init") return usage_error(io, "vault", "--keyring and --passphrase go with init");
  if (o.sub == "init") return init(io, o);
  if (o.sub == "unlock") return unlock(io, o);
  if (o.sub == "passwd") return passwd(io, o);
  if (o.sub == "set") return set(io, o);
  if (o.sub == "lock") {
    Json params = Json::object();
    return call(io, protocol::method::vault_lock, params, kCallTimeoutMs, o.json,
                [&](const Json&) { io.out << "vault locked\n"; });
  }
  if (o.sub == "status") {
    Json params = Json::object();
    return call(io, protocol::method::vault_status, params, kCallTimeoutMs, o.json,
                [&](const Json& r) { io.out << status_line(r) << "\n"; });
  }
  if (o.sub == "list") {
    Json params = Json::object();
    return call(io, protocol::method::vault_list, params, kCallTimeoutMs, o.json,
                [&](const Json& r) { print_list(io.out, r); });
  }
  if (o.sub == "delete") {
    if (o.positionals.size() != 1) return usage_error(io, "vault", "delete takes one ID");
    Json params{{"id", o.positionals[0]}};
    return call(io, protocol::method::vault_delete, params, kCallTimeoutMs, o.json,
                [&](const Json&) { io.out << "deleted " << terminal_text(Json(o.positionals[0])) << "\n"; });
  }
  return usage_error(io, "vault", "unknown command " + terminal_text(Json(o.sub)));
}

}  // namespace dealstack::cli
