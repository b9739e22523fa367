#include "stacking/request_json.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <utility>


#include "json/document.hpp"
#include "money/currency.hpp"
#include "money/decimal.hpp"
#include "text/utf8.hpp"

namespace dealstack::stacking {
namespace {

using json::Value;

// Where a field is, for error messages ("offers[3].discount.percent"): up to eight parts,
// each a member name (a string literal, written with its leading dot) or an array index.
// Copied by value and turned into text only when something is wrong, so reading a valid
// request builds no strings for it.
class Path {
 public:
  Path(const char* root) { push(root, 0); }  // NOLINT: paths start from a literal

  Path operator+(const char* member) const {
    Path p = *this;
    p.push(member, 0);
    return p;
  }
  Path operator[](std::size_t index) const {
    Path p = *this;
    p.push(nullptr, index);
    return p;
  }
  std::string str() const {
    std::string out;
    for (std::size_t i = 0; i < n_; ++i) {
      if (parts_[i].name != nullptr) out += parts_[i].name;
      else out += "[" + std::to_string(parts_[i].index) + "]";
    }
    return out;
  }

 private:
  struct Part {
    const char* name;
    std::size_t index;
  };
  void push(const char* name, std::size_t index) {
    if (n_ < kMax) parts_[n_++] = {name, index};
  }
  static constexpr std::size_t kMax = 8;
  Part parts_[kMax] = {};
  std::size_t n_ = 0;
};

constexpr int kMaxDepth = 64;
constexpr std::size_t kMaxString = 1000;
constexpr std::size_t kMaxList = 1000;


// Reads fields out of JSON with the path of each for error messages. The first error is
// kept; later reads become no-ops so that parsing code can stay linear.
class Reader {
 public:
  bool failed() const { return error_.has_value(); }
  const Error& error() const { return *error_; }

  void fail(const Path& path, const char* code, const std::string& message) {
    if (!error_) error_ = make_error(code, path.str() + ": " + message);
  }

  // The member `key` of object `obj`, or nullptr when absent or null.
  const Value* member(const Value& obj, const char* key) {
    const Value* v = obj.find(key);
    return (v == nullptr || v->is_null()) ? nullptr : v;
  }

  const Value* object(const Value& obj, const char* key, const Path& path, bool required) {
    const Value* j = member(obj, key);
    if (j == nullptr) {
      if (required) fail(path, "missing_field", "is required");
      return nullptr;
    }
    if (!j->is_object()) {
      fail(path, "invalid_field", "must be an object");
      return nullptr;
    }
    return j;
  }

  const Value* array(const Value& obj, const char* key, const Path& path, bool required,
                    std::size_t max_items) {
    const Value* j = member(obj, key);
    if (j == nullptr) {
      if (required) fail(path, "missing_field", "is required");
      return nullptr;
    }
    if (!j->is_array()) {
      fail(path, "invalid_field", "must be an array");
      return nullptr;
    }
    if (j->size() > max_items) {
      fail(path, "invalid_field", "has " + std::to_string(j->size()) + " items; at most " +
                                      std::to_string(max_items) + " are allowed");
      return nullptr;
    }
    return j;
  }

  std::string string(const Value& obj, const char* key, const Path& path, bool required,
                     std::string fallback = {}) {
    const Value* j = member(obj, key);
    if (j == nullptr) {
      if (required) fail(path, "missing_field", "is required");
      return fallback;
    }
    if (!j->is_string()) {
      fail(path, "invalid_field", "must be a string");
      return fallback;
    }
    const auto& s = j->text();
    if (s.size() > kMaxString) {
      fail(path, "invalid_field", "is longer than " + std::to_string(kMaxString) + " bytes");
      return fallback;
    }
    if (required && s.empty()) fail(path, "invalid_field", "must not be empty");
    return std::string(s);
  }

  std::vector<std::string> strings(const Value& obj, const char* key, const Path& path) {
    std::vector<std::string> out;
    const Value* j = array(obj, key, path, false, kMaxList);
    if (j == nullptr) return out;
    for (std::size_t i = 0; i < j->size(); ++i) {
      const Value& item = (*j)[i];
      if (!item.is_string() || item.text().size() > kMaxString) {
        fail(path[i], "invalid_field",
             "must be a string of at most 1000 bytes");
        return out;
      }
      out.push_back(std::string(item.text()));
    }
    return out;
  }

