#include "money/money.hpp"

#include "money/currency.hpp"

namespace dealstack {

Result<Money> Money::from_decimal(const Decimal& amount, std::string_view currency) {
  const Currency* c = find_currency(currency);
  if (!c) return make_error("unknown_currency", "not an ISO 4217 currency code: '" + std::string(currency) + "'");
  Decimal trimmed = amount.normalized();
  if (trimmed.scale > c->exponent)
    return make_error("precision_loss", amount.to_string() + " has more decimal places than " + std::string(c->code) +
                                            " allows (" + std::to_string(c->exponent) + ")");
  auto scaled = trimmed.rescaled(c->exponent);
  if (!scaled) return make_error("amount_out_of_range", amount.to_string() + " is too large");
  return Money{scaled->units, std::string(c->code)};
}

Result<Money> Money::parse(std::string_view amount, std::string_view currency) {
  auto d = Decimal::parse(amount);
  if (!d) return make_error("invalid_amount", "not a plain decimal amount: '" + std::string(amount) + "'");
  return from_decimal(*d, currency);
}

Decimal Money::to_decimal() const {
  const Currency* c = find_currency(currency);
  return Decimal{minor, c ? c->exponent : 2};
}

namespace {
Error mismatch(const Money& a, const Money& b) {
  return make_error("currency_mismatch", "cannot combine " + a.currency + " with " + b.currency);
}
Error overflow() { return make_error("amount_out_of_range", "amount out of range"); }
}  // namespace

Result<Money> add(const Money& a, const Money& b) {
  if (a.currency != b.currency) return mismatch(a, b);
  std::int64_t r;
  if (__builtin_add_overflow(a.minor, b.minor, &r)) return overflow();
  return Money{r, a.currency};
}

Result<Money> subtract(const Money& a, const Money& b) {
  if (a.currency != b.currency) return mismatch(a, b);
  std::int64_t r;
  if (__builtin_sub_overflow(a.minor, b.minor, &r)) return overflow();
  return Money{r, a.currency};
}

Result<Money> multiply(const Money& a, std::int64_t factor) {
  std::int64_t r;
  if (__builtin_mul_overflow(a.minor, factor, &r)) return overflow();
  return Money{r, a.currency};
}

}  // namespace dealstack
