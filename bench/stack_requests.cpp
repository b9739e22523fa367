// The request generator of the stacking benchmark. The mix below is meant to look like one
// retailer's page in a real deal feed, not like a worst case:
//
// Retailer: platform generic 40 % (max_codes 1 at 60 %, else 2; entry order), shopify 35 %
//   (the platform preset: 6 codes, 5 product/order + 1 shipping, shopify order), woocommerce
//   25 % (max_codes 1/2/3, a quarter of its codes "individual use" = exclusive); rounding
//   half_up, 10 % half_even, 10 % per line. The shop sells 3-4 categories and 3-5 brands.
// Cart: N lines, unit prices 3-300 (15 % under 10, 30 % 10-30, 30 % 30-80, 15 % 80-150,
//   10 % 150-300; endings .99/.00/.95/.49), quantity 1 (70 %), 2 (20 %), 3 (10 %); tags: one
//   category, one brand, "sale" on 15 %. Shipping: 1-3 options (standard with free_over
//   35-99 on 85 %, express, economy or pickup). Tax 0 % on a fifth of the shops, else 5 to
//   10.25 %, after discounts (90 %), shipping taxable on 30 %.
// Offers (N = all kinds together): 0-2 gift-card offers (2-4 denominations, max_per_order
//   1-3), 1-4 portals (percent, 15 % fixed; 30 % listing 1-3 codes, 30 % excluding gift
//   cards, 20 % capped), 1-3 card offers for 1-3 wallet cards; of the rest, 1 + up to an
//   eighth (at most 4 in all) are automatic promotions (percent on a tag, free shipping
//   over, tiers, bxgy, amount over a minimum) and all others codes:
//   percent 42 % (a third with a min spend, a fifth capped), amount per order 24 % (mostly
//   "X off Y"), amount per unit 6 %, free shipping 12 %, tiered 6 %, bxgy 6 %, fixed price
//   4 %; 30 % of percent/amount codes scoped to tags or skus (often ones not in the cart, as
//   in a real feed), 3 % exclusive (generic), 3 % naming another code in not_with.
//   Shopify codes carry the combines_with a merchant typically ticks (mostly "shipping",
//   often "product"). Some codes don't apply to a given cart (scope or min spend missed),
//   as on real coupon pages.
#include "stack_requests.hpp"

#include <algorithm>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dealstack::bench {
namespace {

using nlohmann::json;

// splitmix64: tiny, well mixed, identical on every platform.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); the modulo bias is far below anything a benchmark could notice.
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  int between(int lo, int hi) { return lo + below(hi - lo + 1); }  // inclusive
  bool chance(int percent) { return below(100) < percent; }
  // Index chosen with the given relative weights.
  int weighted(std::initializer_list<int> weights) {
    int total = 0;
    for (int w : weights) total += w;
    int r = below(total), k = 0;
    for (int w : weights) {
      if (r < w) return k;
      r -= w;
      ++k;
    }
    return k - 1;
  }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(below(static_cast<int>(v.size())))];
  }

 private:
  std::uint64_t s_;
};

// Minor units (cents) as the request's decimal string: 1999 -> "19.99".
std::string money(std::int64_t cents) {
  std::string frac = std::to_string(cents % 100);
  if (frac.size() < 2) frac = "0" + frac;
  return std::to_string(cents / 100) + "." + frac;
}

std::int64_t dollars(int d) { return static_cast<std::int64_t>(d) * 100; }

const std::vector<std::string> kCategories = {"shoes", "apparel", "outdoor", "electronics",
                                              "home",  "beauty",  "kids",    "accessories"};
const std::vector<std::string> kBrands = {"brand:acme",  "brand:northpeak", "brand:lumen",
                                          "brand:koru",  "brand:vela",      "brand:orbit",
                                          "brand:tallis"};
const std::vector<std::string> kCodeWords = {
    "SAVE", "WELCOME", "SPRING", "SUMMER", "FALL",  "HOLIDAY", "VIP",  "EXTRA",
    "TAKE", "DEAL",    "FLASH",  "APP",    "EMAIL", "STUDENT", "BDAY", "GET"};
