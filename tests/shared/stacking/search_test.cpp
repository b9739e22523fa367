// The optimizer against the exhaustive reference on seeded random requests: the same best
// net to the cent, and the same step and code counts (the tie-breaks), on every one.
#include "stacking/search.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "stacking/evaluate.hpp"
#include "stacking/exhaustive.hpp"
#include "stacking/prepared.hpp"

using namespace dealstack::stacking;

namespace {

// splitmix64: a fixed, portable sequence (std's distributions differ between libraries).
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::int64_t in(std::int64_t lo, std::int64_t hi) {  // inclusive
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return in(1, 100) <= percent; }
  template <typename T>
  const T& pick(std::initializer_list<T> xs) {
    return xs.begin()[in(0, static_cast<std::int64_t>(xs.size()) - 1)];
  }
};

const char* kTags[] = {"shoes", "socks", "sale"};

Rate percent(Rng& r) {
  // Whole and fractional percentages, and now and then ones that land on half a cent.
  return Rate{r.chance(70) ? r.in(1, 50) * 10'000 : r.in(1, 500'000)};
}

Minor amount(Rng& r, Minor hi) { return r.chance(50) ? r.in(1, hi / 100) * 100 : r.in(1, hi); }

Discount random_discount(Rng& r, const Request& req) {
  Discount d;
  const int type = static_cast<int>(r.in(0, 5));
  d.type = static_cast<DiscountType>(type);
  switch (d.type) {
    case DiscountType::percent:
      d.percent = percent(r);
      break;
    case DiscountType::amount:
      d.amount = amount(r, 3000);
      d.per_unit = r.chance(30);
      break;
    case DiscountType::fixed_price:
      d.price = amount(r, 4000);
      break;
    case DiscountType::buy_x_get_y:
      d.buy = r.in(1, 2);
      d.get = r.in(1, 2);
      d.percent = r.chance(60) ? Rate{Rate::kOne} : percent(r);
      d.max_uses = r.chance(30) ? r.in(1, 2) : 0;
      break;
    case DiscountType::tiered: {
      const int n = static_cast<int>(r.in(1, 3));
      Minor spend = 0;
      for (int i = 0; i < n; ++i) {
        Tier t;
        spend += r.in(0, 6000);
        t.min_spend = spend;
        t.is_percent = r.chance(40);
        if (t.is_percent) t.percent = percent(r);
        else t.amount = amount(r, 2000 * (i + 1));
        d.tiers.push_back(t);
      }
      break;
    }
    case DiscountType::free_shipping:
      if (!req.cart.shipping.empty() && r.chance(30))
        d.shipping_options.push_back(req.cart.shipping[r.in(0, req.cart.shipping.size() - 1)].id);
      break;
  }
  return d;
}

