#include "stacking/prepared.hpp"

#include <algorithm>
#include <numeric>

#include "stacking/arith.hpp"
#include "text/utf8.hpp"

namespace dealstack::stacking {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool any_tag_in(const std::vector<std::string>& tags, const std::vector<std::string>& list) {
  for (const auto& t : tags)
    if (contains(list, t)) return true;
  return false;
}

bool eligible(const Scope& scope, const Line& line) {
  if (scope.selects() && !contains(scope.skus, line.sku) && !any_tag_in(line.tags, scope.tags))
    return false;
  return !contains(scope.exclude_skus, line.sku) && !any_tag_in(line.tags, scope.exclude_tags);
}

int stage_of(const Request& req, const DiscountOffer& d, const PreparedDiscount& pd) {
  switch (req.rules.order) {
    case ApplicationOrder::entry:
      return d.automatic() ? 0 : 1;
    case ApplicationOrder::shopify:
      return static_cast<int>(d.cls);
    case ApplicationOrder::woocommerce:
      switch (d.discount.type) {
        case DiscountType::fixed_price:
        case DiscountType::buy_x_get_y:
          return 0;
        case DiscountType::amount:
          return (d.discount.per_unit || d.cls == DiscountClass::product) ? 0 : 2;
        case DiscountType::percent:
          return 1;
        case DiscountType::tiered:
          return (pd.tier != nullptr && pd.tier->is_percent) ? 1 : 2;
        case DiscountType::free_shipping:
          return 3;
      }
  }
  return 0;
}

// Works out the buy-x-get-y units: every full group of (buy + get) eligible units earns
// `get` discounted units, at most max_uses groups; the discounted units are the cheapest
// eligible ones by listed unit price (on a tie, the earlier line's).
void plan_buy_x_get_y(const Request& req, const DiscountOffer& d, PreparedDiscount& pd) {
  const auto& lines = req.cart.lines;
  std::int64_t units = 0;
  for (std::size_t i : pd.lines) units += lines[i].quantity;
  std::int64_t groups = units / (d.discount.buy + d.discount.get);
  if (d.discount.max_uses > 0) groups = std::min(groups, d.discount.max_uses);
  std::int64_t free = groups * d.discount.get;
  pd.free_units.assign(pd.lines.size(), 0);
  std::vector<std::size_t> order(pd.lines.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    return lines[pd.lines[x]].unit_price < lines[pd.lines[y]].unit_price;
  });
  for (std::size_t k : order) {
    if (free == 0) break;
    const std::int64_t take = std::min(free, lines[pd.lines[k]].quantity);
    pd.free_units[k] = take;
    free -= take;
  }
  if (groups == 0) {
    pd.qualifies = false;
    pd.why_not = "min_quantity";
  }
}

}  // namespace

Prepared::Prepared(const Request& request) : req(request) {
  const auto& lines = req.cart.lines;
  const std::size_t n = req.discounts.size();
  discounts.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const DiscountOffer& d = req.discounts[k];
    PreparedDiscount& pd = discounts[k];
    pd.is_code = !d.automatic();
    pd.code_key = utf8::ascii_lower(d.code);
    pd.is_shipping = d.discount.type == DiscountType::free_shipping;
    for (std::size_t i = 0; i < lines.size(); ++i)
      if (eligible(d.scope, lines[i])) pd.lines.push_back(i);
  }
  prepare_cart();

  words = (n + 63) / 64;
  compatible.assign(n * words, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const DiscountOffer& x = req.discounts[i];
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      const DiscountOffer& y = req.discounts[j];
      const bool ok = !x.exclusive && !y.exclusive &&
                      x.combines_with[static_cast<int>(y.cls)] &&
                      y.combines_with[static_cast<int>(x.cls)];
      if (ok) compatible[i * words + j / 64] |= std::uint64_t{1} << (j % 64);
    }
  }
  // Explicit exclusions go both ways.
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j : req.discounts[i].not_with) {
      compatible[i * words + j / 64] &= ~(std::uint64_t{1} << (j % 64));
      compatible[j * words + i / 64] &= ~(std::uint64_t{1} << (i % 64));
    }
  }

  card_offers_of.resize(req.wallet.cards.size());
  for (std::size_t o = 0; o < req.card_offers.size(); ++o) {
    for (std::size_t c = 0; c < req.wallet.cards.size(); ++c)
      if (req.wallet.cards[c].id == req.card_offers[o].card) card_offers_of[c].push_back(o);
  }
}

