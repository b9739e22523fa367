#include "stacking/search.hpp"

#include <algorithm>
#include <bit>
#include <numeric>
#include <optional>
#include <utility>
#include <vector>

#include "stacking/arith.hpp"
#include "stacking/evaluate.hpp"
#include "stacking/gift_plans.hpp"

namespace dealstack::stacking {
namespace {

constexpr Minor kInfinity = std::numeric_limits<Minor>::max();

// The best way to pay for one priced discount set with one shipping option.
struct Payment {
  Minor net = kInfinity;
  int steps = 0;
  std::size_t plan = 0;
  std::size_t portal = kNone;
  std::size_t card = kNone;
};

// Every value that comes back after checkout (cashback, rewards, card offers, the gift
// cards' discount) is at most alpha * D + beta for an order total D (alpha in millionths).
struct Payback {
  Wide alpha = 0;
  Minor beta = 0;
};

Wide ceil_div(Wide a, Wide b) { return (a + b - 1) / b; }

Payback payback(const Prepared& p, const Layers& layers) {
  const Request& req = p.req;
  Wide alpha = 0;
  Minor beta = 5;  // one unit of rounding for each of cashback, its value, rewards, offer
  if (layers.portals) {
    Wide a = 0;
    Minor b = 0;
    for (const Portal& pt : req.portals) {
      if (pt.is_percent) {
        a = std::max<Wide>(a, ceil_div(static_cast<Wide>(pt.percent.ppm) *
                                           req.preferences.cashback_value.ppm,
                                       Rate::kOne));
      } else {
        b = std::max<Minor>(b, static_cast<Minor>(ceil_div(
                                   static_cast<Wide>(pt.amount) *
                                       req.preferences.cashback_value.ppm,
                                   Rate::kOne)));
      }
    }
    alpha += a;
    beta += b;
  }
  Wide card_a = 0;
  Minor card_b = 0;
  for (std::size_t c = 0; c < req.wallet.cards.size(); ++c) {
    const Card& card = req.wallet.cards[c];
    Wide a = ceil_div(static_cast<Wide>(card.earn.ppm) * card.reward_value.ppm, Rate::kOne);
    Minor b = 0;
    if (layers.card_offers) {
      Wide best_percent = 0;
      for (std::size_t o : p.card_offers_of[c]) {
        const CardOffer& co = req.card_offers[o];
        if (co.is_percent) best_percent = std::max<Wide>(best_percent, co.percent.ppm);
        else b = std::max(b, co.amount);
      }
      a += best_percent;
    }
    card_a = std::max(card_a, a);
    card_b = std::max(card_b, b);
  }
  alpha += card_a;
  beta += card_b;
  if (layers.gift_cards) {
    Wide a = 0;
    for (const GiftCardOffer& g : req.gift_cards)
      for (const Denomination& d : g.denominations)
        if (d.face > 0 && d.price < d.face)
          a = std::max<Wide>(a, ceil_div(static_cast<Wide>(d.face - d.price) * Rate::kOne, d.face));
    alpha += a;
  }
  return {alpha, beta};
}

// phi(D) = D - ceil(alpha * D) - beta: a lower bound on the net of a stack whose order total
// is D, which never decreases as D grows when alpha is below 100 %.
Minor phi(const Payback& back, Minor total) {
  const Minor paid_back =
      total >= 0 && total < (Minor{1} << 31) && back.alpha < Rate::kOne
          ? static_cast<Minor>((static_cast<std::uint64_t>(total) * static_cast<std::uint64_t>(back.alpha) +
                                (Rate::kOne - 1)) / Rate::kOne)
          : static_cast<Minor>(ceil_div(static_cast<Wide>(total) * back.alpha, Rate::kOne));
  return total - paid_back - back.beta;
}

struct Frame {
  std::vector<std::size_t> chosen;  // in the order chosen (entry order for codes)
  std::vector<std::size_t> seq;     // application order
  std::vector<Minor> a;             // line amounts after seq
  std::vector<std::uint64_t> allowed;  // discounts combinable with everything chosen
  std::size_t last = kNone;         // DFS position of the last candidate added (by position)
  int codes = 0;
  int shipping_codes = 0;
  bool code_phase = false;          // entry order: a code has been chosen
  std::uint64_t last_key = 0;       // the largest order key (stage, index) among chosen
  std::uint32_t alive = 0;          // the objectives whose best this subtree might still beat
  std::uint64_t voided = 0;         // portals (the first 64) voided by a chosen code
  // Worked out once per frame by summarize(), for its bound and its children's pre-checks:
  std::vector<std::uint32_t> open;  // candidate positions that could still be added
  // Per line set, what is left of those lines: valid where left_stamp equals stamp (see
  // left_of; filled on demand, so mutable).
  mutable std::vector<Minor> left;
  mutable std::vector<std::uint32_t> left_stamp;
  std::uint32_t stamp = 0;
  Minor merchandise = 0;
  Minor promotions = 0;             // the most the open promotions can still save
  bool shipping_open = false;       // a shipping discount is chosen or open
  std::vector<Minor> code_prefix;   // the best open codes' savings (as many as there are
                                    // slots left), largest first, as prefix sums
  std::vector<Minor> open_cap;      // per open candidate: the most it can save below here
  // Worked out by descend() for its children's checks, per position `at` in open: what the
  // open promotions from `at` on can save, and the best n open codes from `at` on
  // (suffix_top[at * width + n - 1]).
  std::vector<Minor> suffix_promotions;
  std::vector<Minor> suffix_top;
};

class Searcher {
 public:
  // Every objective must have the same codes and promotions layers (they decide the tree).
  Searcher(const Prepared& p, const std::vector<Goal>& goals, const SearchLimits& limits)
      : p_(p), limits_(limits) {
    for (const Goal& g : goals) {
      Objective o;
      o.layers = g.layers;
      o.seed = g.seed;
      objectives_.push_back(o);
    }
  }

  std::vector<Result<Found>> run() {
    std::vector<Result<Found>> out;
    auto failed = run_all();
    for (Objective& o : objectives_) {
      if (failed) out.push_back(*failed);
      else out.push_back(o.best);
    }
    return out;
  }

