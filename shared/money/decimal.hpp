// An exact decimal number: value = units / 10^scale. Used for amounts as written on a page
// before a currency is known (a Money needs one). No floating point anywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dealstack {

struct Decimal {
  // At most 18 significant digits, so every value fits in int64 with room to spare.
  static constexpr int kMaxDigits = 18;
  static constexpr int kMaxScale = 18;

  std::int64_t units = 0;  // the digits, as an integer (may be negative)
  int scale = 0;           // digits after the decimal point, 0..kMaxScale

  // Parses a plain decimal: optional '-', digits, optional '.' and digits ("1299.99",
  // "49", "-0.5", ".5"). No grouping, no exponent, no spaces. nullopt when malformed or
  // when it has more than kMaxDigits significant digits.
  static std::optional<Decimal> parse(std::string_view text);

  // Builds from separate digit strings (only '0'-'9'), e.g. from a price string's integer
  // and fraction parts. Leading zeros of the integer part don't count toward kMaxDigits.
  static std::optional<Decimal> from_parts(std::string_view int_digits, std::string_view frac_digits,
                                           bool negative = false);

  // "1299.99", "49", "0.05", "-3.10": '.' as separator, no grouping, scale digits kept.
  std::string to_string() const;

  // Same value with trailing fractional zeros removed ("49.00" -> "49").
  Decimal normalized() const;

  // Value rescaled to `new_scale` digits if that is exact (no digits lost, no overflow).
  std::optional<Decimal> rescaled(int new_scale) const;

  // Numeric comparison (49 == 49.00).
  friend bool operator==(const Decimal& a, const Decimal& b);
  friend bool operator<(const Decimal& a, const Decimal& b);
};

}  // namespace dealstack
