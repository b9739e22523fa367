// How a price is read, in four steps:
//  1. decode the text into code points (keeping byte offsets, so every output is a real
//     substring) and find every number-looking run ("1 299,00", "1'049.–", ".75") and
//     every currency symbol, code or word;
//  2. pick the number: the first one standing next to a currency symbol (stepping back to
//     the low end of a range "12 – 20 €"), else the first one that isn't glued to a word,
//     else the first; numbers followed by "%" are never prices;
//  3. pick the currency: a symbol next to that number, else the first symbol in the text,
//     else one in the hint; then its ISO code from the hint, the locale or its usual use;
//  4. read the number's separators (which one is the decimal point), using the currency's
//     minor-unit digits for the one case digits alone can't settle ("12.345").
#include "price/price_parser.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "money/currency.hpp"
#include "price/currency_symbols.hpp"
#include "text/utf8.hpp"

namespace dealstack {
namespace {

using price_detail::CurrencySymbol;
using price_detail::SymbolSide;
using price_detail::SymbolTier;

struct Cp {
  char32_t c;
  std::uint32_t begin;  // byte offset in the (truncated) text
  std::uint32_t end;
};

std::vector<Cp> decode(std::string_view s) {
  std::vector<Cp> out;
  out.reserve(s.size());
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t start = pos;
    const char32_t c = utf8::next(s, pos);
    out.push_back({c, static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(pos)});
  }
  return out;
}

// Spaces that can sit inside a number as thousands separators (no line breaks).
bool is_hspace(char32_t c) {
  return c == ' ' || c == '\t' || c == 0xA0 || (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// Western, Arabic-Indic, extended Arabic-Indic (Persian), Devanagari and full-width digits.
int digit_value(char32_t c) {
  if (c >= '0' && c <= '9') return static_cast<int>(c - '0');
  if (c >= 0x660 && c <= 0x669) return static_cast<int>(c - 0x660);
  if (c >= 0x6F0 && c <= 0x6F9) return static_cast<int>(c - 0x6F0);
  if (c >= 0x966 && c <= 0x96F) return static_cast<int>(c - 0x966);
  if (c >= 0xFF10 && c <= 0xFF19) return static_cast<int>(c - 0xFF10);
  return -1;
}
bool is_digit(char32_t c) { return digit_value(c) >= 0; }

bool is_dot(char32_t c) { return c == '.' || c == 0xFF0E; }
bool is_comma(char32_t c) { return c == ',' || c == 0xFF0C; }
bool is_apostrophe(char32_t c) { return c == '\'' || c == 0x2019 || c == 0x02BC || c == 0xB4 || c == 0x2032; }
bool is_dash(char32_t c) { return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212; }

enum class Sep : std::uint8_t {
  kDot,
  kComma,
  kSpace,          // any space: always grouping
  kApostrophe,     // Swiss grouping: always grouping
  kArabicGroup,    // U+066C: always grouping
  kArabicDecimal,  // U+066B: always the decimal point
  kDotSpace,       // "36. 24": a decimal point with a stray space after it
  kSpaceCents,     // "12 99 €": cents set as superscript, flattened to a space
  kEuro,           // "35€ 99": the euro sign written where the decimal point goes
};

bool is_mark(Sep s) { return s == Sep::kDot || s == Sep::kComma; }

struct Token {
  std::size_t begin = 0;  // code point span of the amount text [begin, end)
  std::size_t end = 0;
  std::size_t scan_end = 0;  // where scanning resumes (past a trailing ",-")
  // Digit runs as code point spans; groups[i] and groups[i + 1] are joined by seps[i].
  // With a leading separator (".75") groups[0] is empty.
  std::vector<std::pair<std::size_t, std::size_t>> groups;
  std::vector<Sep> seps;
  bool leading = false;
  bool dash_form = false;  // "12,-", "1'299.–", "199:-": explicitly no fraction
  bool percent = false;    // "20 %": never a price
};

std::size_t count_digits(const std::vector<Cp>& cps, std::size_t i) {
  std::size_t k = 0;
  while (i + k < cps.size() && is_digit(cps[i + k].c)) ++k;
  return k;
}

Sep mark_of(char32_t c) { return is_dot(c) ? Sep::kDot : Sep::kComma; }

// Reads the number starting at `i` (a digit, or a '.'/',' right before one).
Token scan_number(std::string_view text, const std::vector<Cp>& cps, std::size_t i, bool euro_once) {
  const std::size_t n = cps.size();
  Token t;
  t.begin = i;
  if (!is_digit(cps[i].c)) {
    t.leading = true;
    t.groups.push_back({i, i});
    t.seps.push_back(mark_of(cps[i].c));
    ++i;
  }
  auto read_group = [&] {
    const std::size_t k = count_digits(cps, i);
    t.groups.push_back({i, i + k});
    i += k;
  };
  auto only_spacing_so_far = [&] {
    if (t.leading) return false;
    for (Sep s : t.seps)
      if (s != Sep::kSpace && s != Sep::kApostrophe) return false;
    return t.groups.front().second - t.groups.front().first <= 3;
  };
  read_group();
  std::size_t end = i;
  bool ended_by_trailer = false;
  while (i < n) {
    const char32_t c = cps[i].c;
    if (is_dot(c) || is_comma(c)) {
      if (i + 1 < n && is_digit(cps[i + 1].c)) {
        t.seps.push_back(mark_of(c));
        ++i;
        read_group();
        continue;
      }
      // "36. 24": a dot, one space, then one or two digits that end the number.
      if (is_dot(c) && i + 2 < n && is_hspace(cps[i + 1].c) && is_digit(cps[i + 2].c)) {
        const std::size_t k = count_digits(cps, i + 2);
        const std::size_t after = i + 2 + k;
        const bool continues = after + 1 < n && (is_dot(cps[after].c) || is_comma(cps[after].c)) &&
                               is_digit(cps[after + 1].c);
        if (k <= 2 && !continues) {
          t.seps.push_back(Sep::kDotSpace);
          i += 2;
          read_group();
          break;
        }
      }
      // "12,-", "12,--", "105. –": a separator then dashes means "no fraction".
      std::size_t j = i + 1;
      if (j < n && is_hspace(cps[j].c)) ++j;
      if (j < n && is_dash(cps[j].c)) {
        std::size_t k = j;
        while (k < n && k - j < 3 && is_dash(cps[k].c)) ++k;
        if (!(k < n && is_digit(cps[k].c))) {
          t.dash_form = true;
          end = i;
          i = k;
          ended_by_trailer = true;
          break;
        }
      }
      // A trailing separator ("€ 610,", "costs 12."): not part of the number.
      end = i;
      i = i + 1;
      ended_by_trailer = true;
      break;
    }
    if (c == ':' && i + 1 < n && is_dash(cps[i + 1].c)) {  // Swedish "199:-"
      t.dash_form = true;
      end = i;
      i += 2;
      ended_by_trailer = true;
      break;
    }
    if ((is_hspace(c) || is_apostrophe(c)) && i + 1 < n && is_digit(cps[i + 1].c)) {
      // Thousands grouping by space or apostrophe: only exact groups of three, and only
      // while nothing but such grouping has been seen ("1 234 567,89", "1'049.95").
      if (only_spacing_so_far() && count_digits(cps, i + 1) == 3) {
        t.seps.push_back(is_hspace(c) ? Sep::kSpace : Sep::kApostrophe);
        ++i;
        read_group();
        continue;
      }
      // "12 99 €": a lone number, a space and two digits that end the text or meet a
      // currency symbol are a price whose cents were set apart (superscript).
      if (is_hspace(c) && t.seps.empty() && !t.leading && count_digits(cps, i + 1) == 2) {
        std::size_t j = i + 3;
        while (j < n && is_hspace(cps[j].c)) ++j;
        if (j == n || price_detail::match_symbol_at(text, cps[j].begin)) {
          t.seps.push_back(Sep::kSpaceCents);
          ++i;
          read_group();
        }
      }
      break;
    }
    if ((c == 0x66B || c == 0x66C) && i + 1 < n && is_digit(cps[i + 1].c)) {
      t.seps.push_back(c == 0x66B ? Sep::kArabicDecimal : Sep::kArabicGroup);
      ++i;
      read_group();
      continue;
    }
    if (euro_once) {
      // "35€ 99", "1.235€99": cents written after the euro sign (only when the text has
      // exactly one euro sign, so "99 € 79 €" stays two prices).
      std::size_t j = i;
      if (j < n && is_hspace(cps[j].c)) ++j;
      if (j < n && cps[j].c == 0x20AC) {
        ++j;
        if (j < n && is_hspace(cps[j].c)) ++j;
        if (count_digits(cps, j) == 2) {
          t.seps.push_back(Sep::kEuro);
          i = j;
          read_group();
          break;
        }
      }
    }
    break;
  }
  if (!ended_by_trailer) end = i;
  t.end = end;
  t.scan_end = std::max(i, t.begin + 1);
  // ".750.30": a stray leading dot before a number that uses dots itself is noise.
  if (t.leading && t.seps.size() > 1 &&
      std::find(t.seps.begin() + 1, t.seps.end(), t.seps[0]) != t.seps.end()) {
    t.leading = false;
    t.groups.erase(t.groups.begin());
    t.seps.erase(t.seps.begin());
    t.begin = t.groups.front().first;
  }
  std::size_t j = t.end;
  while (j < n && j - t.end < 2 && is_hspace(cps[j].c)) ++j;
  t.percent = j < n && (cps[j].c == '%' || cps[j].c == 0xFF05 || cps[j].c == 0x066A);
  return t;
}

std::vector<Token> find_numbers(std::string_view text, const std::vector<Cp>& cps, bool euro_once) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < cps.size()) {
    const char32_t c = cps[i].c;
    bool starts = is_digit(c);
    if (!starts && (is_dot(c) || is_comma(c)) && i + 1 < cps.size() && is_digit(cps[i + 1].c)) {
      // ".75" and "$..75" start at the separator; "No.5" does not.
      const char32_t prev = i > 0 ? cps[i - 1].c : 0;
      starts = !price_detail::is_word_letter(prev) && !is_digit(prev);
    }
    if (!starts) {
      ++i;
      continue;
    }
    Token t = scan_number(text, cps, i, euro_once);
    i = t.scan_end;
    tokens.push_back(std::move(t));
  }
  return tokens;
}

struct Occurrence {
  const CurrencySymbol* sym;
  std::size_t begin;  // code point span
  std::size_t end;
};

std::vector<Occurrence> find_symbols(std::string_view text, const std::vector<Cp>& cps) {
  std::vector<Occurrence> out;
  std::size_t i = 0;
  while (i < cps.size()) {
    const CurrencySymbol* sym = price_detail::match_symbol_at(text, cps[i].begin);
    if (!sym) {
      ++i;
      continue;
    }
    const std::size_t end_byte = cps[i].begin + sym->text.size();
    std::size_t j = i;
    while (j < cps.size() && cps[j].begin < end_byte) ++j;
    out.push_back({sym, i, j});
    i = j;
  }
  return out;
}

// Everything read from one string (the text or the hint).
struct Scan {
  std::string_view text;
  std::vector<Cp> cps;
  std::vector<Token> tokens;
  std::vector<Occurrence> symbols;
};

Scan scan(std::string_view text) {
  Scan s;
  s.text = text.substr(0, std::min(text.size(), kMaxPriceTextBytes));
  s.cps = decode(s.text);
  std::size_t euros = 0;
  for (const Cp& cp : s.cps) euros += cp.c == 0x20AC;
  s.tokens = find_numbers(s.text, s.cps, euros == 1);
  s.symbols = find_symbols(s.text, s.cps);
  return s;
}

// Characters allowed between a number and its currency symbol.
bool is_before_gap(char32_t c) { return is_hspace(c) || c == ':'; }
bool is_after_gap(char32_t c) { return is_hspace(c) || is_dot(c) || is_comma(c) || is_dash(c) || c == ':'; }

bool side_allows(const Occurrence& o, bool before) {
  if (o.sym->tier != SymbolTier::kAdjacentOnly) return true;
  return o.sym->side == SymbolSide::kEither || (o.sym->side == SymbolSide::kBefore) == before;
}

// The symbols standing right next to (or inside, "35€99") the token, in text order.
std::vector<const Occurrence*> adjacent_symbols(const Scan& s, const Token& t) {
  std::vector<const Occurrence*> out;
  for (const Occurrence& o : s.symbols) {
    if (o.end <= t.begin) {
      if (t.begin - o.end > 3) continue;
      bool ok = true;
      for (std::size_t k = o.end; k < t.begin; ++k) ok = ok && is_before_gap(s.cps[k].c);
      if (ok && side_allows(o, true)) out.push_back(&o);
    } else if (o.begin >= t.end) {
      if (o.begin - t.end > 4) break;
      bool ok = true;
      for (std::size_t k = t.end; k < o.begin; ++k) ok = ok && is_after_gap(s.cps[k].c);
      if (ok && side_allows(o, false)) out.push_back(&o);
    } else if (o.begin >= t.begin && o.end <= t.end) {
      out.push_back(&o);
    }
  }
  return out;
}

bool glued_to_word(const Scan& s, const Token& t) {
  auto symbol_ends_at = [&](std::size_t k) {
    return std::any_of(s.symbols.begin(), s.symbols.end(), [&](const Occurrence& o) { return o.end == k; });
  };
  auto symbol_starts_at = [&](std::size_t k) {
    return std::any_of(s.symbols.begin(), s.symbols.end(), [&](const Occurrence& o) { return o.begin == k; });
  };
  if (t.begin > 0 && price_detail::is_word_letter(s.cps[t.begin - 1].c) && !symbol_ends_at(t.begin)) return true;
  if (t.end < s.cps.size() && price_detail::is_word_letter(s.cps[t.end].c) && !symbol_starts_at(t.end)) return true;
  return false;
}

// True when the text between two numbers makes them a range ("12 - 20", "10 € bis 20 €").
bool is_range_gap(const Scan& s, const Token& a, const Token& b) {
  std::string word;
  std::size_t k = a.scan_end;  // past a trailing ",-" that belongs to the first number
  while (k < b.begin) {
    const char32_t c = s.cps[k].c;
    auto occ = std::find_if(s.symbols.begin(), s.symbols.end(), [&](const Occurrence& o) { return o.begin == k; });
    if (occ != s.symbols.end()) {
      k = occ->end;
      continue;
    }
    if (!is_hspace(c) && !is_dot(c) && !is_comma(c)) {
      if (word.size() > 12) return false;
      utf8::append(word, c);
    }
    ++k;
  }
  const std::string w = utf8::ascii_lower(word);
  static constexpr std::string_view kConnectors[] = {
      "-", "--", "–", "—", "~", "〜", "～", "to", "bis", "à", "a", "al", "y", "hasta", "até", "ate", "do", "до",
      "tot", "till", "til", "until"};
  return std::find(std::begin(kConnectors), std::end(kConnectors), w) != std::end(kConnectors);
}

std::size_t pick_token(const Scan& s) {
  const std::size_t none = s.tokens.size();
  // First a number beside a trusted symbol; only then one beside a letter that may be a
  // currency ("R 199"), so "Q1 ... $10" reads $10.
  for (bool letters_only : {false, true}) {
    for (std::size_t k = 0; k < s.tokens.size(); ++k) {
      if (s.tokens[k].percent) continue;
      const auto adjacent = adjacent_symbols(s, s.tokens[k]);
      const bool trusted = std::any_of(adjacent.begin(), adjacent.end(), [](const Occurrence* o) {
        return o->sym->tier != SymbolTier::kAdjacentOnly;
      });
      if (adjacent.empty() || (!letters_only && !trusted)) continue;
      // "12 – 20 €": the symbol sits by the high end, but the price is the low end.
      while (k > 0 && !s.tokens[k - 1].percent && is_range_gap(s, s.tokens[k - 1], s.tokens[k])) --k;
      return k;
    }
  }
  for (std::size_t k = 0; k < s.tokens.size(); ++k)
    if (!s.tokens[k].percent && !glued_to_word(s, s.tokens[k])) return k;
  for (std::size_t k = 0; k < s.tokens.size(); ++k)
    if (!s.tokens[k].percent) return k;
  return none;
}

bool is_iso_code_text(const CurrencySymbol& sym) {
  return sym.text.size() == 3 && sym.code_count() == 1 && sym.code(0) == sym.text;
}

// The currency symbol of the price: one next to the number, else the first trusted one
// in the text. nullptr when the text names none.
const Occurrence* pick_text_symbol(const Scan& s, const Token* t) {
  const Occurrence* best = nullptr;
  if (t) {
    for (const Occurrence* o : adjacent_symbols(s, *t))
      if (!best || o->sym->tier < best->sym->tier) best = o;
  }
  if (!best) {
    for (SymbolTier tier : {SymbolTier::kStrong, SymbolTier::kWeak}) {
      for (const Occurrence& o : s.symbols)
        if (o.sym->tier == tier) {
          best = &o;
          break;
        }
      if (best) break;
    }
  }
  // "$12.99 USD", "SGD4.90 $": an ISO code says which of the "$" currencies it is, and
  // is then the better currency text.
  if (best && best->sym->unambiguous_code().empty()) {
    for (const Occurrence& o : s.symbols)
      if (&o != best && is_iso_code_text(*o.sym) && o.sym->tier != SymbolTier::kAdjacentOnly &&
          best->sym->has_code(o.sym->code(0)))
        return &o;
  }
  return best;
}

// The hint's currency: the first strong symbol, else the first weak one, else a symbol
// that needs a number beside it, if it has one or is the whole hint.
const Occurrence* pick_hint_symbol(const Scan& h) {
  for (SymbolTier tier : {SymbolTier::kStrong, SymbolTier::kWeak})
    for (const Occurrence& o : h.symbols)
      if (o.sym->tier == tier) return &o;
  for (const Occurrence& o : h.symbols) {
    std::size_t first = 0, last = h.cps.size();
    while (first < last && utf8::is_space(h.cps[first].c)) ++first;
    while (last > first && utf8::is_space(h.cps[last - 1].c)) --last;
    if (o.begin == first && o.end == last) return &o;
    for (const Token& t : h.tokens) {
      const auto adj = adjacent_symbols(h, t);
      if (std::find(adj.begin(), adj.end(), &o) != adj.end()) return &o;
    }
  }
  return nullptr;
}

struct Locale {
  std::string language;  // lower case ("pt")
  std::string region;    // upper case ("BR"); empty when not given
};

Locale parse_locale(std::string_view tag) {
  Locale l;
  tag = tag.substr(0, std::min<std::size_t>(tag.size(), 64));
  std::size_t start = 0;
  bool first = true;
  while (start <= tag.size()) {
    std::size_t stop = tag.find_first_of("-_", start);
    if (stop == std::string_view::npos) stop = tag.size();
    const std::string_view part = tag.substr(start, stop - start);
    if (first) {
      l.language = utf8::ascii_lower(part);
      first = false;
    } else if (part.size() == 2 && l.region.empty()) {
      for (char ch : part) l.region.push_back(static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch));
    }
    start = stop + 1;
  }
  return l;
}

