#include "extract/gtin.hpp"

namespace dealstack {

bool gtin_check_digit_ok(std::string_view d) {
  if (d.size() != 8 && d.size() != 12 && d.size() != 13 && d.size() != 14) return false;
  int sum = 0;
  // GS1: from the right, excluding the check digit, weights 3,1,3,1...
  for (std::size_t i = 0; i + 1 < d.size(); ++i) {
    const char c = d[d.size() - 2 - i];
    if (c < '0' || c > '9') return false;
    sum += (c - '0') * (i % 2 == 0 ? 3 : 1);
  }
  const char check = d.back();
  if (check < '0' || check > '9') return false;
  return (10 - sum % 10) % 10 == check - '0';
}

std::string normalize_gtin(std::string_view text) {
  // An optional label before the digits ("EAN: ", "gtin13:", "UPC #"), then digits with
  // optional spaces or dashes between them, and nothing else.
  std::size_t i = 0;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  while (i < text.size() && !is_digit(text[i])) {
    const char c = text[i];
    if (!is_alpha(c) && c != ':' && c != ' ' && c != '-' && c != '#' && c != '.') return {};
    if (++i > 24) return {};
  }
  std::string digits;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (is_digit(c)) {
      digits.push_back(c);
      if (digits.size() > 14) return {};
    } else if (c != ' ' && c != '-') {
      return {};
    }
  }
  // Kept in the form found (8, 12, 13 or 14 digits): the same item may be written
  // padded or not, and shops match on what they publish.
  if (!gtin_check_digit_ok(digits)) return {};
  return digits;
}

}  // namespace dealstack