 private:
  // Searches for every objective at once; an error when a limit is hit.
  std::optional<Error> run_all() {
    const Request& req = p_.req;
    const Layers& shared = objectives_.front().layers;
    for (std::size_t d = 0; d < p_.discounts.size(); ++d) {
      const auto& pd = p_.discounts[d];
      if (!pd.qualifies) continue;
      if (pd.is_code ? !shared.codes : !shared.promotions) continue;
      if (pd.is_code && req.rules.max_codes < 1) continue;
      candidates_.push_back(d);
    }
    // Biggest possible saving first: good stacks are found early, which prunes the rest.
    std::stable_sort(candidates_.begin(), candidates_.end(), [&](std::size_t x, std::size_t y) {
      return weight(x) > weight(y);
    });
    find_twins();

    Minor max_total = 0;
    std::vector<Minor> original = p_.original;
    if (req.cart.shipping.empty()) {
      max_total = order_totals(p_, original, kNone, false).total;
    } else {
      for (std::size_t s = 0; s < req.cart.shipping.size(); ++s)
        max_total = std::max(max_total, order_totals(p_, original, s, false).total);
    }
    no_plans_.plans.assign(1, GiftPlan{});
    no_plans_.index();
    usable_offers_.resize(req.wallet.cards.size());
    for (std::size_t c = 0; c < req.wallet.cards.size(); ++c)
      for (std::size_t o : p_.card_offers_of[c])
        if (!card_offer_path_excluded(p_, o)) usable_offers_[c].push_back(o);
    for (const Portal& pt : req.portals) any_portal_excludes_gift_cards_ |= pt.excludes_gift_cards;
    std::size_t most_plans = 1;
    for (Objective& o : objectives_) {
      o_ = &o;
      if (o.layers.gift_cards && !req.gift_cards.empty()) {
        const auto* sets = p_.gift_plan_sets(max_total, limits_.max_gift_card_plans);
        if (sets->error) return *sets->error;
        o.all_plans = &sets->all;
        o.with_codes = &sets->with_codes;
      } else {
        o.all_plans = o.with_codes = &no_plans_;
      }
      most_plans = std::max(most_plans, o.all_plans->plans.size());
      if (o.layers.card_offers)
        for (const auto& offers : usable_offers_)
          for (std::size_t x : offers) {
            const CardOffer& co = req.card_offers[x];
            if (!co.is_percent) o.fixed_back = std::max(o.fixed_back, co.cap ? std::min(co.amount, *co.cap) : co.amount);
          }
      prepare_bound();
      any_can_prune_ |= o.can_prune;
    }
    // What pricing one node with one shipping option costs at most.
    std::size_t offers_per_card = 0;
    for (const auto& list : p_.card_offers_of) offers_per_card = std::max(offers_per_card, list.size());
    payment_work_ = most_plans * (1 + req.portals.size() + req.wallet.cards.size() * (1 + offers_per_card)) +
                    p_.original.size() + req.portals.size();

    Frame root;
    root.a = p_.original;
    root.allowed.assign(p_.words, ~std::uint64_t{0});
    root.alive = all_objectives();
    voids_.assign(p_.discounts.size(), 0);
    for (std::size_t d : candidates_)
      for (std::size_t pt = 0; pt < std::min<std::size_t>(req.portals.size(), 64); ++pt)
        if (portal_voided(p_, pt, {d})) voids_[d] |= std::uint64_t{1} << pt;
    find_line_sets();
    summarize(root, nullptr);
    if (!price(root)) return too_large();
    for (Objective& o : objectives_) {
      if (o.seed == nullptr) continue;
      auto e = evaluate(p_, *o.seed);
      if (e && better(e->net, e->steps, e->codes, o.best)) {
        o.best.stack = *o.seed;
        o.best.net = e->net;
        o.best.steps = e->steps;
        o.best.codes = e->codes;
      }
    }
    // One reusable frame per depth: children are built in place, without allocating.
    frames_.resize(kMaxDiscountsPerStack + 2);
    if (!descend(root, 0)) return too_large();
    for (Objective& o : objectives_) o.best.nodes = nodes_;
    return std::nullopt;
  }

  std::uint32_t all_objectives() const {
    return objectives_.size() >= 32 ? ~std::uint32_t{0} : (std::uint32_t{1} << objectives_.size()) - 1;
  }

  Error too_large() const {
    return make_error("search_too_large",
                      "offers: these offers combine in more ways than the stacker searches "
                      "exactly (" + std::to_string(nodes_) +
                          " discount sets priced before giving up); send fewer offers");
  }

  Minor weight(std::size_t d) const {
    const auto& pd = p_.discounts[d];
    if (!pd.is_shipping) return pd.standalone;
    Minor most = 0;
    for (const auto& s : p_.req.cart.shipping) most = std::max(most, s.price);
    return most;
  }

  // ---- interchangeable discounts ------------------------------------------------------
  // Deal feeds list many codes that do exactly the same thing ("SAVE20", "EXTRA20", ...).
  // Stacks that differ only in which of such twins they use price the same, so the search
  // takes twins in a fixed order: a discount whose earlier twin isn't in the stack is never
  // added. Twins must have the same effect on this cart, the same combinability with every
  // other discount and the same standing with every portal, and (where the retailer's
  // order sorts discounts by their position in the request) no other discount of their
  // stage between them, so that swapping them never changes the order things apply in.
  void find_twins() {
    twin_prev_.assign(p_.discounts.size(), kNone);
    const bool entry = p_.req.rules.order == ApplicationOrder::entry;
    for (std::size_t k = 0; k < candidates_.size(); ++k) {
      const std::size_t d = candidates_[k];
      for (std::size_t q = k; q-- > 0;) {
        const std::size_t e = candidates_[q];
        if (!interchangeable(e, d)) continue;
        // Entry order: codes go in whatever order the stacker picks.
        if (!(entry && p_.discounts[d].is_code) && !adjacent(e, d)) break;
        twin_prev_[d] = e;
        break;
      }
    }
  }

