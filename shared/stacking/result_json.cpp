// The result document of stack_deals (docs/stacking.md "Result"). Amounts are decimal
// strings in the cart currency, like the request's.
#include <string>

#include "money/money.hpp"
#include "stacking/prepared.hpp"
#include "stacking/stacker.hpp"

namespace dealstack::stacking {
namespace {

using nlohmann::json;

std::string label_of(const DiscountOffer& d) {
  if (!d.label.empty()) return d.label;
  return d.code.empty() ? d.id : d.code;
}

std::string name_or_id(const std::string& name, const std::string& id) {
  return name.empty() ? id : name;
}

json offer_ids(const Request& req, const Stack& s, const Evaluation& e, const Prepared& p) {
  json ids = json::array();
  for (std::size_t d : application_sequence(p, s.discounts)) ids.push_back(req.discounts[d].id);
  if (s.portal != kNone) ids.push_back(req.portals[s.portal].id);
  std::vector<std::size_t> seen;
  for (const GiftCardUse& u : s.gift_cards) {
    if (std::find(seen.begin(), seen.end(), u.offer) != seen.end()) continue;
    seen.push_back(u.offer);
    ids.push_back(req.gift_cards[u.offer].id);
  }
  for (const auto& [o, back] : e.card_offers) ids.push_back(req.card_offers[o].id);
  return ids;
}

}  // namespace

json to_json(const Request& req, const StackResult& r) { return to_json(Prepared(req), r); }

json to_json(const Prepared& p, const StackResult& r) {
  const Request& req = p.req;
  const auto money = [&](Minor m) { return Money{m, req.cart.currency}.amount_string(); };
  const Stack& s = r.best.stack;
  const Evaluation& e = r.evaluation;

  json stack = json::object();
  stack["offers"] = offer_ids(req, s, e, p);
  stack["shipping_option"] = s.shipping == kNone ? json(nullptr) : json(req.cart.shipping[s.shipping].id);
  stack["card"] = s.card == kNone ? json(nullptr) : json(req.wallet.cards[s.card].id);
  json gifts = json::array();
  for (const GiftCardUse& u : s.gift_cards) {
    const auto& d = req.gift_cards[u.offer].denominations[u.denomination];
    gifts.push_back({{"offer", req.gift_cards[u.offer].id},
                     {"face", money(d.face)},
                     {"price", money(d.price)},
                     {"count", u.count}});
  }
  stack["gift_cards"] = gifts;

  // The steps, in the order the shopper takes them; their savings add up to `savings`.
  json steps = json::array();
  if (s.portal != kNone) {
    const Portal& pt = req.portals[s.portal];
    json step = {{"action", "start_at_portal"},
                 {"offer", pt.id},
                 {"label", "Start at " + name_or_id(pt.name, pt.id) + " and follow its link to the shop"},
                 {"saves", money(e.cashback_value)},
                 {"pending_days", pt.pending_days},
                 {"clawback_on_returns", pt.clawback_on_returns}};
    steps.push_back(step);
  }
  {
    std::vector<std::size_t> seen;
    for (const GiftCardUse& first : s.gift_cards) {
      if (std::find(seen.begin(), seen.end(), first.offer) != seen.end()) continue;
      seen.push_back(first.offer);
      const GiftCardOffer& g = req.gift_cards[first.offer];
      Minor face = 0, price = 0;
      std::int64_t cards = 0;
      std::string what;
      for (const GiftCardUse& u : s.gift_cards) {
        if (u.offer != first.offer) continue;
        const auto& d = g.denominations[u.denomination];
        face += d.face * u.count;
        price += d.price * u.count;
        cards += u.count;
        what += (what.empty() ? "" : " + ") + std::to_string(u.count) + " x " + money(d.face);
      }
      steps.push_back({{"action", "buy_gift_cards"},
                       {"offer", g.id},
                       {"label", "Buy " + what + (cards == 1 ? " gift card" : " gift cards") +
                                     (g.source.empty() ? "" : " from " + g.source) + " for " +
                                     money(price)},
                       {"saves", money(face - price)}});
    }
  }
  for (const DiscountEffect& d : e.discounts) {
    const DiscountOffer& offer = req.discounts[d.offer];
    json step = {{"action", offer.automatic() ? "automatic_promotion" : "enter_code"},
                 {"offer", offer.id},
                 {"label", offer.automatic() ? "Applied automatically: " + label_of(offer)
                                             : "Enter code " + offer.code +
                                                   (offer.label.empty() ? "" : " (" + offer.label + ")")},
                 {"saves", money(d.total)}};
    if (!offer.automatic()) step["code"] = offer.code;
    steps.push_back(step);
  }
  if (s.shipping != kNone) {
    const ShippingOption& opt = req.cart.shipping[s.shipping];
    steps.push_back({{"action", "choose_shipping"},
                     {"shipping_option", opt.id},
                     {"label", "Choose " + name_or_id(opt.name, opt.id) + " shipping (" +
                                   (e.shipping == 0 ? std::string("free") : money(e.shipping)) + ")"},
                     {"saves", money(r.baseline - e.list_total)}});
  }
  {
    std::string label = "Pay ";
    if (e.gift_card_face > 0) label += money(e.gift_card_face) + " with the gift cards";
    if (e.gift_card_face > 0 && e.charged > 0) label += " and ";
    if (e.charged > 0 || e.gift_card_face == 0) {
      label += money(e.charged);
      label += s.card == kNone ? std::string(" with any payment method")
                               : " with " + name_or_id(req.wallet.cards[s.card].name, req.wallet.cards[s.card].id);
    }
    json step = {{"action", "pay"}, {"label", label}, {"saves", money(e.card_rewards)}};
    if (s.card != kNone) step["card"] = req.wallet.cards[s.card].id;
    steps.push_back(step);
  }
  for (const auto& [o, back] : e.card_offers) {
    const CardOffer& co = req.card_offers[o];
    steps.push_back({{"action", "card_offer"},
                     {"offer", co.id},
                     {"label", "Card offer: " + name_or_id(co.label, co.id)},
                     {"saves", money(back)},
                     {"pending_days", co.pending_days}});
  }

  json totals = {
      {"list_total", money(r.baseline)},
      {"subtotal", money(e.subtotal)},
      {"discounts", money(e.subtotal - e.merchandise)},
      {"merchandise", money(e.merchandise)},
      {"shipping", money(e.shipping)},
      {"tax", money(e.tax)},
      {"total", money(e.total)},
      {"gift_cards", money(e.gift_card_face)},
      {"gift_card_cost", money(e.gift_card_cost)},
      {"charged_to_card", money(e.charged)},
      {"out_of_pocket", money(e.out_of_pocket)},
      {"cashback", money(e.cashback_value)},
      {"card_rewards", money(e.card_rewards)},
      {"card_offers", money(e.card_offer_back)},
      {"net", money(e.net)},
      {"savings", money(r.baseline - e.net)},
  };

  json warnings = json::array();
  for (const Warning& w : r.warnings) {
    json j = {{"code", w.code}, {"message", w.message}};
    j["offer"] = w.offer.empty() ? json(nullptr) : json(w.offer);
    j["amount"] = money(w.amount);
    warnings.push_back(j);
  }
  json hints = json::array();
  for (const Hint& h : r.hints)
    hints.push_back({{"code", h.code}, {"message", h.message}, {"offer", h.offer},
                     {"add", money(h.add)}, {"saves", money(h.saves)}});
  json alternatives = json::array();
  for (const Alternative& a : r.alternatives)
    alternatives.push_back({{"without", a.without},
                            {"net", money(a.evaluation.net)},
                            {"costs_more", money(a.evaluation.net - e.net)},
                            {"offers", offer_ids(req, a.found.stack, a.evaluation, p)}});
  json not_applicable = json::array();
  for (std::size_t d = 0; d < req.discounts.size(); ++d) {
    const auto& pd = p.discounts[d];
    if (pd.qualifies) continue;
    json j = {{"offer", req.discounts[d].id}, {"reason", pd.why_not}};
    j["short_by"] = pd.shortfall > 0 ? json(money(pd.shortfall)) : json(nullptr);
    not_applicable.push_back(j);
  }
  json ignored = json::array();
  for (const IgnoredOffer& i : req.ignored) ignored.push_back({{"offer", i.id}, {"reason", i.reason}});

  return json{{"currency", req.cart.currency},
              {"net", money(e.net)},
              {"savings", money(r.baseline - e.net)},
              {"stack", stack},
              {"steps", steps},
              {"totals", totals},
              {"warnings", warnings},
              {"hints", hints},
              {"alternatives", alternatives},
              {"not_applicable", not_applicable},
              {"ignored", ignored}};
}

}  // namespace dealstack::stacking
