// `dealstack alerts`: the alerts the price checks raised (alerts.list), and acknowledging
// one (alerts.ack) so it stops being shown as new.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/agent_cli.hpp"
#include "cli/commands.hpp"
#include "protocol/wire.hpp"

namespace dealstack::cli {
namespace {

using protocol::Json;

constexpr int kCallTimeoutMs = 10'000;

constexpr std::string_view kAlertsUsage =
    "usage: dealstack alerts [--all] [--json]\n"
    "       dealstack alerts --ack ID [--json]\n"
    "\n"
    "The alerts raised by price checks, newest first: by default only those not yet\n"
    "acknowledged. Kinds: below_target, drop, restock, all_time_low, price_increase.\n"
    "\n"
    "options:\n"
    "  --all      acknowledged alerts too\n"
    "  --ack ID   mark alert ID as seen (it is no longer listed as new)\n"
    "  --json     the agent's answer as one JSON line: {\"alerts\": [{\"id\", \"watch_id\",\n"
    "             \"kind\", \"message\", \"price\", \"currency\", \"at\", \"acknowledged\"}]},\n"
    "             or {\"acknowledged\": ID} with --ack\n"
    "  --help     this text\n"
    "exit codes: 0 ok, 1 no such alert (or the agent refused), 2 usage error\n";

std::string id_text(const Json& v) { return v.is_number_integer() ? std::to_string(v.get<std::int64_t>()) : "?"; }

void print_alerts(std::ostream& out, const Json& r, bool all) {
  const Json& list = field(r, "alerts");
  if (!list.is_array() || list.empty()) {
    out << (all ? "no alerts\n" : "no new alerts\n");
    return;
  }
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"ID", "WATCH", "KIND", "PRICE", "WHEN"});
  if (all) rows.back().push_back("SEEN");
  rows.back().push_back("MESSAGE");
  for (const auto& a : list) {
    rows.push_back({id_text(field(a, "id")), id_text(field(a, "watch_id")), terminal_text(field(a, "kind"), "?"),
                    format_price(field(a, "price"), field(a, "currency")), format_time(field(a, "at"), "?")});
    if (all) rows.back().push_back(flag_field(a, "acknowledged", false) ? "yes" : "no");
    rows.back().push_back(terminal_text(field(a, "message")));
  }
  print_table(out, rows);
}

}  // namespace

int alerts_command(const std::vector<std::string>& args, Io io) {
  constexpr std::string_view cmd = "alerts";
  bool as_json = false, help = false, all = false;
  std::optional<std::int64_t> ack;
  ArgScanner a(args);
  while (a.next()) {
    if (!a.is_option()) return usage_error(io, cmd, "unexpected argument '" + a.name() + "'");
    const std::string flag = a.name();
    if (flag == "--ack") {
      auto v = a.value();
      if (!v) return usage_error(io, cmd, "--ack needs an alert ID");
      ack = parse_id(*v);
      if (!ack) return usage_error(io, cmd, "--ack: '" + *v + "' is not an alert ID (a positive whole number)");
      continue;
    }
    if (flag != "--json" && flag != "--all" && flag != "--help" && flag != "-h")
      return usage_error(io, cmd, "unknown option '" + flag + "'");
    if (a.has_inline_value()) return usage_error(io, cmd, flag + " takes no value");
    (flag == "--json" ? as_json : flag == "--all" ? all : help) = true;
  }
  if (help) {
    io.out << kAlertsUsage;
    return 0;
  }
  if (ack && all) return usage_error(io, cmd, "--ack and --all can't be combined");
  if (ack)
    return run_agent_call(io, cmd, protocol::method::alerts_ack, {{"id", *ack}}, kCallTimeoutMs, as_json,
                          [&](const Json& r) { io.out << "acknowledged alert " << id_text(field(r, "acknowledged")) << "\n"; });
  return run_agent_call(io, cmd, protocol::method::alerts_list, {{"unacknowledged_only", !all}}, kCallTimeoutMs,
                        as_json, [&](const Json& r) { print_alerts(io.out, r, all); });
}

}  // namespace dealstack::cli
