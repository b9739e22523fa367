// `dealstack history ID`: a watch's prices per UTC day (lowest, highest and last price in
// effect), from the agent's `history` method, the same chart the extension's popup draws.
#include <algorithm>
#include <chrono>
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
constexpr std::int64_t kDayMs = 86'400'000;
// The agent charts at most about 109 years; more days than that can't be asked for.
constexpr std::int64_t kMaxDays = 40'000;

constexpr std::string_view kHistoryUsage =
    "usage: dealstack history ID [--days N | --from DATE [--to DATE]] [--json]\n"
    "\n"
    "The watch's prices (ID from dealstack watch list) per UTC day: the lowest, highest and\n"
    "last price in effect that day ('-' where there was none: out of stock, no price shown).\n"
    "Default: the last 90 days.\n"
    "\n"
    "options:\n"
    "  --days N      the last N days, today (UTC) included; 1 to 40000\n"
    "  --from DATE   from this UTC day (YYYY-MM-DD) on; default: 90 days before --to\n"
    "  --to DATE     up to the end of this UTC day (YYYY-MM-DD); default: now\n"
    "  --json        {\"watch_id\", \"currency\", \"days\": [{\"day\", \"min\", \"max\", \"last\"}],\n"
    "                \"last_check_at\"} as the agent answers (day: unix ms of UTC midnight)\n"
    "  --help        this text\n"
    "exit codes: 0 ok, 1 no such watch (or the agent refused), 2 usage error\n";

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, std::int64_t m, std::int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// "YYYY-MM-DD" (1970 or later, a real calendar day) -> unix ms of its UTC midnight.
std::optional<std::int64_t> utc_midnight_ms(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto number = [&s](std::size_t from, std::size_t len) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = from; i < from + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const auto y = number(0, 4), m = number(5, 2), d = number(8, 2);
  if (!y || !m || !d || *y < 1970 || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
  if (*d > kDays[*m - 1] + (*m == 2 && leap ? 1 : 0)) return std::nullopt;
  return days_from_civil(*y, *m, *d) * kDayMs;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void print_history(std::ostream& out, std::int64_t id, const Json& r) {
  const Json& currency = field(r, "currency");
  const Json& days = field(r, "days");
  out << "watch " << id;
  if (currency.is_string()) out << ", prices in " << terminal_text(currency);
  out << ", last checked " << format_time(field(r, "last_check_at")) << "\n";
  if (!days.is_array() || days.empty()) {
    out << "no prices recorded in this range\n";
    return;
  }
  std::vector<std::vector<std::string>> rows{{"DAY (UTC)", "MIN", "MAX", "LAST"}};
  for (const auto& d : days) {
    const Json& day = field(d, "day");
    rows.push_back({day.is_number_integer() ? format_utc_day(day.get<std::int64_t>()) : "?",
                    format_price(field(d, "min"), currency), format_price(field(d, "max"), currency),
                    format_price(field(d, "last"), currency)});
  }
  print_table(out, rows);
}

}  // namespace

int history_command(const std::vector<std::string>& args, Io io) {
  constexpr std::string_view cmd = "history";
  bool as_json = false, help = false;
  std::optional<std::int64_t> id, days, from_ms, to_ms;
  ArgScanner a(args);
  while (a.next()) {
    if (!a.is_option()) {
      if (id) return usage_error(io, cmd, "one ID only; unexpected argument '" + a.name() + "'");
      id = parse_id(a.name());
      if (!id) return usage_error(io, cmd, "'" + a.name() + "' is not a watch ID (a positive whole number)");
      continue;
    }
    const std::string flag = a.name();
    if (flag == "--json" || flag == "--help" || flag == "-h") {
      if (a.has_inline_value()) return usage_error(io, cmd, flag + " takes no value");
      (flag == "--json" ? as_json : help) = true;
      continue;
    }
    if (flag != "--days" && flag != "--from" && flag != "--to")
      return usage_error(io, cmd, "unknown option '" + flag + "'");
    auto v = a.value();
    if (!v) return usage_error(io, cmd, flag + " needs a value");
    if (flag == "--days") {
      days = parse_id(*v);
      if (!days || *days > kMaxDays) return usage_error(io, cmd, "--days: '" + *v + "' is not a number of days from 1 to 40000");
    } else {
      auto ms = utc_midnight_ms(*v);
      if (!ms) return usage_error(io, cmd, flag + ": '" + *v + "' is not a date YYYY-MM-DD (1970 or later)");
      // --to names a whole day: up to its last millisecond.
      (flag == "--from" ? from_ms : to_ms) = flag == "--from" ? *ms : *ms + kDayMs - 1;
    }
  }
  if (help) {
    io.out << kHistoryUsage;
    return 0;
  }
  if (!id) return usage_error(io, cmd, "the watch ID is missing");
  if (days && (from_ms || to_ms)) return usage_error(io, cmd, "--days can't be combined with --from or --to");
  if (from_ms && to_ms && *from_ms > *to_ms) return usage_error(io, cmd, "--from is after --to");
  Json params = {{"watch_id", *id}};
  if (days) {
    const std::int64_t now = now_ms();
    params["from_ms"] = std::max<std::int64_t>(0, (now / kDayMs - (*days - 1)) * kDayMs);
    params["to_ms"] = now;
  }
  if (from_ms) params["from_ms"] = *from_ms;
  if (to_ms) params["to_ms"] = *to_ms;
  const std::int64_t watch_id = *id;
  return run_agent_call(io, cmd, protocol::method::history, params, kCallTimeoutMs, as_json,
                        [&](const Json& r) { print_history(io.out, watch_id, r); });
}

}  // namespace dealstack::cli