// "US $", "AU $": a country written before a bare dollar sign.
std::string_view country_prefix_code(const Scan& s, const Occurrence& o) {
  if (o.sym->text != "$" && o.sym->text != "＄") return {};
  std::size_t k = o.begin;
  if (k > 0 && is_hspace(s.cps[k - 1].c)) --k;
  if (k < 2) return {};
  const char32_t a = s.cps[k - 2].c, b = s.cps[k - 1].c;
  if (a >= 0x80 || b >= 0x80 || (k > 2 && price_detail::is_word_letter(s.cps[k - 3].c))) return {};
  const std::string region{static_cast<char>(a), static_cast<char>(b)};
  const std::string_view code = price_detail::currency_of_region(region);
  return o.sym->has_code(code) ? code : std::string_view{};
}

std::string resolve_iso(const Scan& where, const Occurrence& o, const Scan& text, const Scan& hint,
                        const Locale& locale) {
  const CurrencySymbol& sym = *o.sym;
  if (sym.code_count() == 0) return {};
  if (sym.code_count() == 1) return std::string(sym.code(0));
  // Another symbol in the text or the hint that names one of its currencies ("kr" + "SEK").
  for (const Scan* s : {&text, &hint})
    for (const Occurrence& other : s->symbols) {
      if (other.sym == &sym || other.sym->tier == SymbolTier::kAdjacentOnly) continue;
      const std::string_view code = other.sym->unambiguous_code();
      if (!code.empty() && sym.has_code(code) && other.sym->code_count() == 1) return std::string(code);
    }
  if (const auto code = country_prefix_code(where, o); !code.empty()) return std::string(code);
  if (const auto code = price_detail::currency_of_region(locale.region); !code.empty() && sym.has_code(code))
    return std::string(code);
  if (const auto code = price_detail::currency_of_language(locale.language); !code.empty() && sym.has_code(code))
    return std::string(code);
  if (sym.has_default) return std::string(sym.code(0));
  return {};
}

