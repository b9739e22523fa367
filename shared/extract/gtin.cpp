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

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// A label before the digits: at most 24 characters of letters, digits and ":- #.", starting
// with a letter when it has any digit ("EAN-13:", "gtin13", "UPC #"; not "12 ").
bool is_label(std::string_view label) {
  if (label.size() > 24) return false;
  bool letter_seen = false;
  for (char c : label) {
    if (is_alpha(c)) letter_seen = true;
    else if (is_digit(c) && !letter_seen) return false;
    else if (!is_digit(c) && c != ':' && c != ' ' && c != '-' && c != '#' && c != '.') return false;
  }
  return true;
}

// The digits of `body` (digits with optional spaces or dashes between them, nothing else)
// when they form a GTIN with a valid check digit.
std::string gtin_digits(std::string_view body) {
  std::string digits;
  for (char c : body) {
    if (is_digit(c)) {
      digits.push_back(c);
      if (digits.size() > 14) return {};
    } else if (c != ' ' && c != '-') {
      return {};
    }
  }
  // Kept in the form found (8, 12, 13 or 14 digits): the same item may be written
  // padded or not, and shops match on what they publish.
  return gtin_check_digit_ok(digits) ? digits : std::string{};
}

}  // namespace

std::string normalize_gtin(std::string_view text) {
  // An optional label before the digits ("EAN: ", "gtin13:", "EAN-13 ", "UPC #"), then
  // digits with optional spaces or dashes between them, and nothing else. A label may hold
  // digits itself, so each start of a digit run is tried as the start of the GTIN.
  for (std::size_t i = 0; i < text.size() && i <= 24; ++i) {
    if (!is_digit(text[i]) || (i > 0 && is_digit(text[i - 1]))) continue;
    if (!is_label(text.substr(0, i))) return {};
    std::string digits = gtin_digits(text.substr(i));
    if (!digits.empty()) return digits;
  }
  return {};
}

}  // namespace dealstack
