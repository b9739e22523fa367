#include "stacking/evaluate.hpp"

#include <algorithm>
#include <string>

#include "stacking/arith.hpp"

namespace dealstack::stacking {

bool discounts_legal(const Prepared& p, const std::vector<std::size_t>& chosen, Error* why) {
  const auto fail = [&](const char* code, std::string message) {
    if (why != nullptr) *why = make_error(code, std::move(message));
    return false;
  };
  const auto& rules = p.req.rules;
  int codes = 0, shipping_codes = 0;
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    const std::size_t d = chosen[k];
    if (d >= p.discounts.size()) return fail("invalid_stack", "discount index out of range");
    const auto& offer = p.req.discounts[d];
    if (!p.discounts[d].qualifies)
      return fail("offer_not_applicable", offer.id + " does not apply (" + p.discounts[d].why_not + ")");
    for (std::size_t j = 0; j < k; ++j) {
      if (chosen[j] == d) return fail("invalid_stack", offer.id + " is used twice");
      if (!p.compatible_with(d, chosen[j]))
        return fail("not_combinable",
                    offer.id + " does not combine with " + p.req.discounts[chosen[j]].id);
    }
    if (p.discounts[d].is_code) {
      ++codes;
      if (p.discounts[d].is_shipping) ++shipping_codes;
    }
  }
  if (codes > rules.max_codes) return fail("too_many_codes", "more codes than the retailer takes");
  if (chosen.size() > kMaxDiscountsPerStack)
    return fail("too_many_discounts", "more discounts than one order can carry");
  if (shipping_codes > rules.max_shipping_codes)
    return fail("too_many_codes", "more shipping codes than the retailer takes");
  if (codes - shipping_codes > rules.max_product_order_codes)
    return fail("too_many_codes", "more product and order codes than the retailer takes");
  return true;
}

Result<Evaluation> evaluate(const Prepared& p, const Stack& stack) {
  const Request& req = p.req;
  Error why;
  if (!discounts_legal(p, stack.discounts, &why)) return why;
  const bool has_shipping = !req.cart.shipping.empty();
  if (has_shipping ? stack.shipping >= req.cart.shipping.size() : stack.shipping != kNone)
    return make_error("invalid_stack", "shipping option index out of range");
  if (stack.portal != kNone && stack.portal >= req.portals.size())
    return make_error("invalid_stack", "portal index out of range");
  if (stack.card != kNone && stack.card >= req.wallet.cards.size())
    return make_error("invalid_stack", "card index out of range");

  Evaluation e;
  e.subtotal = p.subtotal;
  std::vector<Minor> a = p.original;
  bool free_shipping = false;
  Totals before = order_totals(p, a, stack.shipping, false);
  e.list_total = before.total;
  for (std::size_t d : application_sequence(p, stack.discounts)) {
    DiscountEffect effect;
    effect.offer = d;
    effect.merchandise = apply_discount(p, d, a);
    if (p.discounts[d].is_shipping && covers_option(p, d, stack.shipping)) free_shipping = true;
    const Totals after = order_totals(p, a, stack.shipping, free_shipping);
    effect.shipping = before.shipping - after.shipping;
    effect.total = before.total - after.total;
    before = after;
    e.discounts.push_back(effect);
    if (p.discounts[d].is_code) ++e.codes;
  }
  e.merchandise = before.merchandise;
  e.shipping_list = before.shipping_list;
  e.shipping = before.shipping;
  e.tax = before.tax;
  e.total = before.total;

  // Gift cards.
  std::int64_t cards_used = 0;
  std::vector<std::int64_t> per_offer(req.gift_cards.size(), 0);
  int offers_used = 0;
  for (const GiftCardUse& u : stack.gift_cards) {
    if (u.offer >= req.gift_cards.size() ||
        u.denomination >= req.gift_cards[u.offer].denominations.size() || u.count <= 0)
      return make_error("invalid_stack", "gift card use out of range");
    const GiftCardOffer& g = req.gift_cards[u.offer];
    if (!g.combines_with_codes && e.codes > 0)
      return make_error("gift_card_not_with_codes", g.id + " can't be used with codes");
    if (per_offer[u.offer] == 0) ++offers_used;
    per_offer[u.offer] += u.count;
    if (per_offer[u.offer] > g.max_per_order)
      return make_error("too_many_gift_cards", "more " + g.id + " cards than one order takes");
    cards_used += u.count;
    e.gift_card_face += g.denominations[u.denomination].face * u.count;
    e.gift_card_cost += g.denominations[u.denomination].price * u.count;
  }
  if (cards_used > req.rules.max_gift_cards)
    return make_error("too_many_gift_cards", "more gift cards than the retailer takes");
  if (e.gift_card_face > e.total)
    return make_error("gift_cards_exceed_total", "the gift cards are worth more than the order");
  e.charged = e.total - e.gift_card_face;
  e.out_of_pocket = e.gift_card_cost + e.charged;

  if (stack.portal != kNone) {
    e.cashback_voided = portal_voided(p, stack.portal, stack.discounts);
    if (!e.cashback_voided)
      e.cashback = portal_cashback(p, stack.portal, e.merchandise, e.gift_card_face);
    e.cashback_value = apply_rate(e.cashback, req.preferences.cashback_value, req.rules.rounding);
  }
  if (stack.card != kNone) {
    e.card_rewards = card_rewards(p, stack.card, e.charged);
    if (stack.card_offers) {
      // One linked offer per card and shop (as card issuers allow): the one that pays most.
      std::size_t best = kNone;
      Minor best_back = 0;
      for (std::size_t o : p.card_offers_of[stack.card]) {
        const Minor back = card_offer_back(p, o, e.charged);
        if (back > best_back) {
          best_back = back;
          best = o;
        }
      }
      if (best != kNone) {
        e.card_offers.emplace_back(best, best_back);
        e.card_offer_back = best_back;
      }
    }
  }
  e.net = e.out_of_pocket - e.cashback_value - e.card_rewards - e.card_offer_back;
  e.steps = static_cast<int>(stack.discounts.size()) + (stack.portal != kNone ? 1 : 0) +
            offers_used + static_cast<int>(e.card_offers.size());
  return e;
}

}  // namespace dealstack::stacking