const Prepared::GiftPlanSets* Prepared::gift_plan_sets(Minor max_face, std::size_t max_plans) const {
  if (gift_plan_sets_ && gift_plan_sets_->max_face == max_face && gift_plan_sets_->max_plans == max_plans)
    return &*gift_plan_sets_;
  GiftPlanSets sets;
  sets.max_face = max_face;
  sets.max_plans = max_plans;
  auto all = gift_plans(req, false, max_face, max_plans);
  auto with_codes = all ? gift_plans(req, true, max_face, max_plans) : all;
  if (!all) {
    sets.error = all.error();
  } else if (!with_codes) {
    sets.error = with_codes.error();
  } else {
    sets.all.plans = std::move(*all);
    sets.with_codes.plans = std::move(*with_codes);
    sets.all.index();
    sets.with_codes.index();
  }
  gift_plan_sets_ = std::move(sets);
  return &*gift_plan_sets_;
}

Prepared::Prepared(const Request& request, const Prepared& base)
    : req(request),
      discounts(base.discounts),
      words(base.words),
      compatible(base.compatible),
      card_offers_of(base.card_offers_of) {
  // Only the new lines' eligibility is new; everything that depends on the cart is redone.
  const auto& lines = req.cart.lines;
  for (std::size_t k = 0; k < discounts.size(); ++k) {
    PreparedDiscount& pd = discounts[k];
    for (std::size_t i = base.original.size(); i < lines.size(); ++i)
      if (eligible(req.discounts[k].scope, lines[i])) pd.lines.push_back(i);
  }
  prepare_cart();
}

// Everything about the discounts that depends on the cart, once their eligible lines are
// known: whether each qualifies (spend, quantity, tier), its stage, its fixed deductions
// and its standalone saving.
void Prepared::prepare_cart() {
  const auto& lines = req.cart.lines;
  original.clear();
  subtotal = 0;
  original.reserve(lines.size());
  for (const auto& l : lines) {
    original.push_back(l.original());
    subtotal += l.original();
  }
  for (std::size_t k = 0; k < discounts.size(); ++k) {
    const DiscountOffer& d = req.discounts[k];
    PreparedDiscount& pd = discounts[k];
    pd.why_not.clear();
    pd.shortfall = 0;
    pd.tier = nullptr;
    pd.free_units.clear();
    pd.standalone = 0;
    pd.fixed_deduction.clear();
    Minor spend = 0;
    std::int64_t quantity = 0;
    for (std::size_t i : pd.lines) {
      spend += original[i];
      quantity += lines[i].quantity;
    }
    pd.qualifies = true;
    if (pd.lines.empty()) {
      pd.qualifies = false;
      pd.why_not = "no_eligible_line";
    } else if (spend < d.min_spend) {
      pd.qualifies = false;
      pd.why_not = "min_spend";
      pd.shortfall = d.min_spend - spend;
    } else if (quantity < d.min_quantity) {
      pd.qualifies = false;
      pd.why_not = "min_quantity";
    } else if (d.discount.type == DiscountType::tiered) {
      for (const Tier& t : d.discount.tiers)
        if (spend >= t.min_spend && quantity >= t.min_quantity) pd.tier = &t;
      if (pd.tier == nullptr) {
        pd.qualifies = false;
        pd.why_not = "no_tier";
        if (!d.discount.tiers.empty() && d.discount.tiers.front().min_spend > spend)
          pd.shortfall = d.discount.tiers.front().min_spend - spend;
      }
    } else if (d.discount.type == DiscountType::buy_x_get_y) {
      plan_buy_x_get_y(req, d, pd);
    }
    pd.stage = stage_of(req, d, pd);
  }
  fix_deductions();
  std::vector<Minor> a;
  for (std::size_t k = 0; k < discounts.size(); ++k) {
    if (!discounts[k].qualifies || discounts[k].is_shipping) continue;
    a = original;
    discounts[k].standalone = apply_discount(*this, k, a);
  }
}

