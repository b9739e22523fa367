#include "stacking/stacker.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <utility>

#include "money/money.hpp"
#include "stacking/arith.hpp"
#include "stacking/prepared.hpp"
#include "stacking/request_json.hpp"

namespace dealstack::stacking {
namespace {

std::string amount(const Request& req, Minor minor) {
  return Money{minor, req.cart.currency}.amount_string();
}

Minor baseline_total(const Prepared& p) {
  const auto& shipping = p.req.cart.shipping;
  if (shipping.empty()) return order_totals(p, p.original, kNone, false).total;
  Minor best = order_totals(p, p.original, 0, false).total;
  for (std::size_t s = 1; s < shipping.size(); ++s)
    best = std::min(best, order_totals(p, p.original, s, false).total);
  return best;
}

void add_warnings(const Prepared& p, const Found& f, const Evaluation& e,
                  std::vector<Warning>& out) {
  const Request& req = p.req;
  const auto money = [&](Minor m) { return amount(req, m); };
  // Codes that void a portal's cashback.
  for (std::size_t pt = 0; pt < req.portals.size(); ++pt) {
    if (!portal_voided(p, pt, f.stack.discounts)) continue;
    // What the portal would pay beyond the portal the stack uses (if any).
    const Minor would = apply_rate(portal_cashback(p, pt, e.merchandise, e.gift_card_face),
                                   req.preferences.cashback_value, req.rules.rounding) -
                        e.cashback_value;
    if (would <= 0) continue;
    std::string codes;
    for (std::size_t d : f.stack.discounts)
      if (p.discounts[d].is_code && !portal_lists(p, pt, d))
        codes += (codes.empty() ? "" : ", ") + req.discounts[d].code;
    const std::string& name = req.portals[pt].name.empty() ? req.portals[pt].id : req.portals[pt].name;
    out.push_back({"code_voids_cashback",
                   "Code " + codes + " isn't listed by " + name + ": using it voids " + name +
                       "'s cashback (" + money(would) + "). The stack is still the cheapest with that loss counted.",
                   req.portals[pt].id, would});
  }
  // A payment path (PayPal, a phone wallet) that voids a card offer.
  for (std::size_t c = 0; c < req.wallet.cards.size(); ++c) {
    for (std::size_t o : p.card_offers_of[c]) {
      if (!card_offer_path_excluded(p, o)) continue;
      const CardOffer& co = req.card_offers[o];
      const Minor charged = e.charged;
      Minor would = 0;
      if (charged > 0 && charged >= co.min_spend) {
        would = co.is_percent ? apply_rate(charged, co.percent, req.rules.rounding) : co.amount;
        if (co.cap) would = std::min(would, *co.cap);
        would = std::min(would, charged);
      }
      const std::string& card = req.wallet.cards[c].name.empty() ? req.wallet.cards[c].id
                                                                 : req.wallet.cards[c].name;
      out.push_back({"payment_path_voids_card_offer",
                     "Paying through " + req.wallet.payment_path + " voids the " + card +
                         " offer \"" + (co.label.empty() ? co.id : co.label) + "\"" +
                         (would > 0 ? " (" + money(would) + " back)" : "") +
                         "; pay with the card directly to get it.",
                     co.id, would});
    }
  }
  if (f.stack.portal != kNone) {
    const Portal& pt = req.portals[f.stack.portal];
    const std::string& name = pt.name.empty() ? pt.id : pt.name;
    if (pt.excludes_gift_cards && e.gift_card_face > 0) {
      const Minor full = apply_rate(portal_cashback(p, f.stack.portal, e.merchandise, 0),
                                    req.preferences.cashback_value, req.rules.rounding);
      const Minor lost = full - e.cashback_value;
      if (lost > 0)
        out.push_back({"gift_cards_earn_no_cashback",
                       "The " + money(e.gift_card_face) + " paid with gift cards earns no " + name +
                           " cashback (" + money(lost) + " less); the stack still comes out ahead.",
                       pt.id, lost});
    }
    if (pt.pending_days > 0)
      out.push_back({"cashback_pending",
                     name + " pays its cashback after about " + std::to_string(pt.pending_days) +
                         " days.",
                     pt.id, e.cashback_value});
    if (pt.clawback_on_returns)
      out.push_back({"clawback_on_returns",
                     name + " takes its cashback back if you return the items.", pt.id,
                     e.cashback_value});
  }
  for (const auto& [o, back] : e.card_offers) {
    const CardOffer& co = req.card_offers[o];
    if (co.pending_days > 0)
      out.push_back({"card_offer_pending",
                     "The card offer \"" + (co.label.empty() ? co.id : co.label) +
                         "\" credits " + money(back) + " after about " +
                         std::to_string(co.pending_days) + " days.",
                     co.id, back});
  }
  if (e.codes > 0) {
    for (const GiftCardOffer& g : req.gift_cards) {
      if (g.combines_with_codes) continue;
      // Only when one of its cards could have paid part of this order at a discount.
      const bool useful = std::any_of(g.denominations.begin(), g.denominations.end(),
                                      [&](const Denomination& d) {
                                        return d.price < d.face && d.face <= e.list_total;
                                      });
      if (!useful) continue;
      out.push_back({"gift_card_not_with_codes",
                     "Gift cards from " + (g.source.empty() ? g.id : g.source) +
                         " can't be used together with codes at this shop; the stack with codes comes out ahead.",
                     g.id, 0});
    }
  }
  for (const DiscountEffect& d : e.discounts) {
    // Only when shipping is still charged at the end (a free-shipping code may restore it).
    if (d.shipping >= 0 || e.shipping == 0) continue;
    out.push_back({"discount_loses_free_shipping",
                   "After \"" + (req.discounts[d.offer].label.empty() ? req.discounts[d.offer].id
                                                                      : req.discounts[d.offer].label) +
                       "\" the order is under the free-shipping threshold, so shipping costs " +
                       money(-d.shipping) + "; the discount still saves more.",
                   req.discounts[d.offer].id, -d.shipping});
  }
}

Minor ceil_ratio(Minor x, Minor num, Minor den) {
  return static_cast<Minor>((static_cast<Wide>(x) * num + den - 1) / den);
}

struct HintCandidate {
  std::string code;
  std::string offer;
  std::string what;  // "free shipping", "SAVE20", ...
  Minor add = 0;
  std::size_t index = kNone;  // the shipping option, discount or card offer
  // `add` is the least amount that can reach the threshold (one measured on the cart at
  // list price), so one unit less needn't be tried.
  bool least = false;
};

// The best stack for the cart with one more item worth `add`.
struct Extended {
  Found found;
  Evaluation evaluation;
  std::vector<std::ptrdiff_t> tier;  // per discount: the tier reached (position), or -1
};

void add_hints(const Request& req, const Prepared& p, const Found& best, const Evaluation& e,
               const SearchLimits& limits, std::vector<Hint>& out) {
  std::vector<HintCandidate> candidates;
  // Thresholds on the merchandise.
  for (std::size_t s = 0; s < req.cart.shipping.size(); ++s) {
    const ShippingOption& opt = req.cart.shipping[s];
    if (!opt.free_over || e.shipping == 0) continue;
    const Minor basis = opt.free_over_basis == AmountBasis::before_discounts ? p.subtotal : e.merchandise;
    if (basis >= *opt.free_over) continue;
    const Minor gap = *opt.free_over - basis;
    candidates.push_back({"free_shipping_threshold", opt.id, "free shipping", gap, s,
                          opt.free_over_basis == AmountBasis::before_discounts});
    // After percentage discounts an added item counts for less: the gap at list price.
    if (opt.free_over_basis == AmountBasis::after_discounts && e.merchandise > 0 &&
        e.merchandise < p.subtotal)
      candidates.push_back({"free_shipping_threshold", opt.id, "free shipping",
                            ceil_ratio(gap, p.subtotal, e.merchandise), s});
  }
  for (std::size_t d = 0; d < req.discounts.size(); ++d) {
    const auto& pd = p.discounts[d];
    const DiscountOffer& offer = req.discounts[d];
    if (offer.scope.selects()) continue;  // an added item might not be in its scope
    const std::string what = offer.code.empty() ? (offer.label.empty() ? offer.id : offer.label)
                                                : "code " + offer.code;
    if (!pd.qualifies && (pd.why_not == "min_spend" || pd.why_not == "no_tier") && pd.shortfall > 0) {
      candidates.push_back({"offer_min_spend", offer.id, what, pd.shortfall, d, true});
    } else if (pd.qualifies && pd.tier != nullptr) {
      for (const Tier& t : offer.discount.tiers) {
        if (t.min_spend > pd.tier->min_spend) {
          Minor spend = 0;
          for (std::size_t i : pd.lines) spend += p.original[i];
          candidates.push_back({"next_tier", offer.id, what + " (next tier)", t.min_spend - spend, d, true});
          break;
        }
      }
    }
  }
  for (std::size_t c = 0; c < req.wallet.cards.size(); ++c) {
    for (std::size_t o : p.card_offers_of[c]) {
      const CardOffer& co = req.card_offers[o];
      if (card_offer_path_excluded(p, o) || e.charged >= co.min_spend) continue;
      const std::string what = "the card offer \"" + (co.label.empty() ? co.id : co.label) + "\"";
      const Minor gap = co.min_spend - e.charged;
      candidates.push_back({"card_offer_min_spend", co.id, what, gap, o});
      // Tax and discounts change what an added item adds to the charge: the gap at list price.
      const Minor charged_merchandise = e.total - e.shipping;
      if (charged_merchandise > 0 && charged_merchandise != p.subtotal)
        candidates.push_back({"card_offer_min_spend", co.id, what,
                              ceil_ratio(gap, p.subtotal, charged_merchandise), o});
    }
  }
  // "A little more": at most half the cart again, and only the few smallest amounts (each
  // one is a whole search).
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const HintCandidate& a, const HintCandidate& b) { return a.add < b.add; });
  // One request with the extra item, its price set per run.
  Request extended;
  bool have_extended = false;
  // Per amount tried: the best stack with the item (searched once, when some candidate
  // needs it); at most 10 amounts per request, each one a whole search.
  struct Run {
    std::unique_ptr<Extended> x;  // null: the search failed
    bool searched = false;
  };
  std::map<Minor, Run> runs;
  const auto set_price = [&](Minor add) {
    if (!have_extended) {
      extended = req;
      extended.preferences.hints = false;
      extended.preferences.alternatives = false;
      Line extra;
      extra.name = "another item";
      extra.quantity = 1;
      extended.cart.lines.push_back(extra);
      have_extended = true;
    }
    extended.cart.lines.back().unit_price = add;
  };
  // The best stack with the item at `add`; nullptr when more than 10 amounts were asked for,
  // the search failed, or `hopeless` proved (from the cart with the item and the net of
  // today's best stack there) that the best stack can't reach c's threshold, which spares
  // the search.
  using Hopeless = bool (*)(const HintCandidate&, const Prepared&, Minor);
  const auto run = [&](Minor add, const HintCandidate& c, Hopeless hopeless) -> const Extended* {
    auto it = runs.find(add);
    if (it != runs.end() && it->second.searched) return it->second.x.get();
    if (it == runs.end()) {
      if (runs.size() >= 10) return nullptr;
      it = runs.emplace(add, Run{}).first;
    }
    set_price(add);
    const Prepared xp(extended, p);
    if (hopeless != nullptr) {
      const auto seed = evaluate(xp, best.stack);
      if (seed && hopeless(c, xp, seed->net)) return nullptr;
    }
    auto x = std::make_unique<Extended>();
    auto r = search(xp, {}, limits, &best.stack);
    if (r) {
      x->found = std::move(*r);
      auto ev = evaluate(xp, x->found.stack);
      if (ev) {
        x->evaluation = std::move(*ev);
        for (std::size_t d = 0; d < xp.discounts.size(); ++d)
          x->tier.push_back(xp.discounts[d].tier == nullptr
                                ? -1
                                : xp.discounts[d].tier - extended.discounts[d].discount.tiers.data());
      } else {
        x.reset();
      }
    } else {
      x.reset();
    }
    it->second.x = std::move(x);
    it->second.searched = true;
    return it->second.x.get();
  };
  // Whether no stack that reaches c's threshold can be as good as `seed_net` (the net of
  // today's best stack on the cart with the item, so at least the best net there): reaching
  // a card offer's min spend or a free-over threshold on the discounted merchandise takes an
  // order total of at least that amount, and net_floor bounds the net of every such order.
  const Hopeless short_of_threshold = [](const HintCandidate& c, const Prepared& xp, Minor seed_net) {
    Minor needs = 0;
    if (c.code == "card_offer_min_spend") {
      needs = xp.req.card_offers[c.index].min_spend;
    } else if (c.code == "free_shipping_threshold") {
      const ShippingOption& opt = xp.req.cart.shipping[c.index];
      if (opt.free_over_basis == AmountBasis::before_discounts) return xp.subtotal < *opt.free_over;
      needs = *opt.free_over;
    } else {
      return false;
    }
    const auto floor = net_floor(xp, needs);
    return floor && *floor > seed_net;
  };
  const Minor most = std::max<Minor>(p.subtotal / 2, 1);
  // Whether the best stack with the added item reaches candidate c's threshold.
  const auto reaches = [&](const HintCandidate& c, const Extended& x) {
    if (c.code == "free_shipping_threshold")
      return x.found.stack.shipping == c.index && x.evaluation.shipping == 0;
    if (c.code == "card_offer_min_spend") {
      for (const auto& [o, back] : x.evaluation.card_offers)
        if (o == c.index) return true;
      return false;
    }
    const auto& chosen = x.found.stack.discounts;
    if (std::find(chosen.begin(), chosen.end(), c.index) == chosen.end()) return false;
    if (c.code != "next_tier") return true;
    // A higher tier than now (tiers are sorted ascending; compare positions, not pointers:
    // the two requests are different objects).
    const Tier* now = p.discounts[c.index].tier;
    return x.tier[c.index] >= 0 && x.tier[c.index] > now - req.discounts[c.index].discount.tiers.data();
  };
  std::vector<Hint> found;
  for (HintCandidate c : candidates) {
    const Extended* x = nullptr;
    bool reached = false;
    // Free shipping after discounts may need more than the gap: the added item can unlock
    // discounts that take the order back under the threshold. Follow the gap a few times.
    for (int attempt = 0; attempt < 3 && !reached; ++attempt) {
      if (c.add <= 0 || c.add > most) break;
      // The next attempt follows what the best stack leaves of the cart, so the search may
      // be skipped only on the last one (or for a threshold on the amount before discounts,
      // which no stack changes).
      const bool last = c.code != "free_shipping_threshold" || attempt == 2 ||
                        c.add >= most ||
                        req.cart.shipping[c.index].free_over_basis == AmountBasis::before_discounts;
      x = run(c.add, c, last ? short_of_threshold : nullptr);
      if (x == nullptr) break;
      reached = reaches(c, *x);
      if (reached || c.code != "free_shipping_threshold") break;
      const ShippingOption& opt = req.cart.shipping[c.index];
      const Minor basis = opt.free_over_basis == AmountBasis::before_discounts
                              ? x->evaluation.subtotal
                              : x->evaluation.merchandise;
      if (basis >= *opt.free_over) break;  // reached, but another option is better
      c.add += *opt.free_over - basis;
    }
    if (!reached) continue;
    // An amount worked out at list price can be a unit above the least that rounds up to
    // the threshold (tax, percentages): try one unit less.
    if (c.add > 1 && !c.least) {
      HintCandidate less = c;
      less.add = c.add - 1;
      const Extended* y = run(less.add, less, nullptr);
      if (y != nullptr && reaches(less, *y)) {
        c = less;
        x = y;
      }
    }
    const Minor saves = best.net - (x->found.net - c.add);
    if (saves <= 0) continue;
    Hint h;
    h.code = c.code;
    h.offer = c.offer;
    h.add = c.add;
    h.saves = saves;
    h.message = "Add " + amount(req, c.add) + " to reach " + c.what + ": saves " +
                amount(req, saves) + " net";
    found.push_back(std::move(h));
  }
  // Per threshold the smallest amount that reaches it; then the three that save most.
  std::stable_sort(found.begin(), found.end(), [](const Hint& a, const Hint& b) {
    return a.add < b.add;
  });
  std::vector<Hint> distinct;
  for (Hint& h : found) {
    const bool dup = std::any_of(distinct.begin(), distinct.end(), [&](const Hint& o) {
      return o.offer == h.offer && o.code == h.code;
    });
    if (!dup) distinct.push_back(std::move(h));
  }
  std::stable_sort(distinct.begin(), distinct.end(), [](const Hint& a, const Hint& b) {
    return a.saves > b.saves;
  });
  for (Hint& h : distinct)
    if (out.size() < 3) out.push_back(std::move(h));
}

}  // namespace