const std::vector<std::string> kPortals = {
    "Rakuten", "TopCashback", "BeFrugal", "Capital One Shopping", "Mr. Rebates", "Swagbucks"};
const std::vector<std::string> kGiftSources = {"Raise", "CardCash", "GiftCardGranny", "ABC Cards"};

struct Shop {
  std::vector<std::string> categories;
  std::vector<std::string> brands;
  std::vector<std::string> skus;  // in the cart
  std::string platform;
};

// A few distinct items of `from`.
std::vector<std::string> some(Rng& rng, const std::vector<std::string>& from, int n) {
  std::vector<std::string> pool = from, out;
  for (int k = 0; k < n && !pool.empty(); ++k) {
    const int i = rng.below(static_cast<int>(pool.size()));
    out.push_back(pool[static_cast<std::size_t>(i)]);
    pool.erase(pool.begin() + i);
  }
  return out;
}

std::int64_t unit_price(Rng& rng) {
  static const int lo[] = {3, 10, 30, 80, 150};
  static const int hi[] = {9, 29, 79, 149, 299};
  const int band = rng.weighted({15, 30, 30, 15, 10});
  const std::int64_t whole = dollars(rng.between(lo[band], hi[band]));
  static const int endings[] = {99, 0, 95, 49};
  return whole + endings[rng.weighted({55, 20, 15, 10})];
}

json make_cart(Rng& rng, const RequestSpec& spec, Shop& shop, RequestShape& shape) {
  json cart;
  cart["retailer"] = "shop-" + std::to_string(spec.seed % 997) + ".example";
  cart["currency"] = "USD";
  json lines = json::array();
  for (int i = 0; i < spec.lines; ++i) {
    json line;
    const std::string sku = "SKU-" + std::to_string(1000 + rng.below(9000));
    shop.skus.push_back(sku);
    line["sku"] = sku;
    line["name"] = "Item " + std::to_string(i + 1);
    line["unit_price"] = money(unit_price(rng));
    line["quantity"] = 1 + rng.weighted({70, 20, 10});
    json tags = json::array({rng.pick(shop.categories), rng.pick(shop.brands)});
    if (rng.chance(15)) tags.push_back("sale");
    line["tags"] = tags;
    lines.push_back(line);
  }
  cart["lines"] = lines;

  json shipping = json::array();
  const int options = 1 + rng.weighted({40, 40, 20});
  {
    json standard = {{"id", "standard"}, {"name", "Standard"}};
    standard["price"] = money(rng.pick(std::vector<std::int64_t>{495, 599, 695, 799, 895}));
    if (rng.chance(85)) {
      standard["free_over"] = money(dollars(rng.pick(std::vector<int>{35, 49, 50, 75, 99})));
      if (rng.chance(10)) standard["free_over_basis"] = "before_discounts";
    }
    shipping.push_back(standard);
  }
  if (options >= 2) {
    json express = {{"id", "express"}, {"name", "Express"}};
    express["price"] = money(rng.pick(std::vector<std::int64_t>{1295, 1499, 1995, 2495}));
    if (rng.chance(40)) express["free_over"] = money(dollars(rng.chance(50) ? 150 : 200));
    shipping.push_back(express);
  }
  if (options >= 3) {
    if (rng.chance(50)) {
      shipping.push_back({{"id", "pickup"}, {"name", "Store pickup"}, {"price", "0.00"}});
    } else {
      shipping.push_back({{"id", "economy"},
                          {"name", "Economy"},
                          {"price", money(rng.pick(std::vector<std::int64_t>{299, 349, 399}))}});
    }
  }
  shape.shipping_options = options;
  cart["shipping_options"] = shipping;

  if (!rng.chance(20)) {
    json tax;
    tax["percent"] = rng.pick(std::vector<std::string>{"5", "6", "7.25", "8.25", "8.875", "10.25"});
    if (rng.chance(10)) tax["basis"] = "before_discounts";
    if (rng.chance(30)) tax["shipping_taxable"] = true;
    cart["tax"] = tax;
  }
  return cart;
}