  // No candidate that sorts with e and d lies between them unless it is their twin: under
  // the Shopify and WooCommerce orders, one of the same stage; in entry order (where only
  // promotions get here), another promotion.
  bool adjacent(std::size_t e, std::size_t d) const {
    const bool entry = p_.req.rules.order == ApplicationOrder::entry;
    const auto lo = std::min(e, d), hi = std::max(e, d);
    for (std::size_t x : candidates_) {
      if (x <= lo || x >= hi) continue;
      const bool sorts_with = entry ? !p_.discounts[x].is_code
                                    : p_.discounts[x].stage == p_.discounts[d].stage;
      if (sorts_with && !interchangeable(x, d)) return false;
    }
    return true;
  }

  bool interchangeable(std::size_t i, std::size_t j) const {
    const PreparedDiscount& a = p_.discounts[i];
    const PreparedDiscount& b = p_.discounts[j];
    if (a.is_code != b.is_code || a.is_shipping != b.is_shipping || a.stage != b.stage ||
        a.standalone != b.standalone || a.lines != b.lines || a.free_units != b.free_units)
      return false;
    const DiscountOffer& x = p_.req.discounts[i];
    const DiscountOffer& y = p_.req.discounts[j];
    const Discount& u = x.discount;
    const Discount& v = y.discount;
    if (u.type != v.type || u.percent.ppm != v.percent.ppm || u.amount != v.amount ||
        u.per_unit != v.per_unit || u.price != v.price || u.buy != v.buy || u.get != v.get ||
        u.max_uses != v.max_uses || u.shipping_options != v.shipping_options ||
        x.max_discount != y.max_discount)
      return false;
    if ((a.tier == nullptr) != (b.tier == nullptr)) return false;
    if (a.tier != nullptr && (a.tier->is_percent != b.tier->is_percent ||
                              a.tier->percent.ppm != b.tier->percent.ppm ||
                              a.tier->amount != b.tier->amount))
      return false;
    for (std::size_t w = 0; w < p_.words; ++w) {
      std::uint64_t mask = ~std::uint64_t{0};
      if (i / 64 == w) mask &= ~(std::uint64_t{1} << (i % 64));
      if (j / 64 == w) mask &= ~(std::uint64_t{1} << (j % 64));
      if ((p_.compatible[i * p_.words + w] & mask) != (p_.compatible[j * p_.words + w] & mask))
        return false;
    }
    if (a.is_code)
      for (std::size_t pt = 0; pt < p_.req.portals.size(); ++pt)
        if (portal_lists(p_, pt, i) != portal_lists(p_, pt, j)) return false;
    return true;
  }

  // Whether d's earlier twin (if any) is already in frame f.
  bool twin_ready(const Frame& f, std::size_t d) const {
    const std::size_t e = twin_prev_[d];
    return e == kNone || std::find(f.chosen.begin(), f.chosen.end(), e) != f.chosen.end();
  }

  // ---- the lower bound -------------------------------------------------------------
  // Every value that comes back after checkout (cashback, rewards, card offers, the gift
  // cards' discount) is at most alpha * D + beta for an order total D, so a stack's net is
  // at least phi(D) = D - ceil(alpha * D) - beta, which never decreases as D grows (alpha
  // below 100 %). A subtree whose smallest possible D gives phi above the best net found
  // holds nothing better.
  void prepare_bound() {
    const Request& req = p_.req;
    const Payback back = payback(p_, o_->layers);
    const Wide alpha = back.alpha;
    const Minor beta = back.beta;
    o_->alpha = alpha;
    o_->beta = beta;
    o_->can_prune = alpha < Rate::kOne;

    // Shipping can't cost less than this, whatever is chosen.
    shipping_floor_ = 0;
    max_shipping_ = 0;
    for (const ShippingOption& s : req.cart.shipping) max_shipping_ = std::max(max_shipping_, s.price);
    if (!req.cart.shipping.empty()) {
      bool free_possible = false;
      for (std::size_t d : candidates_) free_possible |= p_.discounts[d].is_shipping;
      Minor floor = kInfinity;
      for (const ShippingOption& s : req.cart.shipping)
        floor = std::min(floor, (s.free_over || free_possible) ? 0 : s.price);
      shipping_floor_ = floor;
    }
    if (req.cart.tax.basis == AmountBasis::before_discounts) {
      fixed_tax_ = order_totals(p_, p_.original, kNone, false).tax;
    }
  }

  // ceil(x * rate) for x >= 0, in 64 bits when it fits (see apply_rate).
  static Minor ceil_rate(Minor x, Rate rate) {
    if (x < (Minor{1} << 31) && rate.ppm >= 0 && rate.ppm < (std::int64_t{1} << 31))
      return static_cast<Minor>((static_cast<std::uint64_t>(x) * static_cast<std::uint64_t>(rate.ppm) +
                                 (Rate::kOne - 1)) / Rate::kOne);
    return static_cast<Minor>(ceil_div(static_cast<Wide>(x) * rate.ppm, Rate::kOne));
  }

  // What every stack in a subtree shares, as its root frame f tells (f's merchandise only
  // falls below it, its chosen discounts only grow): the most its order total can be, and
  // the portals already voided.
  struct Reach {
    Minor max_total = 0;
    std::uint64_t voided = 0;
  };

  // The lower bound on the net of every stack in the subtree rooted at f whose merchandise
  // is at least m.
  // First phi (cheap). When that doesn't prune, the payment layers relaxed so that none of
  // them can give back more as the order grows than its rate times the growth: no portal is
  // voided that f hasn't voided already and a fixed portal always pays, every gift card up
  // to the subtree's largest total may be used, and a card-linked offer pays as if its min
  // spend were met unless the subtree's largest total is below it (a fixed one up to the
  // amount charged: see plan_floor). Then with
  // D = the smallest possible total and M = m, every stack below has M' >= M and
  // D' >= D + (M' - M), and for each gift-card plan (face F, cost C)
  //   net >= C + (D* - F) - portal(M + D* - D, F) - card(D* - F)   with D* = max(D, F),
  // because past D* the total grows faster than the relaxed layers can give back (their
  // rates add up to alpha < 100 %), less a unit of rounding for each rounded amount.
  Minor bound_from(Minor m, const Frame& f) const {
    const Minor total = m + shipping_floor(f) + tax_floor(m);
    const Minor cheap = phi(total);
    if (cheap > o_->best.net) return cheap;
    const Reach reach{max_total(f), f.voided};
    return std::max(cheap, relaxed_floor(m, total, reach, o_->best.net + kRoundingSlack) - kRoundingSlack);
  }

