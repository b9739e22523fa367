// `dealstack watch add|list|remove|check`: the price watches, through the agent (the same
// protocol methods the extension uses: watch.add, watch.list, watch.remove, watch.check).
// Options are checked here so a typo is a usage error naming the option (exit 2) before
// anything is sent; what the agent refuses exits 1 with its message.
#include <cctype>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/agent_cli.hpp"
#include "cli/commands.hpp"
#include "money/currency.hpp"
#include "money/money.hpp"
#include "protocol/wire.hpp"

namespace dealstack::cli {
namespace {

using protocol::Json;

constexpr int kCallTimeoutMs = 10'000;
// A check fetches the page (the HTTP client's own deadlines apply), so it gets longer.
constexpr int kCheckTimeoutMs = 120'000;
// The agent's bounds for interval_seconds (store/model.hpp).
constexpr std::int64_t kMinEverySeconds = 120;
constexpr std::int64_t kMaxEverySeconds = 30LL * 24 * 3600;

constexpr std::string_view kWatchUsage =
    "usage: dealstack watch <add|list|remove|check> [options]\n"
    "\n"
    "Price watches, kept by the per-user agent (started when needed) and checked in the\n"
    "background; the browser extension sees the same watches.\n"
    "\n"
    "  add URL [options]   start watching a product page (see dealstack watch add --help)\n"
    "  list                every watch, by id\n"
    "  remove ID           stop watching; its history and alerts go with it\n"
    "  check ID            check the price now and show what was found\n"
    "\n"
    "Each takes --json (print the agent's answer as one JSON line) and --help.\n"
    "exit codes: 0 ok, 1 the agent refused (the message says why), 2 usage error\n";

constexpr std::string_view kAddUsage =
    "usage: dealstack watch add URL [--variant TEXT] [--target PRICE --currency CODE]\n"
    "                               [--drop PERCENT] [--no-restock] [--increase]\n"
    "                               [--every DURATION] [--active HH:MM-HH:MM] [--json]\n"
    "\n"
    "Starts watching the product page at URL (http or https). One watch per URL and variant.\n"
    "\n"
    "options:\n"
    "  --variant TEXT       the site's label for the variant to watch (size, colour...)\n"
    "  --target PRICE       alert when the price is at or below PRICE, a plain decimal\n"
    "                       (39.99); needs --currency\n"
    "  --currency CODE      the ISO 4217 code of --target (EUR, USD, JPY...)\n"
    "  --drop PERCENT       alert when the price falls PERCENT from its recent high\n"
    "                       (0.01 to 100, at most two decimals: 12.5)\n"
    "  --no-restock         no alert when it comes back in stock (default: alert)\n"
    "  --increase           also alert when the price goes up (default: no)\n"
    "  --every DURATION     how often to check: a number and a unit s, m, h or d, or a sum\n"
    "                       of them (90m, 1h30m, 2d); 2m to 30d. Default: 3h\n"
    "  --active HH:MM-HH:MM check only between these local times (22:00-06:00 wraps\n"
    "                       over midnight). Default: all day\n"
    "  --json               print the watch as the agent stored it, as one JSON line\n"
    "  --help               this text\n";

constexpr std::string_view kListUsage =
    "usage: dealstack watch list [--json]\n"
    "\n"
    "Every watch, by id: state, how often it is checked, when it was last checked, what it\n"
    "alerts on and its page.\n"
    "\n"
    "  --json   {\"watches\": [...]}, each watch as `watch add --json` prints it\n"
    "  --help   this text\n";

constexpr std::string_view kRemoveUsage =
    "usage: dealstack watch remove ID [--json]\n"
    "\n"
    "Stops watching (ID from dealstack watch list); the watch's price history and alerts are\n"
    "deleted with it.\n"
    "\n"
    "  --json   {\"removed\": ID}\n"
    "  --help   this text\n"
    "exit codes: 0 removed, 1 no such watch (or the agent refused), 2 usage error\n";

constexpr std::string_view kCheckUsage =
    "usage: dealstack watch check ID [--json]\n"
    "\n"
    "Checks the watch's page now (ID from dealstack watch list), stores what was found like\n"
    "a scheduled check, and prints the price, availability and any alert it raised.\n"
    "\n"
    "  --json   {\"watch\", \"observation\", \"changed\", \"alert\"} as the agent answers\n"
    "  --help   this text\n"
    "exit codes: 0 checked, 1 no such watch or the check failed (the message says why:\n"
    "HTTP status, timeout...), 2 usage error\n";

// "12.5" -> 1250 basis points: integer digits, then up to two decimals; 1..10000.
std::optional<std::int64_t> percent_to_bp(std::string_view s) {
  const auto dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (whole.empty() && frac.empty()) return std::nullopt;
  if (whole.size() > 3 || frac.size() > 2 || (dot != std::string_view::npos && frac.empty())) return std::nullopt;
  std::int64_t bp = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
    bp = bp * 10 + (c - '0');
  }
  bp *= 100;
  std::int64_t scale = 10;
  for (char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
    bp += (c - '0') * scale;
    scale /= 10;
  }
  if (bp < 1 || bp > 10000) return std::nullopt;
  return bp;
}

// "1h30m" -> 5400: one or more <digits><unit> with unit s, m, h or d.
std::optional<std::int64_t> duration_seconds(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::int64_t n = 0;
    std::size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (++digits > 9) return std::nullopt;  // far over 30 days in any unit; keeps it in range
      n = n * 10 + (s[i++] - '0');
    }
    if (digits == 0 || i >= s.size()) return std::nullopt;
    switch (s[i++]) {
      case 's': total += n; break;
      case 'm': total += n * 60; break;
      case 'h': total += n * 3600; break;
      case 'd': total += n * 86400; break;
      default: return std::nullopt;
    }
  }
  return total;
}