// Minor-unit digits of the currency, or of every currency the symbol may mean when they
// agree; -1 when unknown.
int currency_exponent(const std::string& iso, const CurrencySymbol* sym) {
  if (!iso.empty()) {
    const Currency* c = find_currency(iso);
    return c ? c->exponent : -1;
  }
  if (!sym || sym->code_count() == 0) return -1;
  int exponent = -2;
  for (std::size_t i = 0; i < sym->code_count(); ++i) {
    const Currency* c = find_currency(sym->code(i));
    if (!c) return -1;
    if (exponent != -2 && exponent != c->exponent) return -1;
    exponent = c->exponent;
  }
  return exponent;
}

std::string digits_of(const std::vector<Cp>& cps, std::pair<std::size_t, std::size_t> g) {
  std::string out;
  for (std::size_t k = g.first; k < g.second; ++k) out.push_back(static_cast<char>('0' + digit_value(cps[k].c)));
  return out;
}

// Index in t.seps of the decimal point, or -1 when every separator groups thousands.
int decimal_index(const std::vector<Cp>& cps, const Token& t, char forced, int exponent) {
  const int count = static_cast<int>(t.seps.size());
  if (t.dash_form) return -1;
  for (int k = count - 1; k >= 0; --k)
    if (t.seps[k] == Sep::kEuro || t.seps[k] == Sep::kDotSpace || t.seps[k] == Sep::kSpaceCents ||
        t.seps[k] == Sep::kArabicDecimal)
      return k;
  if (forced == '.' || forced == ',') {
    const Sep want = forced == '.' ? Sep::kDot : Sep::kComma;
    for (int k = count - 1; k >= 0; --k)
      if (t.seps[k] == want) return k;
    return -1;
  }
  int last = -1, dots = 0, commas = 0;
  bool spaced = false;
  for (int k = 0; k < count; ++k) {
    if (is_mark(t.seps[k])) last = k;
    dots += t.seps[k] == Sep::kDot;
    commas += t.seps[k] == Sep::kComma;
    spaced = spaced || t.seps[k] == Sep::kSpace || t.seps[k] == Sep::kApostrophe || t.seps[k] == Sep::kArabicGroup;
  }
  if (last < 0) return -1;
  if (t.leading) return 0;  // ".75", ".75,333"
  const int same = t.seps[last] == Sep::kDot ? dots : commas;
  if (dots > 0 && commas > 0) return same == 1 ? last : -1;  // "1.234,56", "1,234.56"
  const auto after = t.groups[last + 1];
  const std::size_t frac_len = after.second - after.first;
  if (same >= 2) return frac_len == 3 ? -1 : last;  // "1.234.567" vs "1.234.56"
  if (frac_len != 3) return last;                  // "12,5", "12.99", "3.3900"
  // One separator and three digits after it: "1.234" or "1,234" or "12.345".
  if (spaced) return last;  // "1 234,567": spaces already group
  const std::string int_part = digits_of(cps, t.groups[0]);
  if (int_part.size() > 3) return last;  // "1234.567" can't be grouped
  if (int_part.find_first_not_of('0') == std::string::npos) return last;  // "0.500"
  if (exponent == 3) return last;  // KWD, BHD, OMR, JOD, TND, LYD, IQD: "12.345"
  return -1;  // shops write thousands like this in every other currency
}

