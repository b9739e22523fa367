// The currency symbols, codes and words that shops write next to prices, and what each
// can mean. Internal to the price parser (price_parser.cpp); exposed only so tests can
// check the table directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dealstack::price_detail {

// How much a match on its own says "this is a currency".
enum class SymbolTier : std::uint8_t {
  // Distinctive: "€", "$", "zł", "руб.", "EUR". Trusted anywhere in the text or the hint.
  kStrong = 1,
  // Abbreviations and ISO codes that are also letters in ordinary text ("kr", "TL", "RM",
  // "SEK"): trusted when they stand as a whole word.
  kWeak = 2,
  // Too common as a letter or an English word ("R", "Р", "ALL", "TOP", "PHP"): trusted only
  // right next to the number (or as the whole hint).
  kAdjacentOnly = 3,
};

// Where an kAdjacentOnly symbol may stand relative to the number.
enum class SymbolSide : std::uint8_t { kEither, kBefore, kAfter };

struct CurrencySymbol {
  std::string_view text;   // as written, UTF-8 ("US$", "руб.")
  std::string_view codes;  // ISO 4217 codes it can mean, space-separated; empty: none known
  bool has_default;        // the first code is the reading when nothing else tells ("£": GBP)
  SymbolTier tier;
  SymbolSide side = SymbolSide::kEither;

  // Number of codes in `codes`.
  std::size_t code_count() const;
  // The i-th code (0-based); empty past the end.
  std::string_view code(std::size_t i) const;
  bool has_code(std::string_view iso) const;
  // The single code when there is exactly one, or the default; empty otherwise.
  std::string_view unambiguous_code() const;
};

// The longest symbol that starts at byte `pos` of `s` and stands on its own there: a
// symbol that begins (ends) with a letter must not have a letter just before (after) it,
// so "kr" does not match inside "krone". nullptr when none does. Reads at most the
// longest symbol's length past `pos`.
const CurrencySymbol* match_symbol_at(std::string_view s, std::size_t pos);

// True for code points that make up words (Latin, Greek, Cyrillic, Armenian, Hebrew,
// Arabic, Thai, CJK, kana, Hangul letters). Used for the whole-word checks above.
bool is_word_letter(char32_t cp);

// The usual currency of a country ("US" -> "USD", "DE" -> "EUR"); empty when unknown.
// `region` is an ISO 3166 alpha-2 code, upper case.
std::string_view currency_of_region(std::string_view region);

// The currency most pages in that language mean when the symbol is ambiguous ("sv" ->
// "SEK", "ja" -> "JPY"); empty when the language is spoken in many currency areas ("en").
std::string_view currency_of_language(std::string_view language);

}  // namespace dealstack::price_detail
