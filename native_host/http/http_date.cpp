#include "http/http_date.hpp"

#include <array>
#include <cstdio>

namespace dealstack::http {
namespace {

constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<const char*, 7> kDays = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kLen[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kLen[m - 1];
}

// A small cursor over the text; each take_* fails (returns false) without throwing.
struct Cursor {
  std::string_view s;
  bool lit(std::string_view x) {
    if (s.substr(0, x.size()) != x) return false;
    s.remove_prefix(x.size());
    return true;
  }
  bool digits(std::size_t min, std::size_t max, int& out) {
    std::size_t n = 0;
    int v = 0;
    while (n < s.size() && n < max && s[n] >= '0' && s[n] <= '9') v = v * 10 + (s[n++] - '0');
    if (n < min) return false;
    s.remove_prefix(n);
    out = v;
    return true;
  }
  bool month(unsigned& m) {
    for (unsigned i = 0; i < 12; ++i) {
      if (lit(kMonths[i])) {
        m = i + 1;
        return true;
      }
    }
    return false;
  }
  bool day_name() {  // "Sun" or "Sunday": the weekday is not checked against the date
    std::size_t n = 0;
    while (n < s.size() && ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z'))) ++n;
    if (n < 3 || n > 9) return false;
    s.remove_prefix(n);
    return true;
  }
  bool time(int& h, int& mi, int& sec) {
    return digits(2, 2, h) && lit(":") && digits(2, 2, mi) && lit(":") && digits(2, 2, sec);
  }
};

std::optional<std::int64_t> assemble(std::int64_t y, unsigned m, int d, int h, int mi, int s) {
  if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 ||
      static_cast<unsigned>(d) > days_in_month(y, m) || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  return days_from_civil(y, m, static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 +
         (s == 60 ? 59 : s);
}

}  // namespace

std::optional<std::int64_t> parse_http_date(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.size() > 64) return std::nullopt;
  int d = 0, y = 0, h = 0, mi = 0, s = 0;
  unsigned m = 0;
  {  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    Cursor c{text};
    if (c.day_name() && c.lit(", ") && c.digits(2, 2, d) && c.lit(" ") && c.month(m) &&
        c.lit(" ") && c.digits(4, 4, y) && c.lit(" ") && c.time(h, mi, s) && c.lit(" GMT") &&
        c.s.empty()) {
      return assemble(y, m, d, h, mi, s);
    }
  }
  {  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years: 70..99 -> 19xx)
    Cursor c{text};
    if (c.day_name() && c.lit(", ") && c.digits(2, 2, d) && c.lit("-") && c.month(m) &&
        c.lit("-") && c.digits(2, 2, y) && c.lit(" ") && c.time(h, mi, s) && c.lit(" GMT") &&
        c.s.empty()) {
      return assemble(y < 70 ? 2000 + y : 1900 + y, m, d, h, mi, s);
    }
  }
  {  // asctime: Sun Nov  6 08:49:37 1994
    Cursor c{text};
    if (c.day_name() && c.lit(" ") && c.month(m) && c.lit(" ") && (c.lit(" ") || true) &&
        c.digits(1, 2, d) && c.lit(" ") && c.time(h, mi, s) && c.lit(" ") &&
        c.digits(4, 4, y) && c.s.empty()) {
      return assemble(y, m, d, h, mi, s);
    }
  }
  return std::nullopt;
}

std::string format_http_date(std::int64_t unix_seconds) {
  std::int64_t days = unix_seconds >= 0 ? unix_seconds / 86400 : (unix_seconds - 86399) / 86400;
  std::int64_t secs = unix_seconds - days * 86400;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04lld %02lld:%02lld:%02lld GMT",
                kDays[static_cast<std::size_t>(((days % 7) + 7) % 7)], d, kMonths[m - 1],
                static_cast<long long>(y), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

std::optional<std::int64_t> parse_retry_after(std::string_view value, std::int64_t now_unix) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t v = 0;
    for (char c : value) {
      v = v * 10 + (c - '0');
      if (v > kMaxRetryAfterSeconds) return kMaxRetryAfterSeconds;
    }
    return v;
  }
  auto when = parse_http_date(value);
  if (!when) return std::nullopt;
  std::int64_t left = *when - now_unix;
  if (left < 0) return 0;
  return left > kMaxRetryAfterSeconds ? kMaxRetryAfterSeconds : left;
}

}  // namespace dealstack::http
