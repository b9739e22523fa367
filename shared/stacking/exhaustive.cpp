#include "stacking/exhaustive.hpp"

#include <algorithm>
#include <vector>

#include "stacking/evaluate.hpp"

namespace dealstack::stacking {
namespace {

// Every combination of gift cards: per offer, per denomination, a count.
void gift_combinations(const Request& req, std::size_t offer, std::size_t denom,
                       std::int64_t offer_count, std::vector<GiftCardUse>& current,
                       std::vector<std::vector<GiftCardUse>>& out) {
  if (offer == req.gift_cards.size()) {
    out.push_back(current);
    return;
  }
  const GiftCardOffer& g = req.gift_cards[offer];
  if (denom == g.denominations.size()) {
    gift_combinations(req, offer + 1, 0, 0, current, out);
    return;
  }
  gift_combinations(req, offer, denom + 1, offer_count, current, out);
  for (std::int64_t c = 1; offer_count + c <= g.max_per_order; ++c) {
    current.push_back({offer, denom, c});
    gift_combinations(req, offer, denom + 1, offer_count + c, current, out);
    current.pop_back();
  }
}

}  // namespace

Result<Found> exhaustive(const Prepared& p, const Layers& layers, std::size_t max_stacks) {
  const Request& req = p.req;
  std::vector<std::size_t> pool;
  for (std::size_t d = 0; d < p.discounts.size(); ++d) {
    if (!p.discounts[d].qualifies) continue;
    if (p.discounts[d].is_code ? !layers.codes : !layers.promotions) continue;
    pool.push_back(d);
  }
  if (pool.size() > 24) return make_error("search_too_large", "too many discounts to enumerate");

  std::vector<std::vector<GiftCardUse>> gifts;
  if (layers.gift_cards) {
    std::vector<GiftCardUse> current;
    gift_combinations(req, 0, 0, 0, current, gifts);
  } else {
    gifts.emplace_back();
  }
  std::vector<std::size_t> shipping;
  if (req.cart.shipping.empty()) shipping.push_back(kNone);
  for (std::size_t s = 0; s < req.cart.shipping.size(); ++s) shipping.push_back(s);
  std::vector<std::size_t> portals{kNone};
  if (layers.portals)
    for (std::size_t s = 0; s < req.portals.size(); ++s) portals.push_back(s);
  std::vector<std::size_t> cards{kNone};
  for (std::size_t s = 0; s < req.wallet.cards.size(); ++s) cards.push_back(s);

  Found best;
  bool have = false;
  std::size_t count = 0;
  bool overflow = false;
  const auto try_discounts = [&](const std::vector<std::size_t>& chosen) {
    if (!discounts_legal(p, chosen, nullptr)) return;
    Stack s;
    s.discounts = chosen;
    s.card_offers = layers.card_offers;
    for (std::size_t ship : shipping)
      for (std::size_t portal : portals)
        for (std::size_t card : cards)
          for (const auto& g : gifts) {
            if (++count > max_stacks) {
              overflow = true;
              return;
            }
            s.shipping = ship;
            s.portal = portal;
            s.card = card;
            s.gift_cards = g;
            auto e = evaluate(p, s);
            if (!e) continue;
            if (!have || better(e->net, e->steps, e->codes, best)) {
              have = true;
              best.stack = s;
              best.net = e->net;
              best.steps = e->steps;
              best.codes = e->codes;
            }
          }
  };

  const std::size_t n = pool.size();
  for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << n) && !overflow; ++mask) {
    std::vector<std::size_t> promos, codes;
    for (std::size_t k = 0; k < n; ++k) {
      if ((mask >> k & 1) == 0) continue;
      (p.discounts[pool[k]].is_code ? codes : promos).push_back(pool[k]);
    }
    if (static_cast<int>(codes.size()) > req.rules.max_codes) continue;
    if (req.rules.order == ApplicationOrder::entry) {
      // Every order of entering the codes.
      std::sort(codes.begin(), codes.end());
      do {
        std::vector<std::size_t> chosen = promos;
        chosen.insert(chosen.end(), codes.begin(), codes.end());
        try_discounts(chosen);
      } while (!overflow && std::next_permutation(codes.begin(), codes.end()));
    } else {
      std::vector<std::size_t> chosen = promos;
      chosen.insert(chosen.end(), codes.begin(), codes.end());
      try_discounts(chosen);
    }
  }
  if (overflow) return make_error("search_too_large", "too many stacks to enumerate");
  best.nodes = count;
  return best;
}

}  // namespace dealstack::stacking