  static constexpr Minor kRoundingSlack = 6;

  // The least shipping any stack below f pays: an option is free only through a shipping
  // discount (chosen or open) or a free-over threshold that f's merchandise reaches.
  Minor shipping_floor(const Frame& f) const {
    if (f.shipping_open) return shipping_floor_;
    const Cart& cart = p_.req.cart;
    if (cart.shipping.empty()) return 0;
    Minor floor = kInfinity;
    for (const ShippingOption& s : cart.shipping) {
      const bool free = s.free_over && (s.free_over_basis == AmountBasis::before_discounts
                                            ? p_.subtotal >= *s.free_over
                                            : f.merchandise >= *s.free_over);
      floor = std::min(floor, free ? 0 : s.price);
    }
    return floor;
  }

  // The largest order total of any stack below f: its merchandise, the dearest shipping,
  // and the tax on both (a unit of rounding per rounded amount).
  Minor max_total(const Frame& f) const {
    const Cart& cart = p_.req.cart;
    const Minor tax_base =
        (cart.tax.basis == AmountBasis::after_discounts ? f.merchandise : p_.subtotal) +
        (cart.tax.shipping_taxable ? max_shipping_ : 0);
    const Minor tax = cart.tax.rate.ppm == 0
                          ? 0
                          : ceil_rate(tax_base, cart.tax.rate) + static_cast<Minor>(f.a.size()) + 2;
    return f.merchandise + max_shipping_ + tax;
  }

  // min over plans of the expression above (without the slack); returns as soon as one plan
  // comes to `limit` or less (the bound can't prune then, whatever the minimum).
  Minor relaxed_floor(Minor m, Minor total, const Reach& reach, Minor limit) const {
    const PlanSet& set = *o_->all_plans;
    const auto& plans = set.plans;
    const Minor card_ceiling = relaxed_card(total, reach);
    const Minor portal_ceiling = relaxed_portal(m, 0, reach);
    Minor best = kInfinity;
    const std::size_t fit = plans_up_to(set, total);
    for (std::size_t k = fit; k-- > 0;) {
      // (Plans that leave less than fixed_back to charge are bounded differently; past
      // them, faces only get smaller.)
      if (plans[k].face <= total - o_->fixed_back &&
          total - set.max_discount[k] - portal_ceiling - card_ceiling > std::min(best, limit))
        break;
      const GiftPlan& plan = plans[k];
      const Minor v = plan_floor(plan, m, total, reach);
      best = std::min(best, v);
      if (best <= limit) return best;
    }
    // Plans bigger than the smallest total: they can only be used once the total reaches
    // their face (so not past the subtree's largest total), and then the card is charged
    // nothing.
    const std::size_t usable = plans_up_to(set, reach.max_total);
    if (fit < usable &&
        set.min_cost_from[fit] -
                relaxed_portal(m + plans[usable - 1].face + o_->fixed_back - total, 0, reach) -
                relaxed_card(o_->fixed_back, reach) <= std::min(best, limit)) {
      for (std::size_t k = fit; k < usable; ++k) {
        const Minor v = plan_floor(plans[k], m, total, reach);
        best = std::min(best, v);
        if (best <= limit) return best;
      }
    }
    return best;
  }

  // The least net of any stack below with plan `plan`, at totals from `total` up (see
  // bound_from). A card-linked offer's fixed amount is paid back only up to the amount
  // charged, so while less than the largest such amount (fixed_back) is charged the net
  // can fall as the total grows (the portal's and the card's rates keep paying): from
  // there on it can't, so that point bounds the stretch before it.
  Minor plan_floor(const GiftPlan& plan, Minor m, Minor total, const Reach& reach) const {
    const Minor start = std::max(total, plan.face);  // D*
    const Minor charged = start - plan.face;
    if (charged >= o_->fixed_back)
      return plan.cost + charged - relaxed_portal(m + start - total, plan.face, reach) -
             relaxed_card(charged, reach);
    // Anywhere before plan.face + fixed_back: net >= cost - portal - card there.
    const Minor until = plan.face + o_->fixed_back;
    return plan.cost - relaxed_portal(m + until - total, plan.face, reach) -
           relaxed_card(o_->fixed_back, reach);
  }

  // The most any portal not yet voided could pay (valued) for merchandise m and gift-card
  // face g, relaxed.
  Minor relaxed_portal(Minor m, Minor g, const Reach& reach) const {
    if (!o_->layers.portals) return 0;
    const Request& req = p_.req;
    Minor most = 0;
    for (std::size_t i = 0; i < req.portals.size(); ++i) {
      if (i < 64 && (reach.voided >> i & 1) != 0) continue;
      const Portal& pt = req.portals[i];
      Minor cb = 0;
      if (pt.is_percent) {
        const Minor base = m - (pt.excludes_gift_cards ? std::min(g, m) : 0);
        if (base > 0) cb = apply_rate(base, pt.percent, req.rules.rounding);
      } else {
        cb = pt.amount;
      }
      if (pt.cap) cb = std::min(cb, *pt.cap);
      most = std::max(most, apply_rate(cb, req.preferences.cashback_value, req.rules.rounding));
    }
    return most;
  }

  // The most any card could give back on `charged`, its offers' min spends ignored unless
  // no order below reaches them.
  Minor relaxed_card(Minor charged, const Reach& reach) const {
    const Request& req = p_.req;
    Minor most = 0;
    for (std::size_t c = 0; c < req.wallet.cards.size(); ++c) {
      Minor v = card_rewards(p_, c, charged);
      if (o_->layers.card_offers) {
        Minor back = 0;
        for (std::size_t o : usable_offers_[c]) {
          const CardOffer& co = req.card_offers[o];
          if (co.min_spend > reach.max_total) continue;
          Minor b = co.is_percent ? (charged > 0 ? apply_rate(charged, co.percent, req.rules.rounding) : 0)
                                  : co.amount;
          if (co.cap) b = std::min(b, *co.cap);
          back = std::max(back, std::min(b, std::max<Minor>(charged, 0)));
        }
        v += back;
      }
      most = std::max(most, v);
    }
    return most;
  }