json make_rules(Rng& rng, Shop& shop, RequestShape& shape) {
  json rules = json::object();
  switch (rng.weighted({40, 35, 25})) {
    case 0:
      shop.platform = "generic";
      shape.max_codes = rng.chance(60) ? 1 : 2;
      rules["max_codes"] = shape.max_codes;
      break;
    case 1:
      shop.platform = "shopify";
      rules["platform"] = "shopify";
      shape.max_codes = 6;
      break;
    default:
      shop.platform = "woocommerce";
      rules["platform"] = "woocommerce";
      shape.max_codes = 1 + rng.weighted({30, 40, 30});
      rules["max_codes"] = shape.max_codes;
      break;
  }
  shape.platform = shop.platform;
  const int rounding = rng.weighted({80, 10, 10});
  if (rounding == 1) rules["rounding"] = {{"mode", "half_even"}};
  if (rounding == 2) rules["rounding"] = {{"scope", "line"}};
  return rules;
}

// A scope naming the shop's tags (or a sku, in the cart or not).
json make_scope(Rng& rng, const Shop& shop) {
  json scope;
  switch (rng.weighted({70, 20, 10})) {
    case 0:
      scope["tags"] =
          json::array({rng.chance(60) ? rng.pick(shop.categories) : rng.pick(shop.brands)});
      break;
    case 1:
      scope["tags"] = some(rng, shop.categories, 2);
      break;
    default:
      scope["skus"] = json::array({rng.chance(50) && !shop.skus.empty()
                                       ? rng.pick(shop.skus)
                                       : "SKU-" + std::to_string(1000 + rng.below(9000))});
      break;
  }
  return scope;
}

json tiers(Rng& rng) {
  if (rng.chance(60)) {
    const int base = rng.pick(std::vector<int>{50, 75, 100});
    return json::array(
        {{{"min_spend", money(dollars(base))}, {"amount", money(dollars(base / 10))}},
         {{"min_spend", money(dollars(base * 2))}, {"amount", money(dollars(base * 3 / 10))}},
         {{"min_spend", money(dollars(base * 4))}, {"amount", money(dollars(base * 8 / 10))}}});
  }
  return json::array({{{"min_spend", "75.00"}, {"percent", "10"}},
                      {{"min_spend", "150.00"}, {"percent", "15"}},
                      {{"min_spend", "300.00"}, {"percent", "20"}}});
}

// Shopify's combines_with as merchants tick it, by the discount's own class.
json shopify_combines(Rng& rng, const std::string& cls) {
  if (cls == "shipping") {
    switch (rng.weighted({60, 20, 20})) {
      case 0:
        return {{"product", true}, {"order", true}};
      case 1:
        return {{"order", true}};
      default:
        return json::object();
    }
  }
  if (cls == "product") {
    switch (rng.weighted({40, 30, 15, 15})) {
      case 0:
        return {{"product", true}, {"shipping", true}};
      case 1:
        return {{"shipping", true}};
      case 2:
        return {{"order", true}, {"shipping", true}};
      default:
        return json::object();
    }
  }
  switch (rng.weighted({50, 20, 30})) {
    case 0:
      return {{"shipping", true}};
    case 1:
      return {{"product", true}, {"shipping", true}};
    default:
      return json::object();
  }
}

// The class the stacker derives (shared/stacking/request_json.cpp), for combines_with.
std::string derived_class(const json& offer) {
  const std::string type = offer["discount"]["type"];
  if (type == "free_shipping") return "shipping";
  if (type == "buy_x_get_y" || offer.contains("scope")) return "product";
  return "order";
}

