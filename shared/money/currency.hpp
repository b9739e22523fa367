// ISO 4217 currencies and their minor-unit exponents (JPY 0, USD 2, KWD 3, CLF 4).
#pragma once

#include <span>
#include <string_view>

namespace dealstack {

struct Currency {
  std::string_view code;  // ISO 4217 alphabetic code, upper case ("EUR")
  int exponent;           // digits of the minor unit: 10^exponent minor units make one unit
};

// The currency with that code (case-sensitive, upper case), or nullptr when it isn't an
// ISO 4217 code we know. Includes active codes and a few withdrawn ones still seen on
// archived pages (HRK, DEM, FRF, ...), so old prices keep their meaning.
const Currency* find_currency(std::string_view code);

// Every currency we know, sorted by code.
std::span<const Currency> all_currencies();

}  // namespace dealstack