  Minor phi(Minor total) const { return stacking::phi(Payback{o_->alpha, o_->beta}, total); }

  Minor tax_floor(Minor merchandise) const {
    const Request& req = p_.req;
    if (req.cart.tax.rate.ppm == 0) return 0;
    if (req.cart.tax.basis == AmountBasis::before_discounts) return fixed_tax_;
    const std::int64_t rate = req.cart.tax.rate.ppm;
    const Minor floor_tax =
        merchandise >= 0 && merchandise < (Minor{1} << 31) && rate >= 0 && rate < (std::int64_t{1} << 31)
            ? static_cast<Minor>(static_cast<std::uint64_t>(merchandise) * static_cast<std::uint64_t>(rate) /
                                 Rate::kOne)
            : static_cast<Minor>(static_cast<Wide>(merchandise) * rate / Rate::kOne);
    const Minor t = floor_tax - static_cast<Minor>(req.cart.lines.size()) - 1;
    return std::max<Minor>(0, t);
  }

  // Whether candidate position k could still be added below frame f.
  bool open(const Frame& f, std::size_t k) const {
    const std::size_t d = candidates_[k];
    if ((f.allowed[d / 64] >> (d % 64) & 1) == 0) return false;
    const bool code = p_.discounts[d].is_code;
    if (p_.req.rules.order == ApplicationOrder::entry) {
      // A chosen discount is never `allowed` again (nothing combines with itself).
      if (code) return true;
      return !f.code_phase && (f.last == kNone || k > f.last);
    }
    return f.last == kNone || k > f.last;
  }

  bool room_for(const Frame& f, std::size_t d) const {
    if (f.chosen.size() >= kMaxDiscountsPerStack) return false;
    const auto& pd = p_.discounts[d];
    if (!pd.is_code) return true;
    const auto& rules = p_.req.rules;
    if (f.codes + 1 > rules.max_codes) return false;
    if (pd.is_shipping) return f.shipping_codes + 1 <= rules.max_shipping_codes;
    return f.codes - f.shipping_codes + 1 <= rules.max_product_order_codes;
  }

  // A lower bound on the net of every stack in the subtree rooted at f (f included).
  Minor lower_bound(const Frame& f) const {
    const Minor m = std::max<Minor>(0, f.merchandise - f.promotions - top(f, slots_left(f)));
    return bound_from(m, f);
  }

  int slots_left(const Frame& f) const { return p_.req.rules.max_codes - f.codes; }

  // The most the best n open codes of f can save.
  static Minor top(const Frame& f, int n) {
    if (n <= 0 || f.code_prefix.empty()) return 0;
    return f.code_prefix[std::min<std::size_t>(static_cast<std::size_t>(n), f.code_prefix.size()) - 1];
  }

  // Discounts that look at the same lines share one sum of what is left of them.
  void find_line_sets() {
    line_set_of_.assign(p_.discounts.size(), 0);
    for (std::size_t d : candidates_) {
      const auto& lines = p_.discounts[d].lines;
      std::size_t s = 0;
      while (s < line_sets_.size() && *line_sets_[s] != lines) ++s;
      if (s == line_sets_.size()) line_sets_.push_back(&lines);
      line_set_of_[d] = s;
    }
  }

  // Fills f's open list (from its parent's: what is open below a child was open above it),
  // what is left per line set, and the savings its bound and its children's checks use.
  // `from`: where in the parent's open list to start (entries before it are known closed).
  void summarize(Frame& f, const Frame* parent, std::size_t from = 0) {
    f.open.clear();
    if (parent == nullptr) {
      for (std::size_t k = 0; k < candidates_.size(); ++k)
        if (open(f, k)) f.open.push_back(static_cast<std::uint32_t>(k));
    } else {
      for (std::size_t at = from; at < parent->open.size(); ++at)
        if (open(f, parent->open[at])) f.open.push_back(parent->open[at]);
    }
    f.merchandise = 0;
    for (Minor x : f.a) f.merchandise += x;
    // What is left per line set is summed when first asked for (most frames need a few).
    f.stamp = ++stamps_;
    if (f.left.size() < line_sets_.size()) {
      f.left.resize(line_sets_.size());
      f.left_stamp.resize(line_sets_.size(), 0);
    }
    f.promotions = 0;
    f.code_prefix.clear();
    f.open_cap.clear();
    if (!any_can_prune_) return;
    f.shipping_open = false;
    for (std::size_t d : f.chosen) f.shipping_open |= p_.discounts[d].is_shipping;
    for (std::uint32_t k : f.open) {
      const std::size_t d = candidates_[k];
      const auto& pd = p_.discounts[d];
      f.shipping_open |= pd.is_shipping;
      const Minor cap = (pd.is_shipping || pd.standalone == 0) ? 0 : cap_saving(f, d);
      f.open_cap.push_back(cap);
      if (cap == 0) continue;
      if (pd.is_code) f.code_prefix.push_back(cap);
      else f.promotions += cap;
    }
    // Only the best slots_left(f) codes are ever asked for (top()).
    auto& prefix = f.code_prefix;
    const auto keep = static_cast<std::size_t>(std::max(slots_left(f), 0));
    if (prefix.size() > keep) {
      std::nth_element(prefix.begin(), prefix.begin() + static_cast<std::ptrdiff_t>(keep), prefix.end(),
                       std::greater<>());
      prefix.resize(keep);
    }
    std::sort(prefix.begin(), prefix.end(), std::greater<>());
    for (std::size_t i = 1; i < prefix.size(); ++i) prefix[i] += prefix[i - 1];
    work_ += f.open.size() + f.a.size();
  }

  // Whether adding discount d anywhere below f changes nothing but the step count (so every
  // stack with it is beaten by the same stack without it): it isn't about shipping and all
  // of its lines are already at zero, for good (no discount raises an amount, so lines at
  // zero stay there whatever else is added). Either every line is at zero, or d applies
  // after everything chosen and its lines are at zero when it does. (Choosing it could only
  // void a portal, use up a code slot or bar gift cards: never lower the net.)
  bool no_effect(const Frame& f, std::size_t d) const {
    if (p_.discounts[d].is_shipping) return false;
    if (f.merchandise == 0) return true;
    return applies_after(f, d) && left_of(f, d) == 0;
  }