std::vector<std::size_t> application_sequence(const Prepared& p,
                                              const std::vector<std::size_t>& chosen) {
  std::vector<std::size_t> seq;
  application_sequence(p, chosen, seq);
  return seq;
}

void application_sequence(const Prepared& p, const std::vector<std::size_t>& chosen,
                          std::vector<std::size_t>& seq) {
  seq.clear();
  if (p.req.rules.order == ApplicationOrder::entry) {
    for (std::size_t d : chosen)
      if (!p.discounts[d].is_code) seq.push_back(d);
    std::sort(seq.begin(), seq.end());
    for (std::size_t d : chosen)
      if (p.discounts[d].is_code) seq.push_back(d);
    return;
  }
  seq.assign(chosen.begin(), chosen.end());
  std::sort(seq.begin(), seq.end(), [&](std::size_t x, std::size_t y) {
    const int sx = p.discounts[x].stage, sy = p.discounts[y].stage;
    return sx != sy ? sx < sy : x < y;
  });
}

namespace {

// Per-line scratch amounts: on the stack for carts of up to 32 lines (the hot path of the
// search), on the heap beyond.
class Scratch {
 public:
  explicit Scratch(std::size_t n) {
    if (n > kInline) heap_.resize(n);
  }
  Minor* data() { return heap_.empty() ? inline_ : heap_.data(); }

 private:
  static constexpr std::size_t kInline = 32;
  Minor inline_[kInline];
  std::vector<Minor> heap_;
};

// Percentage of each eligible line's basis; rounded per line or once per order.
void percent_off(const Prepared& p, const std::vector<std::size_t>& lines, Rate rate,
                 const std::vector<Minor>& a, Minor* d) {
  const auto& rules = p.req.rules;
  const std::size_t n = lines.size();
  Scratch basis_space(n);
  Minor* basis = basis_space.data();
  Minor sum = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = lines[k];
    basis[k] = rules.percent_basis == PercentBasis::original ? p.original[i] : a[i];
    sum += basis[k];
  }
  if (rules.rounding_scope == RoundingScope::line) {
    for (std::size_t k = 0; k < n; ++k) d[k] = apply_rate(basis[k], rate, rules.rounding);
  } else {
    allocate(apply_rate(sum, rate, rules.rounding), basis, n, d);
  }
}

// A fixed amount once, spread over the eligible lines in proportion to what is left of them.
void amount_once(const std::vector<std::size_t>& lines, Minor amount, const std::vector<Minor>& a,
                 Minor* d) {
  const std::size_t n = lines.size();
  Scratch left_space(n);
  Minor* left = left_space.data();
  Minor sum = 0;
  for (std::size_t k = 0; k < n; ++k) {
    left[k] = a[lines[k]];
    sum += left[k];
  }
  allocate(std::min(amount, sum), left, n, d);
}

}  // namespace