Request random_request(std::uint64_t seed) {
  Rng r{seed};
  Request req;
  req.cart.currency = "USD";
  const int lines = static_cast<int>(r.in(1, 4));
  for (int i = 0; i < lines; ++i) {
    Line l;
    l.sku = "S" + std::to_string(i);
    l.unit_price = r.chance(20) ? r.in(1, 999) : r.in(1, 80) * 125 + r.in(0, 1) * 99;
    l.quantity = r.in(1, 3);
    if (r.chance(60)) l.tags.push_back(kTags[r.in(0, 2)]);
    if (r.chance(25)) l.tags.push_back(kTags[r.in(0, 2)]);
    req.cart.lines.push_back(l);
  }
  const int options = static_cast<int>(r.in(0, 3));
  for (int i = 0; i < options; ++i) {
    ShippingOption s;
    s.id = "ship" + std::to_string(i);
    s.price = r.chance(15) ? 0 : r.in(100, 1500);
    if (r.chance(50)) s.free_over = r.in(10, 150) * 100;
    s.free_over_basis = r.chance(50) ? AmountBasis::after_discounts : AmountBasis::before_discounts;
    req.cart.shipping.push_back(s);
  }
  if (r.chance(60)) req.cart.tax.rate = Rate{r.chance(50) ? r.in(1, 12) * 10'000 : r.in(1, 120'000)};
  req.cart.tax.basis = r.chance(70) ? AmountBasis::after_discounts : AmountBasis::before_discounts;
  req.cart.tax.shipping_taxable = r.chance(30);

  RetailerRules& rules = req.rules;
  rules.order = static_cast<ApplicationOrder>(r.in(0, 2));
  rules.percent_basis = r.chance(50) ? PercentBasis::compounded : PercentBasis::original;
  rules.rounding = r.chance(50) ? RoundingMode::half_up : RoundingMode::half_even;
  rules.rounding_scope = r.chance(50) ? RoundingScope::order : RoundingScope::line;
  rules.max_codes = static_cast<int>(r.in(0, 4));
  if (r.chance(30)) rules.max_product_order_codes = static_cast<int>(r.in(0, 2));
  if (r.chance(30)) rules.max_shipping_codes = static_cast<int>(r.in(0, 1));
  if (r.chance(30)) rules.max_gift_cards = static_cast<int>(r.in(0, 2));

  const int discounts = static_cast<int>(r.in(0, 6));
  for (int i = 0; i < discounts; ++i) {
    DiscountOffer d;
    d.id = "d" + std::to_string(i);
    if (r.chance(70)) d.code = "CODE" + std::to_string(i);
    d.discount = random_discount(r, req);
    if (r.chance(35)) {
      if (r.chance(50)) d.scope.skus.push_back("S" + std::to_string(r.in(0, lines - 1)));
      else d.scope.tags.push_back(kTags[r.in(0, 2)]);
    }
    if (r.chance(15)) d.scope.exclude_tags.push_back(kTags[r.in(0, 2)]);
    if (r.chance(10)) d.scope.exclude_skus.push_back("S" + std::to_string(r.in(0, lines - 1)));
    if (d.discount.type == DiscountType::free_shipping) d.cls = DiscountClass::shipping;
    else if (d.discount.type == DiscountType::buy_x_get_y || d.scope.selects()) d.cls = DiscountClass::product;
    else d.cls = DiscountClass::order;
    if (r.chance(25)) d.min_spend = r.in(1, 100) * 100;
    if (r.chance(15)) d.min_quantity = r.in(1, 4);
    if (r.chance(25)) d.max_discount = amount(r, 2500);
    if (r.chance(50))
      for (bool& c : d.combines_with) c = r.chance(70);
    d.exclusive = r.chance(10);
    req.discounts.push_back(d);
  }
  for (int i = 0; i < discounts; ++i)
    if (r.chance(10)) {
      const std::size_t j = static_cast<std::size_t>(r.in(0, discounts - 1));
      if (j != static_cast<std::size_t>(i)) req.discounts[i].not_with.push_back(j);
    }

  // Twins: the same discount again under another code (deal feeds are full of them), at the
  // end of the list, so that other discounts sit between the two.
  if (discounts > 0 && r.chance(30)) {
    const int copies = static_cast<int>(r.in(1, 2));
    for (int i = 0; i < copies; ++i) {
      DiscountOffer twin = req.discounts[static_cast<std::size_t>(r.in(0, discounts - 1))];
      twin.id += "-twin" + std::to_string(i);
      if (!twin.code.empty()) twin.code += "T" + std::to_string(i);
      req.discounts.push_back(twin);
    }
  }

  const int portals = static_cast<int>(r.in(0, 2));
  for (int i = 0; i < portals; ++i) {
    Portal p;
    p.id = "portal" + std::to_string(i);
    p.is_percent = r.chance(80);
    if (p.is_percent) p.percent = Rate{r.in(1, 150) * 1000};
    else p.amount = r.in(1, 20) * 100;
    if (r.chance(30)) p.cap = r.in(1, 1500);
    p.excludes_gift_cards = r.chance(40);
    if (r.chance(40)) {
      p.listed_codes.emplace();
      for (const auto& d : req.discounts)
        if (!d.code.empty() && r.chance(50)) {
          std::string low = d.code;
          for (char& c : low) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
          p.listed_codes->push_back(low);
        }
      p.unlisted_codes_void = r.chance(80);
    }
    req.portals.push_back(p);
  }
  const int cards = static_cast<int>(r.in(0, 2));
  for (int i = 0; i < cards; ++i) {
    Card c;
    c.id = "card" + std::to_string(i);
    c.earn = Rate{r.in(0, 50) * 1000};
    c.reward_value = Rate{r.chance(70) ? Rate::kOne : r.in(5, 20) * 100'000};
    req.wallet.cards.push_back(c);
  }
  if (r.chance(20)) req.wallet.payment_path = "paypal";
  const int card_offers = cards == 0 ? 0 : static_cast<int>(r.in(0, 3));
  for (int i = 0; i < card_offers; ++i) {
    CardOffer o;
    o.id = "co" + std::to_string(i);
    o.card = "card" + std::to_string(r.in(0, cards - 1));
    o.is_percent = r.chance(50);
    if (o.is_percent) o.percent = Rate{r.in(1, 20) * 10'000};
    else o.amount = r.in(1, 30) * 100;
    o.min_spend = r.chance(60) ? r.in(1, 150) * 100 : 0;
    if (r.chance(30)) o.cap = r.in(1, 2000);
    if (r.chance(25)) o.excluded_payment_paths.push_back("paypal");
    req.card_offers.push_back(o);
  }
  const int gift = static_cast<int>(r.in(0, 2));
  for (int i = 0; i < gift; ++i) {
    GiftCardOffer g;
    g.id = "gc" + std::to_string(i);
    const int denoms = static_cast<int>(r.in(1, 2));
    for (int k = 0; k < denoms; ++k) {
      Denomination d;
      d.face = r.pick<Minor>({500, 1000, 2500, 5000, 1234});
      d.price = d.face - d.face * r.in(0, 15) / 100;
      g.denominations.push_back(d);
    }
    g.max_per_order = static_cast<int>(r.in(1, 2));
    g.combines_with_codes = r.chance(60);
    req.gift_cards.push_back(g);
  }
  if (r.chance(30)) req.preferences.cashback_value = Rate{r.in(5, 15) * 100'000};
  return req;
}

}  // namespace

TEST_CASE("the optimizer finds exhaustive enumeration's optimum on 10,000 random requests") {
  int checked = 0, with_discounts = 0, with_payment_layers = 0;
  std::size_t total_stacks = 0, total_nodes = 0;
  for (std::uint64_t seed = 1; seed <= 10'000; ++seed) {
    const Request req = random_request(seed);
    const Prepared p(req);
    Layers layers;
    if (seed % 7 == 0) {
      // The alternatives' searches: one layer off.
      switch (seed / 7 % 5) {
        case 0: layers.codes = false; break;
        case 1: layers.promotions = false; break;
        case 2: layers.portals = false; break;
        case 3: layers.card_offers = false; break;
        default: layers.gift_cards = false; break;
      }
    }
    auto fast = search(p, layers);
    auto slow = exhaustive(p, layers);
    CAPTURE(seed);
    REQUIRE(fast.ok());
    REQUIRE(slow.ok());
    if (fast->net != slow->net || fast->steps != slow->steps || fast->codes != slow->codes) {
      FAIL_CHECK("seed " << seed << ": search net " << fast->net << " steps " << fast->steps
                         << " codes " << fast->codes << "; exhaustive net " << slow->net
                         << " steps " << slow->steps << " codes " << slow->codes);
      continue;
    }
    // The stack the search reports prices to the net it reported.
    auto e = evaluate(p, fast->stack);
    REQUIRE(e.ok());
    CHECK(e->net == fast->net);
    CHECK(e->steps == fast->steps);
    ++checked;
    total_stacks += slow->nodes;
    total_nodes += fast->nodes;
    with_discounts += fast->stack.discounts.empty() ? 0 : 1;
    with_payment_layers += (fast->stack.portal != kNone || !fast->stack.gift_cards.empty() ||
                            !e->card_offers.empty()) ? 1 : 0;
  }
  // The search prices a small fraction of what enumeration evaluates.
  CHECK(total_nodes * 10 < total_stacks);
  CHECK(checked == 10'000);
  // The generator exercises the layers: most optimal stacks use discounts, many use the rest.
  CHECK(with_discounts > 3'000);
  CHECK(with_payment_layers > 2'000);
}

TEST_CASE("one walk for several payment-layer settings finds each one's exhaustive optimum") {
  // search_many (the alternatives' joint search) against exhaustive enumeration for each
  // goal: everything, and each payment layer taken out; some goals start from a seed.
  int checked = 0, differing = 0;
  for (std::uint64_t seed = 20'001; seed <= 23'000; ++seed) {
    const Request req = random_request(seed);
    const Prepared p(req);
    std::vector<Goal> goals(4);
    goals[1].layers.portals = false;
    goals[2].layers.card_offers = false;
    goals[3].layers.gift_cards = false;
    // A seed: the unrestricted best with the layer taken out (as the stacker does).
    auto whole = search(p);
    REQUIRE(whole.ok());
    Stack without_portal = whole->stack;
    without_portal.portal = kNone;
    if (seed % 2 == 0) goals[1].seed = &without_portal;
    const auto joint = search_many(p, goals);
    REQUIRE(joint.size() == goals.size());
    for (std::size_t g = 0; g < goals.size(); ++g) {
      CAPTURE(seed);
      CAPTURE(g);
      REQUIRE(joint[g].ok());
      auto slow = exhaustive(p, goals[g].layers);
      REQUIRE(slow.ok());
      CHECK(joint[g]->net == slow->net);
      CHECK(joint[g]->steps == slow->steps);
      CHECK(joint[g]->codes == slow->codes);
      // And exactly the stack a search of its own reports.
      auto alone = search(p, goals[g].layers, {}, goals[g].seed);
      REQUIRE(alone.ok());
      CHECK(joint[g]->stack.discounts == alone->stack.discounts);
      CHECK(joint[g]->stack.portal == alone->stack.portal);
      CHECK(joint[g]->stack.card == alone->stack.card);
      CHECK(joint[g]->stack.shipping == alone->stack.shipping);
      ++checked;
      if (g > 0 && slow->net != joint[0]->net) ++differing;
    }
  }
  CHECK(checked == 12'000);
  // The layers matter in many of these requests (taking one out changes the optimum).
  CHECK(differing > 500);
}

TEST_CASE("net_floor is below the net of every stack whose total reaches it") {
  // The shortfall hints skip a search when net_floor proves that no stack reaching a
  // threshold can be as good as today's best: it must hold for every legal stack, with every
  // payment layer. Random stacks of random requests, each checked at its own total and
  // below it (phi never decreases as the total grows).
  int checked = 0, close = 0;
  for (std::uint64_t seed = 40'001; seed <= 43'000; ++seed) {
    const Request req = random_request(seed);
    const Prepared p(req);
    Rng r{seed * 7919};
    for (int t = 0; t < 20; ++t) {
      Stack s;
      for (std::size_t d = 0; d < req.discounts.size(); ++d)
        if (r.chance(30)) s.discounts.push_back(d);
      if (!req.cart.shipping.empty()) s.shipping = static_cast<std::size_t>(r.in(0, static_cast<std::int64_t>(req.cart.shipping.size()) - 1));
      if (!req.portals.empty() && r.chance(60)) s.portal = static_cast<std::size_t>(r.in(0, static_cast<std::int64_t>(req.portals.size()) - 1));
      if (!req.wallet.cards.empty()) s.card = static_cast<std::size_t>(r.in(0, static_cast<std::int64_t>(req.wallet.cards.size()) - 1));
      if (!req.gift_cards.empty() && r.chance(50)) {
        const std::size_t g = static_cast<std::size_t>(r.in(0, static_cast<std::int64_t>(req.gift_cards.size()) - 1));
        if (!req.gift_cards[g].denominations.empty())
          s.gift_cards.push_back({g, static_cast<std::size_t>(r.in(0, static_cast<std::int64_t>(req.gift_cards[g].denominations.size()) - 1)), 1});
      }
      const auto e = evaluate(p, s);
      if (!e) continue;
      const auto floor = net_floor(p, e->total);
      if (!floor) continue;
      CAPTURE(seed);
      CAPTURE(t);
      CHECK(*floor <= e->net);
      CHECK(*net_floor(p, e->total / 2) <= e->net);
      ++checked;
      // Not vacuous: often within a tenth of the total of the real net.
      if (*floor > e->net - e->total / 10) ++close;
    }
  }
  CHECK(checked > 20'000);
  CHECK(close * 4 > checked);
}