  // What is left in frame f of the lines discount d looks at.
  Minor left_of(const Frame& f, std::size_t d) const {
    const std::size_t s = line_set_of_[d];
    if (f.left_stamp[s] != f.stamp) {
      Minor sum = 0;
      const auto& lines = *line_sets_[s];
      if (lines.size() == f.a.size()) {
        sum = f.merchandise;
      } else {
        for (std::size_t i : lines) sum += f.a[i];
      }
      f.left[s] = sum;
      f.left_stamp[s] = f.stamp;
    }
    return f.left[s];
  }

  // Where discount d sorts in the application order (stage, then position in the request).
  std::uint64_t order_key(std::size_t d) const {
    return (static_cast<std::uint64_t>(p_.discounts[d].stage) << 32) | d;
  }

  // Whether d, added anywhere below f, applies after everything f has chosen: a code in
  // entry order (codes go last, in the order picked), else one that sorts after them all.
  bool applies_after(const Frame& f, std::size_t d) const {
    if (p_.req.rules.order == ApplicationOrder::entry && p_.discounts[d].is_code) return true;
    return f.chosen.empty() || order_key(d) > f.last_key;
  }

  // The most discount d can still save below frame f. Its standalone saving always bounds
  // it; when it applies after everything chosen so far it sees at most f's line amounts
  // (each line's discount is clamped to what is left of it), so it saves at most what is
  // left of its lines, and a compounding percentage at most that percentage of it (plus a
  // unit of rounding per line).
  Minor cap_saving(const Frame& f, std::size_t d) const {
    const PreparedDiscount& pd = p_.discounts[d];
    Minor cap = pd.standalone;
    if (f.chosen.empty() || !applies_after(f, d)) return cap;
    const Minor left = left_of(f, d);
    cap = std::min(cap, left);
    const auto& rules = p_.req.rules;
    if (rules.percent_basis == PercentBasis::compounded) {
      const Discount& disc = p_.req.discounts[d].discount;
      const Rate* rate = nullptr;
      if (disc.type == DiscountType::percent) rate = &disc.percent;
      else if (disc.type == DiscountType::tiered && pd.tier != nullptr && pd.tier->is_percent)
        rate = &pd.tier->percent;
      if (rate != nullptr) {
        const Minor slack = rules.rounding_scope == RoundingScope::line
                                ? static_cast<Minor>(pd.lines.size())
                                : 1;
        cap = std::min(cap, ceil_rate(left, *rate) + slack);
      }
    }
    return cap;
  }

  // ---- pricing a node ----------------------------------------------------------------
  // Prices frame f (its discounts with every shipping option and the best payment) and
  // keeps it when it beats the best so far. False when the node budget is spent.
  bool price(const Frame& f) {
    if (++nodes_ > limits_.max_nodes) return false;
    const Request& req = p_.req;
    const std::size_t options = req.cart.shipping.empty() ? 1 : req.cart.shipping.size();
    work_ += payment_work_ * options * static_cast<std::uint64_t>(std::popcount(f.alive));
    if (work_ > limits_.max_work) return false;
    voided_.assign(req.portals.size(), false);
    for (std::size_t pt = 0; pt < req.portals.size(); ++pt)
      voided_[pt] = portal_voided(p_, pt, f.chosen);
    totals_.clear();
    for (std::size_t o = 0; o < options; ++o) {
      const std::size_t option = req.cart.shipping.empty() ? kNone : o;
      bool free = false;
      for (std::size_t d : f.chosen)
        if (p_.discounts[d].is_shipping && covers_option(p_, d, option)) free = true;
      totals_.push_back(order_totals(p_, f.a, option, free));
    }
    for (std::size_t i = 0; i < objectives_.size(); ++i) {
      if ((f.alive >> i & 1) == 0) continue;
      o_ = &objectives_[i];
      for (std::size_t o = 0; o < options; ++o) {
        const std::size_t option = req.cart.shipping.empty() ? kNone : o;
        const Totals& t = totals_[o];
        if (o_->have_best && o_->can_prune && phi(t.total) > o_->best.net) continue;
        const Payment pay =
            pay_for(t.merchandise, t.total, f.codes > 0, o_->have_best ? o_->best.net : kInfinity);
        const int steps = static_cast<int>(f.chosen.size()) + pay.steps;
        if (!o_->have_best || better(pay.net, steps, f.codes, o_->best)) {
          o_->have_best = true;
          o_->best.net = pay.net;
          o_->best.steps = steps;
          o_->best.codes = f.codes;
          Stack& s = o_->best.stack;
          s.discounts = f.chosen;
          s.shipping = option;
          s.portal = pay.portal;
          s.card = pay.card;
          s.card_offers = o_->layers.card_offers;
          const auto& plans = f.codes > 0 ? o_->with_codes->plans : o_->all_plans->plans;
          s.gift_cards = plans[pay.plan].uses;
        }
      }
    }
    return true;
  }

