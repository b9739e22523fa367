#include "money/decimal.hpp"

#include <cstdlib>
#include <limits>

namespace dealstack {
namespace {

constexpr std::int64_t kPow10[19] = {1,
                                     10,
                                     100,
                                     1000,
                                     10000,
                                     100000,
                                     1000000,
                                     10000000,
                                     100000000,
                                     1000000000,
                                     10000000000,
                                     100000000000,
                                     1000000000000,
                                     10000000000000,
                                     100000000000000,
                                     1000000000000000,
                                     10000000000000000,
                                     100000000000000000,
                                     1000000000000000000};

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Exact comparison of a*10^(-sa) with b*10^(-sb) without overflow: compare via 128-bit.
int compare(const Decimal& a, const Decimal& b) {
  __int128 x = a.units, y = b.units;
  if (a.scale < b.scale)
    x *= kPow10[b.scale - a.scale];
  else if (b.scale < a.scale)
    y *= kPow10[a.scale - b.scale];
  return x < y ? -1 : (x > y ? 1 : 0);
}

}  // namespace

std::optional<Decimal> Decimal::from_parts(std::string_view int_digits, std::string_view frac_digits,
                                           bool negative) {
  if (!all_digits(int_digits) || !all_digits(frac_digits)) return std::nullopt;
  if (int_digits.empty() && frac_digits.empty()) return std::nullopt;
  while (int_digits.size() > 1 && int_digits.front() == '0') int_digits.remove_prefix(1);
  if (int_digits == "0") int_digits = {};
  if (frac_digits.size() > static_cast<std::size_t>(kMaxScale)) return std::nullopt;
  if (int_digits.size() + frac_digits.size() > static_cast<std::size_t>(kMaxDigits)) return std::nullopt;
  std::int64_t units = 0;
  for (char c : int_digits) units = units * 10 + (c - '0');
  for (char c : frac_digits) units = units * 10 + (c - '0');
  Decimal d;
  d.units = negative ? -units : units;
  d.scale = static_cast<int>(frac_digits.size());
  return d;
}

std::optional<Decimal> Decimal::parse(std::string_view text) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  auto dot = text.find('.');
  std::string_view int_part = text.substr(0, dot);
  std::string_view frac_part = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (dot != std::string_view::npos && frac_part.empty()) return std::nullopt;  // "12."
  return from_parts(int_part, frac_part, negative);
}

std::string Decimal::to_string() const {
  std::uint64_t mag = units < 0 ? static_cast<std::uint64_t>(-(units + 1)) + 1 : static_cast<std::uint64_t>(units);
  std::string digits = std::to_string(mag);
  if (scale > 0) {
    if (digits.size() <= static_cast<std::size_t>(scale))
      digits.insert(0, static_cast<std::size_t>(scale) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<std::size_t>(scale), 1, '.');
  }
  if (units < 0) digits.insert(0, 1, '-');
  return digits;
}

Decimal Decimal::normalized() const {
  Decimal d = *this;
  while (d.scale > 0 && d.units % 10 == 0) {
    d.units /= 10;
    --d.scale;
  }
  if (d.units == 0) d.scale = 0;
  return d;
}

std::optional<Decimal> Decimal::rescaled(int new_scale) const {
  if (new_scale < 0 || new_scale > kMaxScale) return std::nullopt;
  Decimal d = *this;
  while (d.scale > new_scale) {
    if (d.units % 10 != 0) return std::nullopt;
    d.units /= 10;
    --d.scale;
  }
  while (d.scale < new_scale) {
    if (d.units > std::numeric_limits<std::int64_t>::max() / 10 ||
        d.units < std::numeric_limits<std::int64_t>::min() / 10)
      return std::nullopt;
    d.units *= 10;
    ++d.scale;
  }
  return d;
}

bool operator==(const Decimal& a, const Decimal& b) { return compare(a, b) == 0; }
bool operator<(const Decimal& a, const Decimal& b) { return compare(a, b) < 0; }

}  // namespace dealstack