json make_code(Rng& rng, const Shop& shop, int k, std::set<std::string>& used_codes) {
  json offer;
  offer["id"] = "code-" + std::to_string(k);
  offer["kind"] = "code";
  json discount;
  int shown = 0;  // the number in the code ("SAVE15")
  switch (rng.weighted({42, 24, 6, 12, 6, 6, 4})) {
    case 0: {  // percent
      const int pct = rng.pick(std::vector<int>{5, 10, 10, 15, 15, 20, 20, 25, 30, 40});
      shown = pct;
      discount = {{"type", "percent"}, {"percent", std::to_string(pct)}};
      if (rng.chance(35))
        offer["min_spend"] =
            money(dollars(rng.pick(std::vector<int>{25, 35, 50, 75, 100, 150, 200})));
      if (rng.chance(20))
        offer["max_discount"] = money(dollars(rng.pick(std::vector<int>{25, 50, 100})));
      if (rng.chance(30))
        offer["scope"] = make_scope(rng, shop);
      else if (rng.chance(10))
        offer["scope"] = {{"exclude_tags", {"sale"}}};
      break;
    }
    case 1: {  // amount off the order, mostly "X off Y"
      const int off = rng.pick(std::vector<int>{5, 10, 10, 15, 20, 25, 50});
      shown = off;
      discount = {{"type", "amount"}, {"amount", money(dollars(off))}};
      if (rng.chance(80))
        offer["min_spend"] = money(dollars(off * rng.pick(std::vector<int>{3, 4, 5, 10})));
      if (rng.chance(30)) offer["scope"] = make_scope(rng, shop);
      break;
    }
    case 2: {  // amount off each unit of a category
      const int off = rng.pick(std::vector<int>{2, 3, 5});
      shown = off;
      discount = {{"type", "amount"}, {"amount", money(dollars(off))}, {"per", "unit"}};
      offer["scope"] = {{"tags", {rng.pick(shop.categories)}}};
      break;
    }
    case 3: {  // free shipping
      discount = {{"type", "free_shipping"}};
      if (rng.chance(30)) discount["shipping_options"] = {"standard"};
      if (rng.chance(50))
        offer["min_spend"] = money(dollars(rng.pick(std::vector<int>{25, 35, 50})));
      break;
    }
    case 4:  // spend more, save more
      discount = {{"type", "tiered"}, {"tiers", tiers(rng)}};
      break;
    case 5: {  // buy one get one (free or half off)
      const int buy = rng.between(1, 2);
      shown = buy + 1;
      discount = {{"type", "buy_x_get_y"}, {"buy", buy}, {"get", 1}};
      if (rng.chance(40)) discount["percent"] = "50";
      if (rng.chance(30)) discount["max_uses"] = 1;
      if (rng.chance(80)) offer["scope"] = {{"tags", {rng.pick(shop.categories)}}};
      break;
    }
    default: {  // any item of a category for a fixed price
      const std::int64_t price = rng.pick(std::vector<std::int64_t>{999, 1499, 1999, 2999});
      shown = static_cast<int>(price / 100 + 1);
      discount = {{"type", "fixed_price"}, {"price", money(price)}};
      offer["scope"] = {{"tags", {rng.pick(shop.categories)}}};
      break;
    }
  }
  offer["discount"] = discount;
  const std::string type = discount["type"];
  std::string code =
      type == "free_shipping" ? (rng.chance(50) ? "FREESHIP" : "SHIPFREE") : rng.pick(kCodeWords);
  if (shown > 0) code += std::to_string(shown);
  // Real feeds repeat words; the codes themselves are distinct.
  for (char suffix = 'A'; used_codes.count(code) != 0; ++suffix) code += suffix;
  used_codes.insert(code);
  offer["code"] = code;
  offer["label"] = code;
  return offer;
}