  // The payment layers' best for one order. Only payments with net <= limit matter to the
  // caller: plans that provably can't reach it are skipped.
  //
  // Plans are tried from the largest face down. A plan's net is at least
  // total - (its face - cost) - (the best portal value with no gift card) - (the best card
  // value on the whole total), since portal cashback never grows with the gift-card face and
  // card value never shrinks with the amount charged; once that bound with the largest
  // discount among the remaining plans is above the limit, none of them can reach it.
  // Ties keep the plan with the smallest face (as a forward scan would).
  Payment pay_for(Minor merchandise, Minor total, bool codes, Minor limit) const {
    const Request& req = p_.req;
    const PlanSet& set = codes ? *o_->with_codes : *o_->all_plans;
    const auto& plans = set.plans;
    // With no gift card every portal pays its face-0 value; portals whose base ignores gift
    // cards pay that under every plan. (The first portal by index wins a tie, as a plain
    // scan would pick.)
    Minor no_gift_value = 0, fixed_value = 0;
    std::size_t no_gift_portal = kNone, fixed_portal = kNone;
    if (o_->layers.portals) {
      for (std::size_t pt = 0; pt < req.portals.size(); ++pt) {
        if (voided_[pt]) continue;
        const Minor v = portal_value(pt, merchandise, 0);
        if (v > no_gift_value) {
          no_gift_value = v;
          no_gift_portal = pt;
        }
        if (!req.portals[pt].excludes_gift_cards && v > fixed_value) {
          fixed_value = v;
          fixed_portal = pt;
        }
      }
    }
    const Minor card_ceiling = best_card(total).value;
    Payment best;
    std::size_t k = plans_up_to(set, total);
    while (k-- > 0) {
      const Minor reach = std::min(limit, best.net);
      if (total - set.max_discount[k] - no_gift_value - card_ceiling > reach) break;
      const GiftPlan& plan = plans[k];
      const Minor charged = total - plan.face;
      Minor portal_v = plan.face == 0 ? no_gift_value : fixed_value;
      std::size_t portal = plan.face == 0 ? no_gift_portal : fixed_portal;
      if (o_->layers.portals && plan.face > 0 && any_portal_excludes_gift_cards_) {
        for (std::size_t pt = 0; pt < req.portals.size(); ++pt) {
          if (!req.portals[pt].excludes_gift_cards || voided_[pt]) continue;
          const Minor v = portal_value(pt, merchandise, plan.face);
          if (v > portal_v || (v == portal_v && v > 0 && pt < portal)) {
            portal_v = v;
            portal = pt;
          }
        }
      }
      const CardChoice cc = best_card(charged);
      const Minor net = plan.cost + charged - portal_v - cc.value;
      const int steps = plan.offers + (portal != kNone ? 1 : 0) + cc.steps;
      if (net < best.net || (net == best.net && steps <= best.steps)) {
        best.net = net;
        best.steps = steps;
        best.plan = k;
        best.portal = portal;
        best.card = cc.card;
      }
    }
    return best;
  }

  // How many of the set's plans (sorted by face) have a face of at most `total`.
  static std::size_t plans_up_to(const PlanSet& set, Minor total) {
    return static_cast<std::size_t>(
        std::upper_bound(set.plans.begin(), set.plans.end(), total,
                         [](Minor t, const GiftPlan& g) { return t < g.face; }) -
        set.plans.begin());
  }

  Minor portal_value(std::size_t pt, Minor merchandise, Minor face) const {
    return apply_rate(portal_cashback(p_, pt, merchandise, face), p_.req.preferences.cashback_value,
                      p_.req.rules.rounding);
  }

  struct CardChoice {
    Minor value = 0;
    int steps = 0;
    std::size_t card = kNone;
  };
  // The card that gives back most on `charged` (its rewards plus its best card-linked offer);
  // the first such card, and among equals the one without an offer step.
  CardChoice best_card(Minor charged) const {
    CardChoice best;
    for (std::size_t c = 0; c < p_.req.wallet.cards.size(); ++c) {
      Minor v = card_rewards(p_, c, charged);
      int steps = 0;
      if (o_->layers.card_offers) {
        Minor best_back = 0;
        for (std::size_t o : usable_offers_[c]) best_back = std::max(best_back, card_offer_back(p_, o, charged));
        if (best_back > 0) {
          v += best_back;
          steps = 1;
        }
      }
      if (v > best.value || (v == best.value && v > 0 && steps < best.steps)) {
        best.value = v;
        best.steps = steps;
        best.card = c;
      }
    }
    return best;
  }

  // The objectives in `alive` that a subtree might still improve: those that can't prune,
  // and those whose bound (worked out by `bound` for each, o_ set) isn't above their best.
  template <typename Bound>
  std::uint32_t surviving(std::uint32_t alive, Bound bound) {
    for (std::size_t i = 0; i < objectives_.size(); ++i) {
      if ((alive >> i & 1) == 0) continue;
      o_ = &objectives_[i];
      if (!o_->can_prune) continue;
      ++work_;
      if (bound() > o_->best.net) alive &= ~(std::uint32_t{1} << i);
    }
    return alive;
  }

  static constexpr std::size_t kMaxSuffixWidth = 8;

  // Suffix sums over f's open list (see Frame::suffix_promotions); width = code slots left.
  void fill_suffixes(Frame& f, std::size_t width) {
    const std::size_t n = f.open.size();
    f.suffix_promotions.assign(n + 1, 0);
    f.suffix_top.assign((n + 1) * width, 0);
    Minor best[kMaxSuffixWidth] = {};  // the largest code savings from `at` on, largest first
    for (std::size_t at = n; at-- > 0;) {
      const std::size_t d = candidates_[f.open[at]];
      const Minor cap = f.open_cap[at];
      f.suffix_promotions[at] = f.suffix_promotions[at + 1] + (p_.discounts[d].is_code ? 0 : cap);
      if (p_.discounts[d].is_code && width > 0 && cap > best[width - 1]) {
        std::size_t j = width - 1;
        while (j > 0 && best[j - 1] < cap) {
          best[j] = best[j - 1];
          --j;
        }
        best[j] = cap;
      }
      Minor sum = 0;
      for (std::size_t j = 0; j < width; ++j) f.suffix_top[at * width + j] = (sum += best[j]);
    }
    work_ += n * (width + 1);
  }

