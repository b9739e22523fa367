#include "stacking/gift_plans.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace dealstack::stacking {
namespace {

bool cheaper(const GiftPlan& a, const GiftPlan& b) {
  if (a.cost != b.cost) return a.cost < b.cost;
  if (a.offers != b.offers) return a.offers < b.offers;
  return a.cards < b.cards;
}

// All multisets of one offer's denominations with 1..limit cards and face <= max_face.
void multisets(const GiftCardOffer& g, std::size_t offer, std::int64_t limit, Minor max_face,
               std::size_t denom, GiftPlan& current, std::vector<GiftPlan>& out,
               std::size_t cap) {
  if (out.size() > cap) return;
  if (denom == g.denominations.size()) {
    if (current.cards > 0) out.push_back(current);
    return;
  }
  const Denomination& d = g.denominations[denom];
  multisets(g, offer, limit, max_face, denom + 1, current, out, cap);
  std::int64_t count = 0;
  while (current.cards < limit && current.face + d.face <= max_face && out.size() <= cap) {
    ++count;
    ++current.cards;
    current.face += d.face;
    current.cost += d.price;
    current.uses.push_back({offer, denom, count});
    multisets(g, offer, limit, max_face, denom + 1, current, out, cap);
    current.uses.pop_back();
  }
  current.cards -= count;
  current.face -= d.face * count;
  current.cost -= d.price * count;
}

}  // namespace

Result<std::vector<GiftPlan>> gift_plans(const Request& req, bool with_codes, Minor max_face,
                                         std::size_t max_plans) {
  // Partial plans keyed by (face, cards): the card count matters for max_gift_cards.
  std::map<std::pair<Minor, std::int64_t>, GiftPlan> states;
  states[{0, 0}] = GiftPlan{};
  const auto too_large = make_error(
      "search_too_large", "offers: the gift cards allow more combinations than the stacker "
                          "considers; list fewer denominations or a lower max_per_order");
  for (std::size_t o = 0; o < req.gift_cards.size(); ++o) {
    const GiftCardOffer& g = req.gift_cards[o];
    if (with_codes && !g.combines_with_codes) continue;
    const std::int64_t limit =
        std::min<std::int64_t>(g.max_per_order, req.rules.max_gift_cards);
    std::vector<GiftPlan> own;
    GiftPlan current;
    multisets(g, o, limit, max_face, 0, current, own, max_plans);
    if (own.size() > max_plans) return too_large;
    auto next = states;
    if (states.size() * own.size() > max_plans * 10) return too_large;
    for (const auto& [key, base] : states) {
      for (const GiftPlan& m : own) {
        const Minor face = key.first + m.face;
        const std::int64_t cards = key.second + m.cards;
        if (face > max_face || cards > req.rules.max_gift_cards) continue;
        GiftPlan plan;
        plan.face = face;
        plan.cards = cards;
        plan.cost = base.cost + m.cost;
        plan.offers = base.offers + 1;
        auto it = next.find({face, cards});
        if (it != next.end() && !cheaper(plan, it->second)) continue;
        plan.uses = base.uses;
        plan.uses.insert(plan.uses.end(), m.uses.begin(), m.uses.end());
        next[{face, cards}] = std::move(plan);
        if (next.size() > max_plans) return too_large;
      }
    }
    states = std::move(next);
  }
  // One plan per face value: the cheapest.
  std::vector<GiftPlan> plans;
  for (auto& [key, plan] : states) {
    if (!plans.empty() && plans.back().face == key.first) {
      if (cheaper(plan, plans.back())) plans.back() = std::move(plan);
    } else {
      plans.push_back(std::move(plan));
    }
  }
  return plans;
}

}  // namespace dealstack::stacking