json make_promotion(Rng& rng, const Shop& shop, int k) {
  json offer;
  offer["id"] = "promo-" + std::to_string(k);
  offer["kind"] = "promotion";
  switch (rng.weighted({35, 25, 15, 15, 10})) {
    case 0: {
      const std::string tag = rng.chance(70) ? rng.pick(shop.categories) : rng.pick(shop.brands);
      const int pct = rng.pick(std::vector<int>{10, 15, 20, 25, 30});
      offer["label"] = std::to_string(pct) + "% off " + tag;
      offer["discount"] = {{"type", "percent"}, {"percent", std::to_string(pct)}};
      offer["scope"] = {{"tags", {tag}}};
      break;
    }
    case 1:
      offer["label"] = "Free shipping over a minimum";
      offer["discount"] = {{"type", "free_shipping"}};
      offer["min_spend"] = money(dollars(rng.pick(std::vector<int>{50, 75, 100})));
      break;
    case 2:
      offer["label"] = "Spend more, save more";
      offer["discount"] = {{"type", "tiered"}, {"tiers", tiers(rng)}};
      break;
    case 3:
      offer["label"] = "Buy one, get one half off";
      offer["discount"] = {{"type", "buy_x_get_y"}, {"buy", 1}, {"get", 1}, {"percent", "50"}};
      offer["scope"] = {{"tags", {rng.pick(shop.categories)}}};
      break;
    default: {
      const int off = rng.pick(std::vector<int>{10, 15, 20});
      offer["label"] = "$" + std::to_string(off) + " off $" + std::to_string(off * 5);
      offer["discount"] = {{"type", "amount"}, {"amount", money(dollars(off))}};
      offer["min_spend"] = money(dollars(off * 5));
      break;
    }
  }
  return offer;
}

}  // namespace