  bool boolean(const Value& obj, const char* key, const Path& path, bool fallback) {
    const Value* j = member(obj, key);
    if (j == nullptr) return fallback;
    if (!j->is_boolean()) {
      fail(path, "invalid_field", "must be true or false");
      return fallback;
    }
    return j->boolean();
  }

  std::int64_t integer(const Value& obj, const char* key, const Path& path,
                       std::int64_t min, std::int64_t max, std::int64_t fallback,
                       bool required = false) {
    const Value* j = member(obj, key);
    if (j == nullptr) {
      if (required) fail(path, "missing_field", "is required");
      return fallback;
    }
    if (!j->is_integer()) {
      fail(path, "invalid_field", "must be a whole number");
      return fallback;
    }
    // Unsigned values above INT64_MAX read as negative here and are refused as out of range.
    const std::int64_t v = j->is_unsigned() && j->as_uint64() > INT64_MAX
                               ? -1
                               : j->as_int64();
    if (v < min || v > max) {
      fail(path, "amount_out_of_range",
           "must be from " + std::to_string(min) + " to " + std::to_string(max));
      return fallback;
    }
    return v;
  }

  // A money amount: a decimal string in the cart currency ("19.99").
  Minor money(const Value& obj, const char* key, const Path& path, bool required,
              Minor fallback = 0) {
    const Value* j = member(obj, key);
    if (j == nullptr) {
      if (required) fail(path, "missing_field", "is required");
      return fallback;
    }
    if (!j->is_string()) {
      fail(path, "invalid_field",
           "must be a decimal string such as \"19.99\" (never a JSON number: money is exact)");
      return fallback;
    }
    const std::string_view text = j->text();
    const auto d = Decimal::parse(text);
    if (!d) {
      fail(path, "invalid_field", "\"" + std::string(text.substr(0, 40)) + "\" is not a plain decimal amount");
      return fallback;
    }
    if (d->units < 0) {
      fail(path, "amount_out_of_range", "must not be negative");
      return fallback;
    }
    const auto scaled = d->rescaled(exponent_);
    if (!scaled) {
      const auto n = d->normalized();
      if (n.scale > exponent_) {
        fail(path, "invalid_field", "\"" + std::string(text) + "\" has more decimals than " + currency_ +
                                        " allows (" + std::to_string(exponent_) + ")");
      } else {
        fail(path, "amount_out_of_range", "\"" + std::string(text.substr(0, 40)) + "\" is absurdly large");
      }
      return fallback;
    }
    if (scaled->units > kMaxAmount) {
      fail(path, "amount_out_of_range", "\"" + std::string(text.substr(0, 40)) + "\" is absurdly large");
      return fallback;
    }
    return scaled->units;
  }

  // A percentage as a decimal string or a whole number ("12.5", 15), at most 4 decimals,
  // from 0 to `max_percent`.
  Rate percent(const Value& obj, const char* key, const Path& path, bool required,
               std::int64_t max_percent, Rate fallback = {}) {
    const Value* j = member(obj, key);
    if (j == nullptr) {
      if (required) fail(path, "missing_field", "is required");
      return fallback;
    }
    std::optional<Decimal> d;
    if (j->is_string()) {
      d = Decimal::parse(j->text());
    } else if (j->is_integer() && !j->is_unsigned()) {
      d = Decimal{j->as_int64(), 0};
    } else if (j->is_unsigned() && j->as_uint64() <= 1'000'000) {
      d = Decimal{static_cast<std::int64_t>(j->as_uint64()), 0};
    }
    const auto range = [&] {
      return "must be a percentage from 0 to " + std::to_string(max_percent) +
             " with at most 4 decimals (\"12.5\")";
    };
    if (!d) {
      fail(path, "invalid_field", range());
      return fallback;
    }
    const auto scaled = d->rescaled(4);
    if (!scaled) {
      fail(path, "invalid_field", range());
      return fallback;
    }
    if (scaled->units < 0 || scaled->units > max_percent * 10'000) {
      fail(path, "amount_out_of_range", range());
      return fallback;
    }
    return Rate{scaled->units};
  }

