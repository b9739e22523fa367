#include "price/currency_symbols.hpp"

#include <doctest/doctest.h>

#include <string>

#include "money/currency.hpp"

using namespace dealstack::price_detail;

TEST_CASE("currency symbol matches the longest symbol at a position") {
  const CurrencySymbol* s = match_symbol_at("US$12", 0);
  REQUIRE(s);
  CHECK(s->text == "US$");
  s = match_symbol_at("12 руб.", 3);
  REQUIRE(s);
  CHECK(s->text == "руб.");
  s = match_symbol_at("R$ 10", 0);
  REQUIRE(s);
  CHECK(s->text == "R$");
  CHECK(s->unambiguous_code() == "BRL");
}

TEST_CASE("currency symbol made of letters must stand as a whole word") {
  CHECK_FALSE(match_symbol_at("krone", 0));
  CHECK_FALSE(match_symbol_at("Skrill", 1));
  CHECK_FALSE(match_symbol_at("TLS", 0));
  CHECK(match_symbol_at("12kr", 2));
  CHECK(match_symbol_at("SGD4.90", 0));
  CHECK_FALSE(match_symbol_at("złotych", 0));
  // CJK: 元 inside 美元 is not the yuan on its own, but 美元 is the dollar.
  CHECK_FALSE(match_symbol_at("美元", 3));
  const CurrencySymbol* usd = match_symbol_at("美元", 0);
  REQUIRE(usd);
  CHECK(usd->unambiguous_code() == "USD");
  // Symbols that are not letters need no word boundary: "€HT".
  CHECK(match_symbol_at("12,00 €HT", 6));
}

TEST_CASE("currency symbol codes and defaults") {
  const CurrencySymbol* dollar = match_symbol_at("$", 0);
  REQUIRE(dollar);
  CHECK(dollar->code_count() > 10);
  CHECK(dollar->has_code("USD"));
  CHECK(dollar->has_code("CAD"));
  CHECK_FALSE(dollar->has_code("EUR"));
  CHECK(dollar->unambiguous_code().empty());
  const CurrencySymbol* pound = match_symbol_at("£", 0);
  REQUIRE(pound);
  CHECK(pound->unambiguous_code() == "GBP");
  CHECK(pound->has_code("EGP"));
  const CurrencySymbol* kr = match_symbol_at("kr", 0);
  REQUIRE(kr);
  CHECK(kr->unambiguous_code().empty());
  CHECK(kr->code(4).empty());
  const CurrencySymbol* toman = match_symbol_at("تومان", 0);
  REQUIRE(toman);
  CHECK(toman->code_count() == 0);
}

TEST_CASE("currency symbol table names only known ISO codes") {
  // Every code a symbol can mean is in the ISO 4217 table, so its exponent is known.
  const char* samples[] = {"$", "€", "£", "¥", "kr", "Rs", "₨", "zł", "Kč", "руб.", "₹", "ريال", "دينار",
                           "Br", "Bs", "FCFA", "C$", "lei", "KD", "₩", "₱", "R", "S/", "ƒ", "Dh"};
  for (const char* text : samples) {
    const CurrencySymbol* s = match_symbol_at(text, 0);
    INFO(text);
    REQUIRE(s);
    CHECK(s->text == std::string(text));
    for (std::size_t i = 0; i < s->code_count(); ++i) CHECK(dealstack::find_currency(s->code(i)) != nullptr);
  }
}

TEST_CASE("currency symbol lookup includes every ISO code as a whole word") {
  for (const auto& c : dealstack::all_currencies()) {
    const std::string text = std::string(c.code) + " 1";
    const CurrencySymbol* s = match_symbol_at(text, 0);
    INFO(c.code);
    REQUIRE(s);
    CHECK(s->has_code(c.code));
  }
  const CurrencySymbol* euro = match_symbol_at("EURO 2024", 0);
  REQUIRE(euro);
  CHECK(euro->text == "EURO");
  CHECK_FALSE(match_symbol_at("USDA", 0));
}

TEST_CASE("currency of region and language") {
  CHECK(currency_of_region("US") == "USD");
  CHECK(currency_of_region("DE") == "EUR");
  CHECK(currency_of_region("CH") == "CHF");
  CHECK(currency_of_region("SN") == "XOF");
  CHECK(currency_of_region("ZZ").empty());
  CHECK(currency_of_language("sv") == "SEK");
  CHECK(currency_of_language("ja") == "JPY");
  CHECK(currency_of_language("en").empty());
}

TEST_CASE("currency symbol matching is safe at the ends of the text") {
  CHECK_FALSE(match_symbol_at("", 0));
  CHECK_FALSE(match_symbol_at("abc", 3));
  CHECK_FALSE(match_symbol_at("abc", 99));
  CHECK_FALSE(match_symbol_at(std::string("\xe2\x82", 2), 0));  // a truncated euro sign
  CHECK(match_symbol_at("\xe2\x82\xac", 0));
}

TEST_CASE("is_word_letter covers the scripts shops write in") {
  CHECK(is_word_letter('a'));
  CHECK(is_word_letter(U'ł'));
  CHECK(is_word_letter(U'б'));
  CHECK(is_word_letter(U'ر'));
  CHECK(is_word_letter(U'円'));
  CHECK(is_word_letter(U'원'));
  CHECK_FALSE(is_word_letter('1'));
  CHECK_FALSE(is_word_letter(U'€'));
  CHECK_FALSE(is_word_letter(U'٣'));  // Arabic-Indic digit
  CHECK_FALSE(is_word_letter(U'×'));
}