GeneratedRequest make_stack_request(const RequestSpec& spec) {
  Rng rng(spec.seed * 0x9E3779B97F4A7C15ull ^ (static_cast<std::uint64_t>(spec.lines) << 40) ^
          (static_cast<std::uint64_t>(spec.offers) << 20));
  GeneratedRequest out;
  RequestShape& shape = out.shape;
  Shop shop;
  shop.categories = some(rng, kCategories, rng.between(3, 4));
  shop.brands = some(rng, kBrands, rng.between(3, 5));

  json request;
  json rules = make_rules(rng, shop, shape);
  request["cart"] = make_cart(rng, spec, shop, shape);
  request["retailer"] = rules;

  // How many of each kind; codes and promotions take what the other kinds leave.
  const int total = std::max(spec.offers, 4);
  int gift = rng.weighted({40, 45, 15});
  int portals = 1 + rng.weighted({30, 35, 25, 10});
  int cards = 1 + rng.weighted({50, 35, 15});
  while (total - gift - portals - cards < 2) {
    if (gift > 0)
      --gift;
    else if (portals > 1)
      --portals;
    else
      --cards;
  }
  const int rest = total - gift - portals - cards;
  const int promotions =
      std::min(rest - 1, 1 + (rest >= 8 ? rng.below(std::min(rest / 8, 3) + 1) : 0));
  const int codes = rest - promotions;

  json offers = json::array();
  std::set<std::string> used_codes;
  std::vector<std::string> code_texts, code_ids;
  for (int k = 1; k <= codes; ++k) {
    json code = make_code(rng, shop, k, used_codes);
    if (shop.platform == "shopify") {
      code["combines_with"] = shopify_combines(rng, derived_class(code));
    } else if (shop.platform == "woocommerce") {
      if (rng.chance(25)) code["exclusive"] = true;
    } else if (rng.chance(3)) {
      code["exclusive"] = true;
    }
    if (!code_ids.empty() && rng.chance(3)) code["not_with"] = {rng.pick(code_ids)};
    code_texts.push_back(code["code"]);
    code_ids.push_back(code["id"]);
    offers.push_back(code);
  }
  for (int k = 1; k <= promotions; ++k) {
    json promo = make_promotion(rng, shop, k);
    if (shop.platform == "shopify")
      promo["combines_with"] = rng.chance(60)
                                   ? json{{"product", true}, {"order", true}, {"shipping", true}}
                                   : json{{"shipping", true}};
    offers.push_back(promo);
  }

  const std::vector<std::string> portal_names = some(rng, kPortals, portals);
  for (int k = 0; k < portals; ++k) {
    json portal;
    portal["id"] = "portal-" + std::to_string(k + 1);
    portal["kind"] = "portal";
    portal["name"] = portal_names[static_cast<std::size_t>(k)];
    if (rng.chance(85)) {
      portal["cashback"] = {{"percent", rng.pick(std::vector<std::string>{"1", "2", "2.5", "3", "4",
                                                                          "5", "6", "8", "10"})}};
      if (rng.chance(20)) portal["cap"] = money(dollars(rng.pick(std::vector<int>{10, 25, 50})));
    } else {
      portal["cashback"] = {{"amount", money(dollars(rng.pick(std::vector<int>{5, 10, 15})))}};
    }
    if (rng.chance(30) && !code_texts.empty())
      portal["listed_codes"] = some(rng, code_texts, rng.between(1, 3));
    if (rng.chance(30)) portal["excludes_gift_cards"] = true;
    portal["pending_days"] = rng.pick(std::vector<int>{30, 60, 90, 120});
    if (rng.chance(30)) portal["clawback_on_returns"] = true;
    offers.push_back(portal);
  }

  json wallet;
  const int wallet_cards = std::max(1 + rng.weighted({30, 45, 25}), std::min(cards, 3));
  json card_list = json::array();
  for (int c = 0; c < wallet_cards; ++c) {
    json card = {{"id", "card-" + std::to_string(c + 1)},
                 {"earn_percent", rng.pick(std::vector<std::string>{"1", "1.5", "2", "3", "5"})}};
    if (rng.chance(25)) card["reward_value_percent"] = rng.chance(50) ? "125" : "150";
    card_list.push_back(card);
  }
  wallet["cards"] = card_list;
  if (rng.chance(10)) wallet["payment_path"] = "paypal";
  request["wallet"] = wallet;
  for (int k = 0; k < cards; ++k) {
    json offer;
    offer["id"] = "card-offer-" + std::to_string(k + 1);
    offer["kind"] = "card_offer";
    offer["card"] = "card-" + std::to_string(1 + rng.below(wallet_cards));
    if (rng.chance(40)) {
      offer["back"] = {{"percent", rng.chance(50) ? "5" : "10"}};
      offer["cap"] = money(dollars(rng.pick(std::vector<int>{10, 25, 50})));
      if (rng.chance(50)) offer["min_spend"] = money(dollars(rng.pick(std::vector<int>{25, 50})));
    } else {
      offer["back"] = {{"amount", money(dollars(rng.pick(std::vector<int>{5, 10, 15, 20})))}};
      offer["min_spend"] = money(dollars(rng.pick(std::vector<int>{25, 50, 75, 100})));
    }
    if (rng.chance(15)) offer["excluded_payment_paths"] = {"paypal"};
    offer["pending_days"] = rng.pick(std::vector<int>{30, 60, 90});
    offers.push_back(offer);
  }

  for (int k = 0; k < gift; ++k) {
    json offer;
    offer["id"] = "gift-" + std::to_string(k + 1);
    offer["kind"] = "gift_card";
    offer["source"] = rng.pick(kGiftSources);
    std::vector<int> faces;
    for (const std::string& f :
         some(rng, {"10", "25", "50", "100", "150", "200", "250"}, rng.between(2, 4)))
      faces.push_back(std::stoi(f));
    std::sort(faces.begin(), faces.end());
    json denoms = json::array();
    if (rng.chance(70)) {
      offer["discount_percent"] =
          rng.pick(std::vector<std::string>{"2", "3", "4.5", "6", "8", "10", "12"});
      for (int f : faces) denoms.push_back({{"face", money(dollars(f))}});
    } else {
      const int off = rng.between(3, 12);  // percent, so whole-dollar faces give whole cents
      for (int f : faces)
        denoms.push_back(
            {{"face", money(dollars(f))}, {"price", money(dollars(f) * (100 - off) / 100)}});
    }
    offer["denominations"] = denoms;
    offer["max_per_order"] = 1 + rng.weighted({60, 30, 10});
    if (rng.chance(15)) offer["combines_with_codes"] = false;
    offers.push_back(offer);
  }
  request["offers"] = offers;

  shape.codes = codes;
  shape.promotions = promotions;
  shape.portals = portals;
  shape.card_offers = cards;
  shape.gift_cards = gift;
  out.json = request.dump();
  return out;
}

}  // namespace dealstack::bench
