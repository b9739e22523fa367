#include "cli/agent_cli.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <ostream>
#include <utility>

#include "cli/agent_client.hpp"
#include "platform/paths.hpp"

namespace dealstack::cli {

bool ArgScanner::next() {
  if (i_ >= args_.size()) return false;
  name_ = args_[i_++];
  inline_ = false;
  option_ = false;
  if (!options_done_ && name_ == "--") {
    options_done_ = true;
    return next();
  }
  if (!options_done_ && name_.size() > 1 && name_[0] == '-') {
    option_ = true;
    if (const auto eq = name_.find('='); name_.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value_ = name_.substr(eq + 1);
      name_.resize(eq);
      inline_ = true;
    }
  }
  return true;
}

std::optional<std::string> ArgScanner::value() {
  if (inline_) return inline_value_;
  if (i_ >= args_.size()) return std::nullopt;
  return args_[i_++];
}

const protocol::Json& field(const protocol::Json& j, std::string_view key) {
  static const protocol::Json null_value;
  if (!j.is_object()) return null_value;
  const auto it = j.find(key);
  return it == j.end() ? null_value : *it;
}

bool flag_field(const protocol::Json& j, std::string_view key, bool fallback) {
  const auto& v = field(j, key);
  return v.is_boolean() ? v.get<bool>() : fallback;
}

int usage_error(Io io, std::string_view command, const std::string& message) {
  io.err << "dealstack " << command << ": " << message << " (see dealstack " << command << " --help)\n";
  return kExitUsage;
}

std::optional<std::int64_t> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;  // 18 digits always fit int64
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v < 1) return std::nullopt;
  return v;
}

int run_agent_call(Io io, std::string_view command, std::string_view method, const protocol::Json& params,
                   int timeout_ms, bool as_json, const std::function<void(const protocol::Json&)>& print) {
  auto paths = platform::user_paths();
  if (!paths) {
    io.err << "dealstack " << command << ": " << paths.error().message << " (" << paths.error().code << ")\n";
    return kExitRefused;
  }
  auto result = call_agent(*paths, method, params, timeout_ms);
  if (!result) {
    // Text that can't be sent came from the arguments: a usage error.
    if (result.error().code == "invalid_utf8") return usage_error(io, command, result.error().message);
    protocol::Json message = result.error().message;
    io.err << "dealstack " << command << ": " << terminal_text(message) << " (" << result.error().code << ")\n";
    return kExitRefused;
  }
  if (as_json)
    io.out << result->dump(-1, ' ', false, protocol::Json::error_handler_t::replace) << "\n";
  else
    print(*result);
  return kExitOk;
}

std::string terminal_text(const protocol::Json& value, std::string_view none) {
  if (value.is_null()) return std::string(none);
  const std::string s = value.is_string() ? value.get<std::string>()
                                          : value.dump(-1, ' ', false, protocol::Json::error_handler_t::replace);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      out += '?';
    } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      out += '?';  // a C1 control (U+0080..U+009F), e.g. the one-byte CSI
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string format_price(const protocol::Json& price, const protocol::Json& currency) {
  if (!price.is_string()) return "-";
  std::string s = terminal_text(price);
  if (currency.is_string()) s += " " + terminal_text(currency);
  return s;
}

std::string format_time(const protocol::Json& ms, std::string_view none) {
  if (!ms.is_number_integer()) return std::string(none);
  const std::time_t t = static_cast<std::time_t>(ms.get<std::int64_t>() / 1000);
  std::tm tm{};
  if (!::localtime_r(&t, &tm)) return std::string(none);
  char buf[32];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm) == 0) return std::string(none);
  return buf;
}

std::string format_utc_day(std::int64_t ms) {
  // Floor division, so days before 1970 still land on their own midnight.
  std::int64_t days = ms / 86'400'000;
  if (ms % 86'400'000 < 0) --days;
  // civil_from_days (H. Hinnant, "chrono-compatible low-level date algorithms").
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y), static_cast<long long>(m),
                static_cast<long long>(d));
  return buf;
}

std::string format_duration(std::int64_t seconds) {
  if (seconds <= 0) return std::to_string(seconds) + "s";
  std::string out;
  for (auto [unit, size] : {std::pair{'d', 86400LL}, {'h', 3600LL}, {'m', 60LL}, {'s', 1LL}}) {
    if (seconds >= size) {
      out += std::to_string(seconds / size) + unit;
      seconds %= size;
    }
  }
  return out;
}

namespace {
// Characters, not bytes: UTF-8 continuation bytes don't count.
std::size_t display_width(const std::string& s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
  return n;
}
}  // namespace

void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (widths.size() <= c) widths.resize(c + 1, 0);
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - display_width(row[c]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

}  // namespace dealstack::cli