namespace {

// Whether discount `index`'s deduction per line (before it is clamped to what is left of the
// line) is the same whatever was applied before it: percentages of the original price, the
// free units of buy x get y, amounts per unit.
bool deduction_is_fixed(const Prepared& p, std::size_t index) {
  const Discount& disc = p.req.discounts[index].discount;
  const bool on_original = p.req.rules.percent_basis == PercentBasis::original;
  switch (disc.type) {
    case DiscountType::percent: return on_original;
    case DiscountType::amount: return disc.per_unit;
    case DiscountType::buy_x_get_y: return true;
    case DiscountType::tiered:
      return on_original && p.discounts[index].tier != nullptr && p.discounts[index].tier->is_percent;
    case DiscountType::fixed_price:
    case DiscountType::free_shipping: return false;
  }
  return false;
}

// Discount `index`'s deduction per eligible line given the current amounts `a`, before it
// is clamped to what is left of each line.
void deduction(const Prepared& p, std::size_t index, const std::vector<Minor>& a, Minor* d) {
  const PreparedDiscount& pd = p.discounts[index];
  if (!pd.fixed_deduction.empty()) {
    std::copy(pd.fixed_deduction.begin(), pd.fixed_deduction.end(), d);
    return;
  }
  const Discount& disc = p.req.discounts[index].discount;
  const auto& lines = p.req.cart.lines;
  const auto& rules = p.req.rules;
  const std::size_t n = pd.lines.size();
  switch (disc.type) {
    case DiscountType::percent:
      percent_off(p, pd.lines, disc.percent, a, d);
      break;
    case DiscountType::amount:
      if (disc.per_unit) {
        for (std::size_t k = 0; k < n; ++k) d[k] = disc.amount * lines[pd.lines[k]].quantity;
      } else {
        amount_once(pd.lines, disc.amount, a, d);
      }
      break;
    case DiscountType::fixed_price:
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = pd.lines[k];
        d[k] = std::max<Minor>(0, a[i] - disc.price * lines[i].quantity);
      }
      break;
    case DiscountType::buy_x_get_y: {
      // The free units at their listed unit price.
      Scratch weight_space(n);
      Minor* weight = weight_space.data();
      Minor sum = 0;
      for (std::size_t k = 0; k < n; ++k) {
        weight[k] = lines[pd.lines[k]].unit_price * pd.free_units[k];
        sum += weight[k];
      }
      if (rules.rounding_scope == RoundingScope::line) {
        for (std::size_t k = 0; k < n; ++k) d[k] = apply_rate(weight[k], disc.percent, rules.rounding);
      } else {
        allocate(apply_rate(sum, disc.percent, rules.rounding), weight, n, d);
      }
      break;
    }
    case DiscountType::tiered:
      if (pd.tier->is_percent) {
        percent_off(p, pd.lines, pd.tier->percent, a, d);
      } else {
        amount_once(pd.lines, pd.tier->amount, a, d);
      }
      break;
    case DiscountType::free_shipping:
      std::fill(d, d + n, Minor{0});
      break;
  }
}

}  // namespace

void Prepared::fix_deductions() {
  for (std::size_t k = 0; k < discounts.size(); ++k) {
    PreparedDiscount& pd = discounts[k];
    if (!pd.qualifies || pd.is_shipping || !deduction_is_fixed(*this, k)) continue;
    std::vector<Minor> d(pd.lines.size());
    deduction(*this, k, original, d.data());
    pd.fixed_deduction = std::move(d);
  }
}

Minor apply_discount(const Prepared& p, std::size_t index, std::vector<Minor>& a) {
  const DiscountOffer& offer = p.req.discounts[index];
  const PreparedDiscount& pd = p.discounts[index];
  const std::size_t n = pd.lines.size();
  if (n == 0 || offer.discount.type == DiscountType::free_shipping) return 0;

  Scratch d_space(n);
  Minor* d = d_space.data();
  deduction(p, index, a, d);
  Minor total = 0;
  for (std::size_t k = 0; k < n; ++k) {
    d[k] = std::clamp<Minor>(d[k], 0, a[pd.lines[k]]);
    total += d[k];
  }
  if (offer.max_discount && total > *offer.max_discount) {
    Scratch capped_space(n);
    Minor* capped = capped_space.data();
    allocate(*offer.max_discount, d, n, capped);
    std::copy(capped, capped + n, d);
    total = *offer.max_discount;
  }
  for (std::size_t k = 0; k < n; ++k) a[pd.lines[k]] -= d[k];
  return total;
}