  // ---- the search --------------------------------------------------------------------
  bool descend(Frame& f, std::size_t depth) {
    // A first, cheap bound for each child from this frame's amounts, checked before the
    // child is built: below f, a discount saves at most cap_saving(f, .), so a child adding
    // d saves at most (the open promotions) + (d) + (the best other open codes that fit in
    // the slots left).
    //
    // Below a child only what comes after it in the search order can still be added (except
    // codes in entry order, which go in any order, and after which no promotion can), so
    // "the open promotions" and "the best other codes" are those after it: suffix sums.
    const int slots = slots_left(f);
    const Minor top_all = top(f, slots);
    const Minor top_but_one = top(f, slots - 1);
    const bool entry = p_.req.rules.order == ApplicationOrder::entry;
    const std::size_t width = static_cast<std::size_t>(std::max(slots, 0));
    const bool suffixes = any_can_prune_ && width <= kMaxSuffixWidth;
    if (suffixes) fill_suffixes(f, width);
    for (std::size_t at = 0; at < f.open.size(); ++at) {
      const std::size_t k = f.open[at];
      const std::size_t d = candidates_[k];
      if (!room_for(f, d) || !twin_ready(f, d) || no_effect(f, d)) continue;
      std::uint32_t alive = f.alive;
      if (any_can_prune_) {
        const auto& pd = p_.discounts[d];
        const Minor own = f.open_cap[at];
        Minor saving;
        if (pd.is_code && entry) {
          // Its own saving plus the best slots - 1 other codes, which is the top `slots`
          // when it is among them (the smaller of the two either way); no promotions.
          saving = std::min(top_all, top_but_one + own);
        } else if (!suffixes) {
          saving = f.promotions + (!pd.is_code ? top_all : std::min(top_all, top_but_one + own));
        } else {
          const std::size_t n = pd.is_code ? width - 1 : width;
          const Minor codes_after =
              entry ? top_all : (n == 0 ? 0 : f.suffix_top[(at + 1) * width + n - 1]);
          saving = own + f.suffix_promotions[at + 1] + codes_after;
        }
        const Minor m = std::max<Minor>(0, f.merchandise - saving);
        alive = surviving(alive, [&] { return bound_from(m, f); });
        if (alive == 0) continue;
      }
      Frame& child = frames_[depth + 1];
      child.chosen = f.chosen;
      child.chosen.push_back(d);
      child.codes = f.codes + (p_.discounts[d].is_code ? 1 : 0);
      child.shipping_codes =
          f.shipping_codes + (p_.discounts[d].is_code && p_.discounts[d].is_shipping ? 1 : 0);
      child.code_phase = f.code_phase || p_.discounts[d].is_code;
      child.last = (p_.req.rules.order == ApplicationOrder::entry && p_.discounts[d].is_code)
                       ? f.last
                       : k;
      child.last_key = f.chosen.empty() ? order_key(d) : std::max(f.last_key, order_key(d));
      child.voided = f.voided | voids_[d];
      child.allowed = f.allowed;
      for (std::size_t w = 0; w < p_.words; ++w) child.allowed[w] &= p_.compatible[d * p_.words + w];
      application_sequence(p_, child.chosen, child.seq);
      // Reuse the parent's line amounts when the new discount applies after all of its.
      if (std::equal(f.seq.begin(), f.seq.end(), child.seq.begin())) {
        child.a = f.a;
        apply_discount(p_, d, child.a);
      } else {
        child.a = p_.original;
        for (std::size_t x : child.seq) apply_discount(p_, x, child.a);
      }
      work_ += candidates_.size() + child.seq.size() * (p_.original.size() + 4) + p_.words;
      if (work_ > limits_.max_work) return false;
      // Outside entry order a child adds only candidates after its own (its parent's open
      // list is in candidate order); in entry order codes may still come from anywhere.
      summarize(child, &f, entry ? 0 : at + 1);
      child.alive = surviving(alive, [&] { return lower_bound(child); });
      if (child.alive == 0) continue;
      if (!price(child)) return false;
      if (!descend(child, depth + 1)) return false;
    }
    return true;
  }

  const Prepared& p_;
  SearchLimits limits_;
  // What each objective is searched for, and what it found; o_ points at the one being
  // priced or bounded (the functions above read its layers, bound and best through it).
  struct Objective {
    Layers layers;
    const Stack* seed = nullptr;
    const PlanSet* all_plans = nullptr;   // every plan (the request's, shared by its searches)
    const PlanSet* with_codes = nullptr;  // plans usable together with codes
    Minor fixed_back = 0;  // the largest fixed card-offer payback (capped)
    Wide alpha = 0;
    Minor beta = 0;
    bool can_prune = false;
    Found best;
    bool have_best = false;
  };
  std::vector<Objective> objectives_;
  Objective* o_ = nullptr;
  bool any_can_prune_ = false;
  std::vector<std::size_t> candidates_;
  std::vector<std::size_t> twin_prev_;  // per discount: its previous twin, or kNone
  PlanSet no_plans_;                     // just the empty plan, when gift cards are off
  std::vector<std::vector<std::size_t>> usable_offers_;  // per card: offers its path allows
  bool any_portal_excludes_gift_cards_ = false;
  std::vector<bool> voided_;
  std::vector<Totals> totals_;  // per shipping option, for the node being priced
  std::vector<Frame> frames_;
  std::vector<const std::vector<std::size_t>*> line_sets_;  // distinct eligible-line lists
  std::vector<std::size_t> line_set_of_;                    // per discount: its line set
  std::vector<std::uint64_t> voids_;  // per discount: the portals (first 64) choosing it voids
  Minor shipping_floor_ = 0;  // the least shipping of any stack (see shipping_floor)
  Minor max_shipping_ = 0;    // the dearest shipping option's price
  Minor fixed_tax_ = 0;
  std::size_t nodes_ = 0;
  std::uint64_t work_ = 0;
  std::uint32_t stamps_ = 0;  // the last frame stamp handed out
  std::uint64_t payment_work_ = 0;
};

}  // namespace

std::optional<Minor> net_floor(const Prepared& p, Minor total) {
  const Payback back = payback(p, Layers{});
  if (back.alpha >= Rate::kOne) return std::nullopt;
  return phi(back, std::max<Minor>(total, 0));
}

Result<Found> search(const Prepared& p, const Layers& layers, const SearchLimits& limits,
                     const Stack* seed) {
  return std::move(Searcher(p, {Goal{layers, seed}}, limits).run().front());
}

std::vector<Result<Found>> search_many(const Prepared& p, const std::vector<Goal>& goals,
                                       const SearchLimits& limits) {
  if (goals.empty()) return {};
  const auto refuse = [&](const char* why) {
    return std::vector<Result<Found>>(goals.size(), make_error("internal_error", why));
  };
  if (goals.size() > 32) return refuse("search_many: more than 32 goals");
  for (const Goal& g : goals)
    if (g.layers.codes != goals.front().layers.codes ||
        g.layers.promotions != goals.front().layers.promotions)
      return refuse("search_many: the goals differ in their codes or promotions layers");
  return Searcher(p, goals, limits).run();
}

}  // namespace dealstack::stacking
