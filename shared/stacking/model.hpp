// The deal stacker's model: a cart, the retailer's discount rules, the offers that might
// apply (codes, automatic promotions, cashback portals, card-linked offers, discounted gift
// cards), the shopper's wallet and preferences. docs/stacking.md is the wire form of all of
// this; shared/stacking/request_json.cpp reads it and checks every field.
//
// Units everywhere: money is an int64 count of the cart currency's minor units (Minor);
// a rate is an int64 count of millionths (Rate: 12.5 % = 125000 ppm). No floating point.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace dealstack::stacking {

using Minor = std::int64_t;

// A fraction in millionths: 1'000'000 = 100 %. Percent text "12.5" reads as 125000.
struct Rate {
  std::int64_t ppm = 0;
  static constexpr std::int64_t kOne = 1'000'000;
  friend bool operator==(const Rate&, const Rate&) = default;
};

// Largest amount (minor units) and quantity a request may carry; larger is refused as
// absurd, and these bounds keep every intermediate product inside 128 bits.
constexpr Minor kMaxAmount = 1'000'000'000'000;  // 10^12 minor units (10 billion dollars)
constexpr std::int64_t kMaxQuantity = 1'000'000;
// Most discounts (codes and promotions together) one stack may carry.
constexpr std::size_t kMaxDiscountsPerStack = 32;
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
constexpr int kUnlimited = std::numeric_limits<int>::max();

enum class RoundingMode { half_up, half_even };
enum class RoundingScope { order, line };  // round once per order, or each line
// Who decides the order discounts apply in:
//  entry:       automatic promotions first (as listed), then codes in the order the shopper
//               enters them; the stacker chooses that order.
//  woocommerce: fixed amount per product line, then percentages, then fixed amount per
//               cart (each group in the order listed).
//  shopify:     product-class discounts, then order-class discounts (each as listed).
enum class ApplicationOrder { entry, woocommerce, shopify };
// Percentages off the original prices, or off what is left after earlier discounts.
enum class PercentBasis { compounded, original };
enum class AmountBasis { before_discounts, after_discounts };

struct Line {
  std::string sku;
  std::string name;
  Minor unit_price = 0;
  std::int64_t quantity = 1;
  std::vector<std::string> tags;  // e.g. "shoes", "brand:acme"; matched exactly
  Minor original() const { return unit_price * quantity; }
};

struct ShippingOption {
  std::string id;
  std::string name;
  Minor price = 0;
  std::optional<Minor> free_over;  // shipping is free when the merchandise reaches this
  AmountBasis free_over_basis = AmountBasis::after_discounts;
};

struct Tax {
  Rate rate;                                    // 8.875 % = 88750
  AmountBasis basis = AmountBasis::after_discounts;
  bool shipping_taxable = false;
};

struct Cart {
  std::string retailer;
  std::string currency;  // ISO 4217
  int exponent = 2;      // the currency's minor-unit digits
  std::vector<Line> lines;
  std::vector<ShippingOption> shipping;  // empty: no shipping charge
  Tax tax;
};

struct RetailerRules {
  ApplicationOrder order = ApplicationOrder::entry;
  PercentBasis percent_basis = PercentBasis::compounded;
  RoundingMode rounding = RoundingMode::half_up;
  RoundingScope rounding_scope = RoundingScope::order;
  int max_codes = 1;                         // codes per order (promotions don't count)
  int max_product_order_codes = kUnlimited;  // Shopify: 5
  int max_shipping_codes = kUnlimited;       // Shopify: 1
  int max_gift_cards = kUnlimited;           // gift cards per order, all sources together
};

enum class DiscountType { percent, amount, fixed_price, buy_x_get_y, tiered, free_shipping };
// Shopify's discount classes; also what the combinability flags talk about.
enum class DiscountClass { product = 0, order = 1, shipping = 2 };

struct Tier {
  Minor min_spend = 0;  // on the eligible lines before discounts
  std::int64_t min_quantity = 0;
  bool is_percent = false;
  Rate percent;
  Minor amount = 0;
};

struct Discount {
  DiscountType type = DiscountType::percent;
  Rate percent;               // percent; buy_x_get_y: off the "get" units (default 100 %)
  Minor amount = 0;           // amount
  bool per_unit = false;      // amount: off each eligible unit instead of once per order
  Minor price = 0;            // fixed_price: each eligible unit costs this
  std::int64_t buy = 0;       // buy_x_get_y
  std::int64_t get = 0;
  std::int64_t max_uses = 0;  // buy_x_get_y: most groups discounted; 0 = no limit
  std::vector<Tier> tiers;    // tiered, ascending by min_spend
  std::vector<std::string> shipping_options;  // free_shipping: only these ids (empty: all)
};