std::optional<Decimal> read_amount(const std::vector<Cp>& cps, const Token& t, char forced, int exponent) {
  const int dec = decimal_index(cps, t, forced, exponent);
  std::string int_digits, frac_digits;
  for (std::size_t g = 0; g < t.groups.size(); ++g) {
    const std::string d = digits_of(cps, t.groups[g]);
    if (dec >= 0 && static_cast<int>(g) > dec)
      frac_digits += d;
    else
      int_digits += d;
    if (int_digits.size() + frac_digits.size() > 64) return std::nullopt;  // far past Decimal's limit
  }
  return Decimal::from_parts(int_digits, frac_digits);
}

// "Free", "FREE!": a price of zero, when the text has no number at all.
std::optional<std::pair<std::size_t, std::size_t>> find_free(const Scan& s) {
  const std::string lower = utf8::ascii_lower(s.text);
  std::size_t pos = 0;
  while ((pos = lower.find("free", pos)) != std::string::npos) {
    std::size_t before = pos, after = pos + 4;
    char32_t prev = 0, next = 0;
    if (before > 0) {
      auto it = std::find_if(s.cps.begin(), s.cps.end(), [&](const Cp& c) { return c.end == before; });
      if (it != s.cps.end()) prev = it->c;
    }
    if (after < s.text.size()) {
      std::size_t p = after;
      next = utf8::next(s.text, p);
    }
    if (!price_detail::is_word_letter(prev) && !price_detail::is_word_letter(next)) return std::make_pair(pos, after);
    pos = after;
  }
  return std::nullopt;
}

}  // namespace