Result<StackResult> stack_deals(const Request& request, const SearchLimits& limits) {
  return stack_deals(Prepared(request), limits);
}

Result<StackResult> stack_deals(const Prepared& p, const SearchLimits& limits) {
  const Request& request = p.req;
  auto best = search(p, {}, limits);
  if (!best) return best.error();
  auto evaluation = evaluate(p, best->stack);
  if (!evaluation)  // the search only builds legal stacks
    return make_error("internal_error", "the chosen stack failed to evaluate: " + evaluation.error().message);
  StackResult result;
  result.baseline = baseline_total(p);
  result.best = std::move(*best);
  result.evaluation = std::move(*evaluation);
  add_warnings(p, result.best, result.evaluation, result.warnings);
  if (request.preferences.alternatives) {
    const Evaluation& e = result.evaluation;
    const bool uses_codes = e.codes > 0;
    const bool uses_promotions = static_cast<int>(e.discounts.size()) > e.codes;
    const std::pair<const char*, bool> layers[] = {
        {"codes", uses_codes},
        {"promotions", uses_promotions},
        {"portal", result.best.stack.portal != kNone},
        {"card_offers", !e.card_offers.empty()},
        {"gift_cards", !result.best.stack.gift_cards.empty()},
    };
    // Each alternative starts from the best stack with its layer taken out (usually close
    // to its answer). Those that take out a payment layer (portal, card offers, gift cards)
    // walk the same discount tree, so they are searched together, in one walk.
    struct Pending {
      const char* name;
      Layers layers;
      Stack seed;
    };
    std::vector<Pending> pending;
    for (const auto& [name, used] : layers) {
      if (!used) continue;
      Layers l;
      const std::string n = name;
      l.codes = n != "codes";
      l.promotions = n != "promotions";
      l.portals = n != "portal";
      l.card_offers = n != "card_offers";
      l.gift_cards = n != "gift_cards";
      Stack seed = result.best.stack;
      if (!l.codes || !l.promotions) {
        std::vector<std::size_t> kept;
        for (std::size_t d : seed.discounts)
          if (p.discounts[d].is_code ? l.codes : l.promotions) kept.push_back(d);
        seed.discounts = std::move(kept);
      }
      if (!l.portals) seed.portal = kNone;
      if (!l.card_offers) seed.card_offers = false;
      if (!l.gift_cards) seed.gift_cards.clear();
      pending.push_back({name, l, std::move(seed)});
    }
    std::vector<Goal> payment_goals;
    for (const Pending& x : pending)
      if (x.layers.codes && x.layers.promotions) payment_goals.push_back({x.layers, &x.seed});
    // The walk may spend what the separate searches could have spent together.
    SearchLimits joint = limits;
    const std::size_t goals = std::max<std::size_t>(payment_goals.size(), 1);
    joint.max_nodes = limits.max_nodes > SIZE_MAX / goals ? SIZE_MAX : limits.max_nodes * goals;
    joint.max_work = limits.max_work > UINT64_MAX / goals ? UINT64_MAX : limits.max_work * goals;
    std::vector<Result<Found>> payment = search_many(p, payment_goals, joint);
    std::size_t next_payment = 0;
    for (const Pending& x : pending) {
      auto alt = (x.layers.codes && x.layers.promotions) ? std::move(payment[next_payment++])
                                                         : search(p, x.layers, limits, &x.seed);
      if (!alt) continue;  // too large to search without this layer: leave it out
      auto alt_eval = evaluate(p, alt->stack);
      if (!alt_eval) return make_error("internal_error", alt_eval.error().message);
      result.alternatives.push_back({x.name, std::move(*alt), std::move(*alt_eval)});
    }
  }
  if (request.preferences.hints) add_hints(request, p, result.best, result.evaluation, limits, result.hints);
  return result;
}

Result<std::string> stack_deals_json(std::string_view request_json, const SearchLimits& limits) {
  auto request = parse_request(request_json);
  if (!request) return request.error();
  const Prepared prepared(*request);
  auto result = stack_deals(prepared, limits);
  if (!result) return result.error();
  return result_json(prepared, *result);
}

}  // namespace dealstack::stacking
