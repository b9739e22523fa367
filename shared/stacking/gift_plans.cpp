#include "stacking/gift_plans.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

namespace dealstack::stacking {
namespace {

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

// A partial plan: what it adds up to, and how it was reached (the partial plan it extends
// and the multiset of one offer's cards it adds).
struct Partial {
  Minor face = 0;
  std::int64_t cards = 0;
  Minor cost = 0;
  int offers = 0;
  std::int32_t parent = -1;  // index into the partial plans
  std::int32_t offer = -1;   // the offer whose multiset it adds
  std::int32_t multiset = -1;
};

// The tie-break among plans of one face and card count: cheapest, then fewest offers, then
// fewest cards.
bool cheaper(const Partial& a, const Partial& b) {
  if (a.cost != b.cost) return a.cost < b.cost;
  if (a.offers != b.offers) return a.offers < b.offers;
  return a.cards < b.cards;
}

// Drops the partial plans no live state leads back to, renumbering the rest.
void compact(std::vector<Partial>& partials,
             std::map<std::pair<Minor, std::int64_t>, std::int32_t>& states) {
  std::vector<std::int32_t> renumber(partials.size(), -1);
  std::vector<Partial> kept;
  std::vector<std::int32_t> chain;
  for (auto& [key, index] : states) {
    chain.clear();
    for (std::int32_t at = index; at >= 0 && renumber[at] < 0; at = partials[at].parent) chain.push_back(at);
    for (std::size_t k = chain.size(); k-- > 0;) {
      Partial x = partials[chain[k]];
      if (x.parent >= 0) x.parent = renumber[x.parent];
      renumber[chain[k]] = static_cast<std::int32_t>(kept.size());
      kept.push_back(x);
    }
    index = renumber[index];
  }
  partials = std::move(kept);
}

}  // namespace

Result<std::vector<GiftPlan>> gift_plans(const Request& req, bool with_codes, Minor max_face,
                                         std::size_t max_plans) {
  const auto too_large = make_error(
      "search_too_large", "offers: the gift cards allow more combinations than the stacker "
                          "considers; list fewer denominations or a lower max_per_order");
  // Partial plans keyed by (face, cards): the card count matters for max_gift_cards. Each
  // keeps how it was reached (the partial plan it extends and the multiset it adds), so the
  // cards it uses are spelled out only for the plans returned.
  std::vector<Partial> partials(1);
  std::vector<std::vector<GiftPlan>> own(req.gift_cards.size());
  std::map<std::pair<Minor, std::int64_t>, std::int32_t> states{{{0, 0}, 0}};
  for (std::size_t o = 0; o < req.gift_cards.size(); ++o) {
    const GiftCardOffer& g = req.gift_cards[o];
    if (with_codes && !g.combines_with_codes) continue;
    const std::int64_t limit =
        std::min<std::int64_t>(g.max_per_order, req.rules.max_gift_cards);
    GiftPlan current;
    multisets(g, o, limit, max_face, 0, current, own[o], max_plans);
    if (own[o].size() > max_plans) return too_large;
    if (states.size() * own[o].size() > max_plans * 10) return too_large;
    auto next = states;
    const auto round_start = static_cast<std::int32_t>(partials.size());
    for (const auto& [key, base] : states) {
      for (std::size_t m = 0; m < own[o].size(); ++m) {
        const GiftPlan& add = own[o][m];
        Partial plan;
        plan.face = key.first + add.face;
        plan.cards = key.second + add.cards;
        if (plan.face > max_face || plan.cards > req.rules.max_gift_cards) continue;
        plan.cost = partials[base].cost + add.cost;
        plan.offers = partials[base].offers + 1;
        plan.parent = base;
        plan.offer = static_cast<std::int32_t>(o);
        plan.multiset = static_cast<std::int32_t>(m);
        auto it = next.find({plan.face, plan.cards});
        if (it != next.end()) {
          if (!cheaper(plan, partials[it->second])) continue;
          // One made in this round isn't extended by anything yet: overwrite it.
          if (it->second >= round_start) {
            partials[it->second] = plan;
            continue;
          }
          it->second = static_cast<std::int32_t>(partials.size());
        } else {
          next.emplace(std::make_pair(plan.face, plan.cards), static_cast<std::int32_t>(partials.size()));
          if (next.size() > max_plans) return too_large;
        }
        partials.push_back(plan);
      }
    }
    states = std::move(next);
    // Partial plans that were beaten leave garbage behind: keep memory in proportion to
    // the live plans.
    if (partials.size() > 2 * states.size() + 1024) compact(partials, states);
  }
  // One plan per face value: the cheapest.
  std::vector<std::int32_t> chosen;
  Minor last_face = -1;
  for (const auto& [key, index] : states) {
    if (key.first == last_face) {
      if (cheaper(partials[index], partials[chosen.back()])) chosen.back() = index;
    } else {
      chosen.push_back(index);
      last_face = key.first;
    }
  }
  std::vector<GiftPlan> plans;
  plans.reserve(chosen.size());
  std::vector<std::int32_t> path;
  for (std::int32_t index : chosen) {
    const Partial& x = partials[index];
    GiftPlan plan;
    plan.face = x.face;
    plan.cards = x.cards;
    plan.cost = x.cost;
    plan.offers = x.offers;
    path.clear();
    for (std::int32_t at = index; partials[at].parent >= 0; at = partials[at].parent) path.push_back(at);
    for (std::size_t k = path.size(); k-- > 0;) {
      const Partial& step = partials[path[k]];
      const auto& uses = own[step.offer][step.multiset].uses;
      plan.uses.insert(plan.uses.end(), uses.begin(), uses.end());
    }
    plans.push_back(std::move(plan));
  }
  return plans;
}

void PlanSet::index() {
  max_discount.clear();
  Minor most = 0;
  for (const GiftPlan& g : plans) {
    most = std::max(most, g.face - g.cost);
    max_discount.push_back(most);
  }
  min_cost_from.assign(plans.size(), 0);
  Minor least = std::numeric_limits<Minor>::max();
  for (std::size_t k = plans.size(); k-- > 0;) min_cost_from[k] = least = std::min(least, plans[k].cost);
}

}  // namespace dealstack::stacking