// "HH:MM" -> minutes after midnight (0..1439).
std::optional<int> clock_minute(std::string_view s) {
  const auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || s.size() != colon + 3) return std::nullopt;
  int h = 0, m = 0;
  for (char c : s.substr(0, colon)) {
    if (c < '0' || c > '9') return std::nullopt;
    h = h * 10 + (c - '0');
  }
  for (char c : s.substr(colon + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    m = m * 10 + (c - '0');
  }
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string clock_text(const Json& minute) {
  if (!minute.is_number_integer()) return "?";
  const auto v = minute.get<std::int64_t>();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld", static_cast<long long>(v / 60), static_cast<long long>(v % 60));
  return buf;
}

// "below 39.99 EUR, drop 12.5%, restock, increase": what a watch alerts on.
std::string alerts_on(const Json& w) {
  std::string out;
  auto add = [&out](const std::string& s) { out += (out.empty() ? "" : ", ") + s; };
  if (field(w, "target_price").is_string())
    add("below " + format_price(field(w, "target_price"), field(w, "currency")));
  if (const Json bp = field(w, "drop_bp"); bp.is_number_integer()) {
    const auto v = bp.get<std::int64_t>();
    std::string pct = std::to_string(v / 100);
    if (v % 100 != 0) {
      char frac[32];
      std::snprintf(frac, sizeof frac, ".%02lld", static_cast<long long>(v % 100));
      pct += frac;
      while (pct.back() == '0') pct.pop_back();
    }
    add("drop " + pct + "%");
  }
  if (flag_field(w, "notify_restock", false)) add("restock");
  if (flag_field(w, "notify_increase", false)) add("increase");
  return out.empty() ? "-" : out;
}

std::string every_text(const Json& w) {
  const Json s = field(w, "interval_seconds");
  std::string out = s.is_number_integer() ? format_duration(s.get<std::int64_t>()) : "?";
  if (const Json h = field(w, "active_hours"); h.is_object())
    out += " " + clock_text(field(h, "start_minute")) + "-" + clock_text(field(h, "end_minute"));
  return out;
}

std::string page_text(const Json& w) {
  std::string out = terminal_text(field(w, "url"));
  if (const Json v = field(w, "variant"); v.is_string()) out += " [" + terminal_text(v) + "]";
  if (const Json t = field(w, "title"); t.is_string()) out += " " + terminal_text(t);
  return out;
}

std::string id_text(const Json& v) { return v.is_number_integer() ? std::to_string(v.get<std::int64_t>()) : "?"; }

void print_watches(std::ostream& out, const Json& watches) {
  std::vector<std::vector<std::string>> rows{{"ID", "STATE", "EVERY", "LAST CHECK", "ALERTS ON", "PAGE"}};
  for (const auto& w : watches) {
    if (!w.is_object()) continue;
    rows.push_back({id_text(field(w, "id")), terminal_text(field(w, "state"), "?"), every_text(w),
                    format_time(field(w, "last_check_at")), alerts_on(w), page_text(w)});
  }
  print_table(out, rows);
}

// Flags every watch subcommand takes.
struct Common {
  bool json = false;
  bool help = false;
};

// Handles --json and --help; false when `a` is neither.
bool common_flag(ArgScanner& a, Common& c) {
  if (a.name() == "--json") return c.json = true;
  if (a.name() == "--help" || a.name() == "-h") return c.help = true;
  return false;
}

int add_command(const std::vector<std::string>& args, Io io) {
  constexpr std::string_view cmd = "watch add";
  Common c;
  Json params = Json::object();
  std::optional<std::string> url, target, currency;
  ArgScanner a(args);
  while (a.next()) {
    if (!a.is_option()) {
      if (url) return usage_error(io, cmd, "one URL only; unexpected argument '" + a.name() + "'");
      url = a.name();
      continue;
    }
    const std::string flag = a.name();
    if (flag == "--no-restock" || flag == "--increase" || flag == "--json" || flag == "--help" || flag == "-h") {
      if (a.has_inline_value()) return usage_error(io, cmd, flag + " takes no value");
      if (flag == "--no-restock") params["notify_restock"] = false;
      else if (flag == "--increase") params["notify_increase"] = true;
      else common_flag(a, c);
      continue;
    }
    if (flag != "--variant" && flag != "--target" && flag != "--currency" && flag != "--drop" &&
        flag != "--every" && flag != "--active")
      return usage_error(io, cmd, "unknown option '" + flag + "'");
    auto v = a.value();
    if (!v) return usage_error(io, cmd, flag + " needs a value");
    if (flag == "--variant") {
      if (v->empty()) return usage_error(io, cmd, "--variant: must not be empty");
      params["variant"] = *v;
    } else if (flag == "--target") {
      target = *v;
    } else if (flag == "--currency") {
      std::string code = *v;
      for (char& ch : code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (!find_currency(code)) return usage_error(io, cmd, "--currency: '" + *v + "' is not an ISO 4217 code we know");
      currency = code;
    } else if (flag == "--drop") {
      auto bp = percent_to_bp(*v);
      if (!bp)
        return usage_error(io, cmd, "--drop: '" + *v + "' is not a percentage from 0.01 to 100 with at most two decimals");
      params["drop_bp"] = *bp;
    } else if (flag == "--every") {
      auto s = duration_seconds(*v);
      if (!s) return usage_error(io, cmd, "--every: '" + *v + "' is not a duration like 2m, 3h, 1d or 1h30m");
      if (*s < kMinEverySeconds || *s > kMaxEverySeconds)
        return usage_error(io, cmd, "--every: " + *v + " is outside 2m to 30d");
      params["interval_seconds"] = *s;
    } else {  // --active
      const auto dash = v->find('-');
      const auto start = dash == std::string::npos ? std::nullopt : clock_minute(std::string_view(*v).substr(0, dash));
      const auto end = dash == std::string::npos ? std::nullopt : clock_minute(std::string_view(*v).substr(dash + 1));
      if (!start || !end) return usage_error(io, cmd, "--active: '" + *v + "' is not HH:MM-HH:MM (e.g. 08:00-22:30)");
      if (*start == *end) return usage_error(io, cmd, "--active: start and end are the same time; leave it out for all day");
      params["active_hours"] = {{"start_minute", *start}, {"end_minute", *end}};
    }
  }
  if (c.help) {
    io.out << kAddUsage;
    return kExitOk;
  }
  if (!url) return usage_error(io, cmd, "the URL to watch is missing");
  params["url"] = *url;
  if (target && !currency) return usage_error(io, cmd, "--target needs --currency");
  if (currency && !target) return usage_error(io, cmd, "--currency is only used with --target");
  if (target) {
    auto m = Money::parse(*target, *currency);
    if (!m) return usage_error(io, cmd, "--target: '" + *target + "': " + m.error().message);
    if (m->minor < 0) return usage_error(io, cmd, "--target: must not be negative");
    params["target_price"] = m->amount_string();
    params["currency"] = *currency;
  }
  return run_agent_call(io, cmd, protocol::method::watch_add, params, kCallTimeoutMs, c.json, [&](const Json& w) {
    io.out << "added watch " << id_text(field(w, "id")) << ": " << page_text(w) << "\n"
           << "  every " << every_text(w) << "; alerts on " << alerts_on(w) << "\n";
  });
}

int list_command(const std::vector<std::string>& args, Io io) {
  constexpr std::string_view cmd = "watch list";
  Common c;
  ArgScanner a(args);
  while (a.next()) {
    if (!a.is_option()) return usage_error(io, cmd, "unexpected argument '" + a.name() + "'");
    if (a.has_inline_value() || !common_flag(a, c)) return usage_error(io, cmd, "unknown option '" + a.name() + "'");
  }
  if (c.help) {
    io.out << kListUsage;
    return kExitOk;
  }
  return run_agent_call(io, cmd, protocol::method::watch_list, Json::object(), kCallTimeoutMs, c.json,
                        [&](const Json& r) {
                          const Json list = field(r, "watches");
                          if (!list.is_array() || list.empty())
                            io.out << "no watches (start one with: dealstack watch add URL)\n";
                          else
                            print_watches(io.out, list);
                        });
}

// Parses `ID [--json]` for remove and check; returns the exit code when it should stop.
std::optional<int> id_args(const std::vector<std::string>& args, Io io, std::string_view cmd,
                           std::string_view usage, std::int64_t& id, Common& c) {
  std::optional<std::int64_t> got;
  ArgScanner a(args);
  while (a.next()) {
    if (a.is_option()) {
      if (a.has_inline_value() || !common_flag(a, c)) return usage_error(io, cmd, "unknown option '" + a.name() + "'");
      continue;
    }
    if (got) return usage_error(io, cmd, "one ID only; unexpected argument '" + a.name() + "'");
    got = parse_id(a.name());
    if (!got) return usage_error(io, cmd, "'" + a.name() + "' is not a watch ID (a positive whole number)");
  }
  if (c.help) {
    io.out << usage;
    return kExitOk;
  }
  if (!got) return usage_error(io, cmd, "the watch ID is missing");
  id = *got;
  return std::nullopt;
}

int remove_command(const std::vector<std::string>& args, Io io) {
  constexpr std::string_view cmd = "watch remove";
  Common c;
  std::int64_t id = 0;
  if (auto stop = id_args(args, io, cmd, kRemoveUsage, id, c)) return *stop;
  return run_agent_call(io, cmd, protocol::method::watch_remove, {{"id", id}}, kCallTimeoutMs, c.json,
                        [&](const Json& r) { io.out << "removed watch " << id_text(field(r, "removed")) << "\n"; });
}

int check_command(const std::vector<std::string>& args, Io io) {
  constexpr std::string_view cmd = "watch check";
  Common c;
  std::int64_t id = 0;
  if (auto stop = id_args(args, io, cmd, kCheckUsage, id, c)) return *stop;
  return run_agent_call(io, cmd, protocol::method::watch_check, {{"id", id}}, kCheckTimeoutMs, c.json, [&](const Json& r) {
    const Json w = field(r, "watch");
    const Json o = field(r, "observation");
    const bool changed = flag_field(r, "changed", false);
    io.out << "checked watch " << id << " at " << format_time(field(o, "at"), "?") << ": "
           << page_text(w) << "\n";
    std::vector<std::vector<std::string>> rows;
    if (!o.is_object())
      rows.push_back({"  price", "nothing recorded"});
    else if (!flag_field(o, "can_tell", true))
      rows.push_back({"  price", "can't tell from the page"});
    else
      rows.push_back({"  price", format_price(field(o, "price"), field(o, "currency"))});
    rows.push_back({"  availability", terminal_text(field(o, "availability"), "unknown")});
    rows.push_back({"  since last check", changed ? "changed" : "unchanged"});
    print_table(io.out, rows);
    if (const Json al = field(r, "alert"); al.is_object())
      io.out << "alert " << id_text(field(al, "id")) << " (" << terminal_text(field(al, "kind"), "?")
             << "): " << terminal_text(field(al, "message")) << "\n";
  });
}

}  // namespace

int watch_command(const std::vector<std::string>& args, Io io) {
  if (args.empty()) {
    io.err << kWatchUsage;
    return kExitUsage;
  }
  const std::string& sub = args[0];
  if (sub == "--help" || sub == "-h" || sub == "help") {
    io.out << kWatchUsage;
    return kExitOk;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (sub == "add") return add_command(rest, io);
  if (sub == "list") return list_command(rest, io);
  if (sub == "remove") return remove_command(rest, io);
  if (sub == "check") return check_command(rest, io);
  return usage_error(io, "watch", "unknown subcommand '" + sub + "' (add, list, remove or check)");
}

}  // namespace dealstack::cli
