// Money: an integer count of minor units and an ISO 4217 code. Never floating point.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "money/decimal.hpp"

namespace dealstack {

struct Money {
  std::int64_t minor = 0;  // minor units: cents for USD, yen for JPY, fils (1/1000) for KWD
  std::string currency;    // ISO 4217 code, e.g. "USD"

  // Exact conversion from a decimal amount. Errors: "unknown_currency" for a code we don't
  // know, "precision_loss" when the amount has more fractional digits than the currency's
  // exponent allows and they aren't zeros ("12.345" USD), "amount_out_of_range" on overflow.
  static Result<Money> from_decimal(const Decimal& amount, std::string_view currency);

  // Parses a plain decimal string ("1299.99") in a currency; errors as from_decimal, plus
  // "invalid_amount" when the text isn't a plain decimal.
  static Result<Money> parse(std::string_view amount, std::string_view currency);

  // The amount as a plain decimal with exactly the currency's exponent digits:
  // 1299.99 USD -> "1299.99", 500 JPY -> "500", 1.5 KWD -> "1.500".
  Decimal to_decimal() const;
  std::string amount_string() const { return to_decimal().to_string(); }

  // "1299.99 USD"
  std::string to_string() const { return amount_string() + " " + currency; }

  friend bool operator==(const Money&, const Money&) = default;
};

// Arithmetic on amounts of the same currency. Error "currency_mismatch" otherwise, and
// "amount_out_of_range" on int64 overflow.
Result<Money> add(const Money& a, const Money& b);
Result<Money> subtract(const Money& a, const Money& b);
Result<Money> multiply(const Money& a, std::int64_t factor);

}  // namespace dealstack