bool covers_option(const Prepared& p, std::size_t d, std::size_t option) {
  const auto& ids = p.req.discounts[d].discount.shipping_options;
  if (ids.empty()) return true;
  return option != kNone &&
         std::find(ids.begin(), ids.end(), p.req.cart.shipping[option].id) != ids.end();
}

Totals order_totals(const Prepared& p, const std::vector<Minor>& a, std::size_t option,
                    bool free_shipping_discount) {
  const Cart& cart = p.req.cart;
  const auto& rules = p.req.rules;
  Totals t;
  for (Minor x : a) t.merchandise += x;
  if (option != kNone) {
    const ShippingOption& opt = cart.shipping[option];
    t.shipping_list = opt.price;
    if (opt.free_over) {
      const Minor basis =
          opt.free_over_basis == AmountBasis::before_discounts ? p.subtotal : t.merchandise;
      t.free_over_met = basis >= *opt.free_over;
    }
    t.shipping = (t.free_over_met || free_shipping_discount) ? 0 : opt.price;
  }
  const Rate rate = cart.tax.rate;
  if (rate.ppm != 0) {
    const bool after = cart.tax.basis == AmountBasis::after_discounts;
    const Minor taxed_shipping = cart.tax.shipping_taxable ? t.shipping : 0;
    if (rules.rounding_scope == RoundingScope::line) {
      for (std::size_t i = 0; i < a.size(); ++i)
        t.tax += apply_rate(after ? a[i] : p.original[i], rate, rules.rounding);
      t.tax += apply_rate(taxed_shipping, rate, rules.rounding);
    } else {
      t.tax = apply_rate((after ? t.merchandise : p.subtotal) + taxed_shipping, rate,
                         rules.rounding);
    }
  }
  t.total = t.merchandise + t.shipping + t.tax;
  return t;
}

bool portal_lists(const Prepared& p, std::size_t portal, std::size_t d) {
  const auto& listed = p.req.portals[portal].listed_codes;
  return !listed ||
         std::find(listed->begin(), listed->end(), p.discounts[d].code_key) != listed->end();
}

bool portal_voided(const Prepared& p, std::size_t portal, const std::vector<std::size_t>& chosen) {
  if (!p.req.portals[portal].unlisted_codes_void) return false;
  for (std::size_t d : chosen)
    if (p.discounts[d].is_code && !portal_lists(p, portal, d)) return true;
  return false;
}

Minor portal_cashback(const Prepared& p, std::size_t portal, Minor merchandise, Minor gift_face) {
  const Portal& pt = p.req.portals[portal];
  const Minor base = merchandise - (pt.excludes_gift_cards ? std::min(gift_face, merchandise) : 0);
  if (base <= 0) return 0;
  Minor cb = pt.is_percent ? apply_rate(base, pt.percent, p.req.rules.rounding) : pt.amount;
  if (pt.cap) cb = std::min(cb, *pt.cap);
  return cb;
}

bool card_offer_path_excluded(const Prepared& p, std::size_t offer) {
  const auto& paths = p.req.card_offers[offer].excluded_payment_paths;
  return std::find(paths.begin(), paths.end(), p.req.wallet.payment_path) != paths.end();
}

Minor card_offer_back(const Prepared& p, std::size_t offer, Minor charged) {
  const CardOffer& o = p.req.card_offers[offer];
  if (charged <= 0 || charged < o.min_spend || card_offer_path_excluded(p, offer)) return 0;
  Minor back = o.is_percent ? apply_rate(charged, o.percent, p.req.rules.rounding) : o.amount;
  if (o.cap) back = std::min(back, *o.cap);
  return std::min(back, charged);
}

Minor card_rewards(const Prepared& p, std::size_t card, Minor charged) {
  const Card& c = p.req.wallet.cards[card];
  if (charged <= 0) return 0;
  return apply_rates(charged, c.earn, c.reward_value, p.req.rules.rounding);
}

}  // namespace dealstack::stacking
