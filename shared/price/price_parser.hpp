// Reads a price out of real-world price text ("US$ 1,299.99", "1.899,-", "ab 12,50 €").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "money/decimal.hpp"

namespace dealstack {

struct PriceOptions {
  // Text near the price that may name its currency (often a noisy nearby element, or a
  // copy of the price text itself). Empty: none.
  std::string_view currency_hint;
  // Forces the decimal separator ('.' or ','); 0: infer it.
  char decimal_separator = 0;
  // The page's language/locale as BCP 47 ("en-US", "de", "pt-BR"); empty: unknown. Used to
  // resolve ambiguous symbols ("$", "kr", "¥") and ambiguous grouping ("1.234").
  std::string_view locale;
};

struct ParsedPrice {
  std::optional<Decimal> amount;  // exact amount; nullopt when the text holds no price
  std::string amount_text;        // the substring the amount was read from ("1,299.99")
  std::string currency_text;      // the currency as shown ("US$", "€", "руб."); empty: none
  std::string currency;           // ISO 4217 code where one can be inferred; empty otherwise
};

// Never fails: a text with no price gives an empty amount. Bounded work: only the first
// kMaxPriceTextBytes of `text` (and of the hint) are looked at.
ParsedPrice parse_price(std::string_view text, const PriceOptions& options = {});

inline constexpr std::size_t kMaxPriceTextBytes = 4096;

}  // namespace dealstack