ParsedPrice parse_price(std::string_view text, const PriceOptions& options) {
  ParsedPrice out;
  const Scan t = scan(text);
  const Scan h = scan(options.currency_hint);
  const Locale locale = parse_locale(options.locale);

  const std::size_t picked = pick_token(t);
  const Token* token = picked < t.tokens.size() ? &t.tokens[picked] : nullptr;

  const Scan* where = &t;
  const Occurrence* occ = pick_text_symbol(t, token);
  if (!occ) {
    occ = pick_hint_symbol(h);
    where = &h;
  }
  const CurrencySymbol* sym = occ ? occ->sym : nullptr;
  if (occ) {
    out.currency_text = std::string(sym->text);
    out.currency = resolve_iso(*where, *occ, t, h, locale);
  }

  if (token) {
    const int exponent = currency_exponent(out.currency, sym);
    out.amount = read_amount(t.cps, *token, options.decimal_separator, exponent);
    if (out.amount && token->end > token->begin) {
      const std::size_t b = t.cps[token->begin].begin;
      const std::size_t e = t.cps[token->end - 1].end;
      out.amount_text = std::string(t.text.substr(b, e - b));
    }
  } else if (const auto free = find_free(t)) {
    out.amount = Decimal{};
    out.amount_text = std::string(t.text.substr(free->first, free->second - free->first));
  }
  return out;
}

}  // namespace dealstack
