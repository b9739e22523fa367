// GTIN (EAN/UPC/ISBN-13) validation and normalization.
#pragma once

#include <string>
#include <string_view>

namespace dealstack {

// Digits of a valid GTIN-8, -12, -13 or -14 in `text`, kept in the length found. A label
// before the digits ("EAN: ") and spaces or dashes between them are allowed. Empty when the
// text isn't a GTIN or its check digit is wrong.
std::string normalize_gtin(std::string_view text);

// True when `digits` (8, 12, 13 or 14 digits) has a correct GS1 check digit.
bool gtin_check_digit_ok(std::string_view digits);

}  // namespace dealstack