  template <typename E>
  E choice(const Value& obj, const char* key, const Path& path,
           std::initializer_list<std::pair<const char*, E>> options, E fallback) {
    const Value* j = member(obj, key);
    if (j == nullptr) return fallback;
    if (j->is_string()) {
      for (const auto& [name, value] : options)
        if (j->text() == name) return value;
    }
    std::string names;
    for (const auto& [name, value] : options) names += (names.empty() ? "\"" : ", \"") + std::string(name) + "\"";
    fail(path, "invalid_field", "must be one of " + names);
    return fallback;
  }

  void set_currency(std::string code, int exponent) {
    currency_ = std::move(code);
    exponent_ = exponent;
  }
  const std::string& currency() const { return currency_; }

 private:
  std::optional<Error> error_;
  std::string currency_ = "XXX";
  int exponent_ = 2;
};

Path at(const Path& path, std::size_t i) { return path[i]; }

void read_cart(Reader& r, const Value& j, Cart& cart) {
  const Path path = "cart";
  cart.currency = r.string(j, "currency", path + ".currency", true);
  if (r.failed()) return;
  const Currency* c = find_currency(cart.currency);
  if (c == nullptr) {
    r.fail(path + ".currency", "unknown_currency",
           "\"" + cart.currency.substr(0, 20) + "\" is not an ISO 4217 currency code");
    return;
  }
  cart.exponent = c->exponent;
  r.set_currency(cart.currency, c->exponent);
  cart.retailer = r.string(j, "retailer", path + ".retailer", false);

  const Value* lines = r.member(j, "lines");
  if (lines != nullptr && lines->is_array() && lines->size() > kMaxLines) {
    r.fail(path + ".lines", "too_many_lines",
           std::to_string(lines->size()) + " lines; at most " + std::to_string(kMaxLines));
    return;
  }
  lines = r.array(j, "lines", path + ".lines", true, kMaxLines);
  if (lines == nullptr) return;
  if (lines->empty()) r.fail(path + ".lines", "invalid_field", "must hold at least one line");
  Minor total = 0;
  for (std::size_t i = 0; i < lines->size() && !r.failed(); ++i) {
    const Path lp = at(path + ".lines", i);
    const Value& lj = (*lines)[i];
    if (!lj.is_object()) {
      r.fail(lp, "invalid_field", "must be an object");
      break;
    }
    const std::string currency = r.string(lj, "currency", lp + ".currency", false);
    if (!currency.empty() && currency != cart.currency) {
      r.fail(lp + ".currency", "currency_mismatch",
             "is " + currency.substr(0, 20) + " but the cart is in " + cart.currency);
      break;
    }
    Line line;
    line.sku = r.string(lj, "sku", lp + ".sku", false);
    line.name = r.string(lj, "name", lp + ".name", false);
    line.unit_price = r.money(lj, "unit_price", lp + ".unit_price", true);
    line.quantity = r.integer(lj, "quantity", lp + ".quantity", 1, kMaxQuantity, 1);
    line.tags = r.strings(lj, "tags", lp + ".tags");
    if (r.failed()) break;
    if (line.unit_price > kMaxAmount / line.quantity ||
        (total += line.original()) > kMaxAmount) {
      r.fail(lp, "amount_out_of_range", "the cart's total is absurdly large");
      break;
    }
    cart.lines.push_back(std::move(line));
  }
  if (r.failed()) return;

  const Value* shipping = r.array(j, "shipping_options", path + ".shipping_options", false, 50);
  if (shipping != nullptr) {
    for (std::size_t i = 0; i < shipping->size() && !r.failed(); ++i) {
      const Path sp = at(path + ".shipping_options", i);
      const Value& sj = (*shipping)[i];
      if (!sj.is_object()) {
        r.fail(sp, "invalid_field", "must be an object");
        break;
      }
      ShippingOption s;
      s.id = r.string(sj, "id", sp + ".id", true);
      s.name = r.string(sj, "name", sp + ".name", false);
      s.price = r.money(sj, "price", sp + ".price", true);
      if (r.member(sj, "free_over") != nullptr) s.free_over = r.money(sj, "free_over", sp + ".free_over", true);
      s.free_over_basis = r.choice<AmountBasis>(
          sj, "free_over_basis", sp + ".free_over_basis",
          {{"after_discounts", AmountBasis::after_discounts},
           {"before_discounts", AmountBasis::before_discounts}},
          AmountBasis::after_discounts);
      for (const auto& other : cart.shipping)
        if (other.id == s.id) r.fail(sp + ".id", "duplicate_id", "\"" + s.id + "\" is used twice");
      cart.shipping.push_back(std::move(s));
    }
  }
  if (const Value* tax = r.object(j, "tax", path + ".tax", false)) {
    cart.tax.rate = r.percent(*tax, "percent", path + ".tax.percent", true, 100);
    cart.tax.basis = r.choice<AmountBasis>(
        *tax, "basis", path + ".tax.basis",
        {{"after_discounts", AmountBasis::after_discounts},
         {"before_discounts", AmountBasis::before_discounts}},
        AmountBasis::after_discounts);
    cart.tax.shipping_taxable = r.boolean(*tax, "shipping_taxable", path + ".tax.shipping_taxable", false);
  }
}

void read_rules(Reader& r, const Value& j, RetailerRules& rules) {
  const Path path = "retailer";
  const std::string platform = r.choice<std::string>(
      j, "platform", path + ".platform",
      {{"generic", "generic"}, {"shopify", "shopify"}, {"woocommerce", "woocommerce"}},
      "generic");
  // A platform sets the defaults real shops on it have; explicit fields below override.
  if (platform == "shopify") {
    rules.order = ApplicationOrder::shopify;
    rules.max_codes = 6;
    rules.max_product_order_codes = 5;
    rules.max_shipping_codes = 1;
  } else if (platform == "woocommerce") {
    rules.order = ApplicationOrder::woocommerce;
    rules.percent_basis = PercentBasis::original;
  }
  rules.order = r.choice<ApplicationOrder>(j, "application_order", path + ".application_order",
                                           {{"entry", ApplicationOrder::entry},
                                            {"woocommerce", ApplicationOrder::woocommerce},
                                            {"shopify", ApplicationOrder::shopify}},
                                           rules.order);
  rules.percent_basis = r.choice<PercentBasis>(
      j, "percent_basis", path + ".percent_basis",
      {{"compounded", PercentBasis::compounded}, {"original", PercentBasis::original}},
      rules.percent_basis);
  if (const Value* rounding = r.object(j, "rounding", path + ".rounding", false)) {
    rules.rounding = r.choice<RoundingMode>(
        *rounding, "mode", path + ".rounding.mode",
        {{"half_up", RoundingMode::half_up}, {"half_even", RoundingMode::half_even}},
        rules.rounding);
    rules.rounding_scope = r.choice<RoundingScope>(
        *rounding, "scope", path + ".rounding.scope",
        {{"order", RoundingScope::order}, {"line", RoundingScope::line}}, rules.rounding_scope);
  }
  const auto limit = [&](const char* key, int fallback) {
    const std::int64_t v = r.integer(j, key, path + "." + key, 0, 100,
                                     fallback == kUnlimited ? -1 : fallback);
    return v < 0 ? kUnlimited : static_cast<int>(v);
  };
  rules.max_codes = limit("max_codes", rules.max_codes);
  rules.max_product_order_codes = limit("max_product_order_codes", rules.max_product_order_codes);
  rules.max_shipping_codes = limit("max_shipping_codes", rules.max_shipping_codes);
  rules.max_gift_cards = limit("max_gift_cards", rules.max_gift_cards);
}

void read_discount(Reader& r, const Value& j, const Path& path, DiscountOffer& d) {
  const Value* dj = r.object(j, "discount", path + ".discount", true);
  if (dj == nullptr) return;
  const Path dp = path + ".discount";
  Discount& disc = d.discount;
  const Value* type = r.member(*dj, "type");
  if (type == nullptr) {
    r.fail(dp + ".type", "missing_field", "is required");
    return;
  }
  disc.type = r.choice<DiscountType>(*dj, "type", dp + ".type",
                                     {{"percent", DiscountType::percent},
                                      {"amount", DiscountType::amount},
                                      {"fixed_price", DiscountType::fixed_price},
                                      {"buy_x_get_y", DiscountType::buy_x_get_y},
                                      {"tiered", DiscountType::tiered},
                                      {"free_shipping", DiscountType::free_shipping}},
                                     DiscountType::percent);
  switch (disc.type) {
    case DiscountType::percent:
      disc.percent = r.percent(*dj, "percent", dp + ".percent", true, 100);
      break;
    case DiscountType::amount:
      disc.amount = r.money(*dj, "amount", dp + ".amount", true);
      disc.per_unit = r.choice<bool>(*dj, "per", dp + ".per", {{"order", false}, {"unit", true}}, false);
      break;
    case DiscountType::fixed_price:
      disc.price = r.money(*dj, "price", dp + ".price", true);
      break;
    case DiscountType::buy_x_get_y:
      disc.buy = r.integer(*dj, "buy", dp + ".buy", 1, 1000, 1, true);
      disc.get = r.integer(*dj, "get", dp + ".get", 1, 1000, 1, true);
      disc.percent = r.percent(*dj, "percent", dp + ".percent", false, 100, Rate{Rate::kOne});
      disc.max_uses = r.integer(*dj, "max_uses", dp + ".max_uses", 0, kMaxQuantity, 0);
      break;
    case DiscountType::tiered: {
      const Value* tiers = r.array(*dj, "tiers", dp + ".tiers", true, 20);
      if (tiers == nullptr) return;
      if (tiers->empty()) r.fail(dp + ".tiers", "invalid_field", "must hold at least one tier");
      for (std::size_t i = 0; i < tiers->size() && !r.failed(); ++i) {
        const Path tp = at(dp + ".tiers", i);
        const Value& tj = (*tiers)[i];
        if (!tj.is_object()) {
          r.fail(tp, "invalid_field", "must be an object");
          return;
        }
        Tier t;
        t.min_spend = r.money(tj, "min_spend", tp + ".min_spend", false);
        t.min_quantity = r.integer(tj, "min_quantity", tp + ".min_quantity", 0, kMaxQuantity, 0);
        const bool has_amount = r.member(tj, "amount") != nullptr;
        const bool has_percent = r.member(tj, "percent") != nullptr;
        if (has_amount == has_percent) {
          r.fail(tp, "invalid_field", "needs exactly one of \"amount\" and \"percent\"");
          return;
        }
        t.is_percent = has_percent;
        if (has_percent) t.percent = r.percent(tj, "percent", tp + ".percent", true, 100);
        else t.amount = r.money(tj, "amount", tp + ".amount", true);
        disc.tiers.push_back(t);
      }
      // Ascending by threshold, so the last tier reached is the best one.
      std::stable_sort(disc.tiers.begin(), disc.tiers.end(), [](const Tier& a, const Tier& b) {
        return a.min_spend != b.min_spend ? a.min_spend < b.min_spend : a.min_quantity < b.min_quantity;
      });
      break;
    }
    case DiscountType::free_shipping:
      disc.shipping_options = r.strings(*dj, "shipping_options", dp + ".shipping_options");
      break;
  }
  if (const Value* scope = r.object(j, "scope", path + ".scope", false)) {
    const Path sp = path + ".scope";
    d.scope.skus = r.strings(*scope, "skus", sp + ".skus");
    d.scope.tags = r.strings(*scope, "tags", sp + ".tags");
    d.scope.exclude_skus = r.strings(*scope, "exclude_skus", sp + ".exclude_skus");
    d.scope.exclude_tags = r.strings(*scope, "exclude_tags", sp + ".exclude_tags");
  }
  DiscountClass cls = DiscountClass::order;
  if (disc.type == DiscountType::free_shipping) cls = DiscountClass::shipping;
  else if (disc.type == DiscountType::buy_x_get_y || d.scope.selects()) cls = DiscountClass::product;
  d.cls = r.choice<DiscountClass>(j, "class", path + ".class",
                                  {{"product", DiscountClass::product},
                                   {"order", DiscountClass::order},
                                   {"shipping", DiscountClass::shipping}},
                                  cls);
  if ((d.cls == DiscountClass::shipping) != (disc.type == DiscountType::free_shipping))
    r.fail(path + ".class", "invalid_field",
           "\"shipping\" is the class of free_shipping discounts and of nothing else");
  d.min_spend = r.money(j, "min_spend", path + ".min_spend", false);
  d.min_quantity = r.integer(j, "min_quantity", path + ".min_quantity", 0, kMaxQuantity, 0);
  if (r.member(j, "max_discount") != nullptr)
    d.max_discount = r.money(j, "max_discount", path + ".max_discount", true);
  if (const Value* cw = r.object(j, "combines_with", path + ".combines_with", false)) {
    // Listed classes only, as Shopify's checkboxes: an absent class is false.
    const Path cp = path + ".combines_with";
    d.combines_with[0] = r.boolean(*cw, "product", cp + ".product", false);
    d.combines_with[1] = r.boolean(*cw, "order", cp + ".order", false);
    d.combines_with[2] = r.boolean(*cw, "shipping", cp + ".shipping", false);
  }
  d.exclusive = r.boolean(j, "exclusive", path + ".exclusive", false);
}

void read_back(Reader& r, const Value& j, const char* key, const Path& path,
               bool& is_percent, Rate& percent, Minor& amount) {
  const Value* b = r.object(j, key, path, true);
  if (b == nullptr) return;
  const bool has_amount = r.member(*b, "amount") != nullptr;
  const bool has_percent = r.member(*b, "percent") != nullptr;
  if (has_amount == has_percent) {
    r.fail(path, "invalid_field", "needs exactly one of \"amount\" and \"percent\"");
    return;
  }
  is_percent = has_percent;
  if (has_percent) percent = r.percent(*b, "percent", path + ".percent", true, 100);
  else amount = r.money(*b, "amount", path + ".amount", true);
}

}  // namespace

Result<Request> parse_request(std::string_view text) {
  if (text.size() > kMaxRequestBytes)
    return make_error("input_too_large", "the request is over 16 MiB");
  const auto parsed = json::Document::parse(text, {kMaxDepth});
  if (!parsed) {
    if (parsed.error().code == "too_deep")
      return make_error("invalid_json", "the request nests deeper than 64 levels");
    return make_error("invalid_json", "the request is not valid JSON (" + parsed.error().message + ")");
  }
  const Value& doc = parsed->root();
  if (!doc.is_object()) return make_error("invalid_json", "the request must be a JSON object");

  Reader r;
  Request req;
  const Value* cart = r.object(doc, "cart", "cart", true);
  if (cart == nullptr) return r.error();
  read_cart(r, *cart, req.cart);
  if (r.failed()) return r.error();

  if (const Value* rules = r.object(doc, "retailer", "retailer", false)) read_rules(r, *rules, req.rules);
  if (r.failed()) return r.error();

  if (const Value* wallet = r.object(doc, "wallet", "wallet", false)) {
    const Value* cards = r.array(*wallet, "cards", "wallet.cards", false, 50);
    for (std::size_t i = 0; cards != nullptr && i < cards->size() && !r.failed(); ++i) {
      const Path cp = at("wallet.cards", i);
      const Value& cj = (*cards)[i];
      if (!cj.is_object()) {
        r.fail(cp, "invalid_field", "must be an object");
        break;
      }
      Card c;
      c.id = r.string(cj, "id", cp + ".id", true);
      c.name = r.string(cj, "name", cp + ".name", false);
      c.earn = r.percent(cj, "earn_percent", cp + ".earn_percent", false, 100);
      c.reward_value = r.percent(cj, "reward_value_percent", cp + ".reward_value_percent", false,
                                 1000, Rate{Rate::kOne});
      for (const auto& other : req.wallet.cards)
        if (other.id == c.id) r.fail(cp + ".id", "duplicate_id", "\"" + c.id + "\" is used twice");
      req.wallet.cards.push_back(std::move(c));
    }
    req.wallet.payment_path = r.string(*wallet, "payment_path", "wallet.payment_path", false, "direct");
    if (req.wallet.payment_path.empty()) req.wallet.payment_path = "direct";
  }
  if (r.failed()) return r.error();

  if (const Value* prefs = r.object(doc, "preferences", "preferences", false)) {
    req.preferences.cashback_value = r.percent(*prefs, "cashback_value_percent",
                                               "preferences.cashback_value_percent", false, 1000,
                                               Rate{Rate::kOne});
    req.preferences.alternatives = r.boolean(*prefs, "alternatives", "preferences.alternatives", true);
    req.preferences.hints = r.boolean(*prefs, "hints", "preferences.hints", true);
  }
  if (r.failed()) return r.error();

  const Value* offers = r.member(doc, "offers");
  if (offers != nullptr && offers->is_array() && offers->size() > kMaxOffers)
    return make_error("too_many_offers",
                      "offers: " + std::to_string(offers->size()) + " offers; at most " +
                          std::to_string(kMaxOffers) + " per request (send one retailer's)");
  offers = r.array(doc, "offers", "offers", false, kMaxOffers);
  if (r.failed()) return r.error();
  std::map<std::string, std::size_t> ids;              // every offer id -> offer position
  std::map<std::string, std::size_t> discount_index;   // discount offer id -> discounts index
  std::vector<std::pair<std::size_t, std::vector<std::string>>> not_with;  // (discount, ids)
  std::vector<std::size_t> discount_position;          // discounts index -> offer position
  const std::string retailer = utf8::ascii_lower(req.cart.retailer);
  for (std::size_t i = 0; offers != nullptr && i < offers->size(); ++i) {
    const Path op = at("offers", i);
    const Value& oj = (*offers)[i];
    if (!oj.is_object()) return make_error("invalid_field", op.str() + ": must be an object");
    const std::string id = r.string(oj, "id", op + ".id", true);
    const std::string kind = r.string(oj, "kind", op + ".kind", true);
    if (r.failed()) return r.error();
    if (!ids.emplace(id, i).second)
      return make_error("duplicate_id", op.str() + ".id: \"" + id + "\" is used by two offers");
    const std::string currency = r.string(oj, "currency", op + ".currency", false);
    if (!currency.empty() && currency != req.cart.currency)
      return make_error("currency_mismatch", op.str() + ".currency: is " + currency.substr(0, 20) +
                                                 " but the cart is in " + req.cart.currency);
    const std::string offer_retailer = utf8::ascii_lower(r.string(oj, "retailer", op + ".retailer", false));
    if (r.failed()) return r.error();
    const bool elsewhere = !offer_retailer.empty() && !retailer.empty() && offer_retailer != retailer;

    if (kind == "code" || kind == "promotion") {
      DiscountOffer d;
      d.id = id;
      d.label = r.string(oj, "label", op + ".label", false);
      if (kind == "code") {
        d.code = r.string(oj, "code", op + ".code", true);
        if (!r.failed() && d.code.size() > 100)
          r.fail(op + ".code", "invalid_field", "is longer than 100 bytes");
      }
      read_discount(r, oj, op, d);
      const auto others = r.strings(oj, "not_with", op + ".not_with");
      if (r.failed()) return r.error();
      if (elsewhere) {
        req.ignored.push_back({id, "other_retailer"});
        continue;
      }
      discount_index[id] = req.discounts.size();
      discount_position.push_back(i);
      if (!others.empty()) not_with.emplace_back(req.discounts.size(), others);
      req.discounts.push_back(std::move(d));
    } else if (kind == "portal") {
      Portal p;
      p.id = id;
      p.name = r.string(oj, "name", op + ".name", false);
      read_back(r, oj, "cashback", op + ".cashback", p.is_percent, p.percent, p.amount);
      if (r.member(oj, "cap") != nullptr) p.cap = r.money(oj, "cap", op + ".cap", true);
      p.excludes_gift_cards = r.boolean(oj, "excludes_gift_cards", op + ".excludes_gift_cards", false);
      if (r.member(oj, "listed_codes") != nullptr) {
        auto codes = r.strings(oj, "listed_codes", op + ".listed_codes");
        for (auto& c : codes) c = utf8::ascii_lower(c);
        p.listed_codes = std::move(codes);
      }
      p.unlisted_codes_void = r.boolean(oj, "unlisted_codes_void", op + ".unlisted_codes_void", true);
      p.pending_days = r.integer(oj, "pending_days", op + ".pending_days", 0, 3650, 0);
      p.clawback_on_returns = r.boolean(oj, "clawback_on_returns", op + ".clawback_on_returns", false);
      if (r.failed()) return r.error();
      if (elsewhere) req.ignored.push_back({id, "other_retailer"});
      else req.portals.push_back(std::move(p));
    } else if (kind == "card_offer") {
      CardOffer c;
      c.id = id;
      c.label = r.string(oj, "label", op + ".label", false);
      c.card = r.string(oj, "card", op + ".card", true);
      read_back(r, oj, "back", op + ".back", c.is_percent, c.percent, c.amount);
      c.min_spend = r.money(oj, "min_spend", op + ".min_spend", false);
      if (r.member(oj, "cap") != nullptr) c.cap = r.money(oj, "cap", op + ".cap", true);
      c.excluded_payment_paths = r.strings(oj, "excluded_payment_paths", op + ".excluded_payment_paths");
      c.pending_days = r.integer(oj, "pending_days", op + ".pending_days", 0, 3650, 0);
      if (r.failed()) return r.error();
      const bool held = std::any_of(req.wallet.cards.begin(), req.wallet.cards.end(),
                                    [&](const Card& k) { return k.id == c.card; });
      if (elsewhere) req.ignored.push_back({id, "other_retailer"});
      else if (!held) req.ignored.push_back({id, "card_not_in_wallet"});
      else req.card_offers.push_back(std::move(c));
    } else if (kind == "gift_card") {
      GiftCardOffer g;
      g.id = id;
      g.source = r.string(oj, "source", op + ".source", false);
      g.label = r.string(oj, "label", op + ".label", false);
      const Rate discount = r.percent(oj, "discount_percent", op + ".discount_percent", false, 100);
      const bool has_discount = r.member(oj, "discount_percent") != nullptr;
      const Value* denoms = r.array(oj, "denominations", op + ".denominations", true, 20);
      if (denoms != nullptr && denoms->empty())
        r.fail(op + ".denominations", "invalid_field", "must hold at least one denomination");
      for (std::size_t k = 0; denoms != nullptr && k < denoms->size() && !r.failed(); ++k) {
        const Path dp = at(op + ".denominations", k);
        const Value& dj = (*denoms)[k];
        if (!dj.is_object()) {
          r.fail(dp, "invalid_field", "must be an object");
          break;
        }
        Denomination d;
        d.face = r.money(dj, "face", dp + ".face", true);
        if (!r.failed() && d.face == 0) r.fail(dp + ".face", "amount_out_of_range", "must be above 0");
        if (r.member(dj, "price") != nullptr || !has_discount) {
          d.price = r.money(dj, "price", dp + ".price", true);
        } else {
          // Rounded down in the shopper's favour only by what the seller's own rounding
          // could do; half-up like the rest.
          d.price = d.face - static_cast<Minor>((static_cast<__int128>(d.face) * discount.ppm +
                                                 Rate::kOne / 2) / Rate::kOne);
        }
        if (!r.failed() && d.price > d.face)
          r.fail(dp + ".price", "invalid_field", "costs more than its face value");
        g.denominations.push_back(d);
      }
      g.max_per_order = static_cast<int>(r.integer(oj, "max_per_order", op + ".max_per_order", 1, 20, 1));
      g.combines_with_codes = r.boolean(oj, "combines_with_codes", op + ".combines_with_codes", true);
      if (r.failed()) return r.error();
      if (elsewhere) req.ignored.push_back({id, "other_retailer"});
      else req.gift_cards.push_back(std::move(g));
    } else {
      return make_error("unknown_offer_kind",
                        op.str() + ".kind: \"" + kind.substr(0, 40) +
                            "\" is not one of \"code\", \"promotion\", \"portal\", "
                            "\"card_offer\", \"gift_card\"");
    }
  }
  for (const auto& [d, others] : not_with) {
    const Path op = at("offers", discount_position[d]) + ".not_with";
    for (const std::string& other : others) {
      const auto it = discount_index.find(other);
      if (it == discount_index.end()) {
        if (ids.count(other) != 0) continue;  // a non-discount or another retailer's offer
        return make_error("unknown_offer", op.str() + ": no offer has the id \"" + other.substr(0, 100) + "\"");
      }
      if (it->second == d) return make_error("invalid_field", op.str() + ": an offer can't exclude itself");
      req.discounts[d].not_with.push_back(it->second);
    }
  }
  return req;
}

}  // namespace dealstack::stacking