// Which cart lines an offer looks at. Empty skus and tags: every line.
struct Scope {
  std::vector<std::string> skus;
  std::vector<std::string> tags;
  std::vector<std::string> exclude_skus;
  std::vector<std::string> exclude_tags;
  bool selects() const { return !skus.empty() || !tags.empty(); }
};

// A coupon code (code non-empty) or an automatic promotion (code empty).
struct DiscountOffer {
  std::string id;
  std::string label;
  std::string code;
  bool automatic() const { return code.empty(); }
  Discount discount;
  Scope scope;
  DiscountClass cls = DiscountClass::order;
  Minor min_spend = 0;            // eligible lines' subtotal before discounts
  std::int64_t min_quantity = 0;  // eligible units
  std::optional<Minor> max_discount;
  bool combines_with[3] = {true, true, true};  // indexed by DiscountClass
  bool exclusive = false;                      // combines with no other discount
  std::vector<std::size_t> not_with;           // indices into Request::discounts
};

struct Portal {
  std::string id;
  std::string name;
  bool is_percent = true;
  Rate percent;
  Minor amount = 0;                       // a fixed amount per qualifying order
  std::optional<Minor> cap;
  bool excludes_gift_cards = false;       // the gift-card-paid part earns nothing
  std::optional<std::vector<std::string>> listed_codes;  // lower case; absent: any code
  bool unlisted_codes_void = true;        // with listed_codes: another code voids cashback
  std::int64_t pending_days = 0;
  bool clawback_on_returns = false;
};

// A card-linked offer (Amex Offers, Chase Offers, ...). At most one applies per order: the
// card issuers let a card hold one offer per shop.
struct CardOffer {
  std::string id;
  std::string label;
  std::string card;  // a wallet card id
  bool is_percent = true;
  Rate percent;
  Minor amount = 0;
  Minor min_spend = 0;  // on the amount charged to the card
  std::optional<Minor> cap;
  std::vector<std::string> excluded_payment_paths;  // e.g. "paypal", "apple_pay"
  std::int64_t pending_days = 0;
};

struct Denomination {
  Minor face = 0;
  Minor price = 0;  // what the shopper pays for it
};

struct GiftCardOffer {
  std::string id;
  std::string source;  // where it is sold
  std::string label;
  std::vector<Denomination> denominations;
  int max_per_order = 1;  // cards from this offer in one order
  bool combines_with_codes = true;
};

struct Card {
  std::string id;
  std::string name;
  Rate earn;                          // rewards per unit charged: 2 % = 20000
  Rate reward_value{Rate::kOne};      // what one unit of rewards is worth to the shopper
};

struct Wallet {
  std::vector<Card> cards;
  std::string payment_path = "direct";  // how the shopper pays: "direct", "paypal", ...
};

struct Preferences {
  Rate cashback_value{Rate::kOne};  // what a unit of portal cashback is worth
  bool alternatives = true;
  bool hints = true;
};

// An offer the request carried but the stacker set aside (another retailer).
struct IgnoredOffer {
  std::string id;
  std::string reason;
};

struct Request {
  Cart cart;
  RetailerRules rules;
  std::vector<DiscountOffer> discounts;
  std::vector<Portal> portals;
  std::vector<CardOffer> card_offers;
  std::vector<GiftCardOffer> gift_cards;
  Wallet wallet;
  Preferences preferences;
  std::vector<IgnoredOffer> ignored;
};

// One fully specified way to buy the cart.
struct GiftCardUse {
  std::size_t offer = 0;         // index into Request::gift_cards
  std::size_t denomination = 0;  // index into its denominations
  std::int64_t count = 0;
};

struct Stack {
  // Indices into Request::discounts. In `entry` order, the codes' order here is the order
  // they are entered; in the other orders it doesn't matter (the retailer decides).
  std::vector<std::size_t> discounts;
  std::size_t shipping = kNone;  // index into Cart::shipping; kNone when there are none
  std::size_t portal = kNone;    // index into Request::portals
  std::size_t card = kNone;      // index into Wallet::cards; kNone: no card rewards
  bool card_offers = true;       // whether the card's linked offers are used
  std::vector<GiftCardUse> gift_cards;
};

}  // namespace dealstack::stacking
