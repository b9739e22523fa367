// The result document of stack_deals (docs/stacking.md "Result"). Amounts are decimal
// strings in the cart currency, like the request's.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "json/writer.hpp"
#include "money/money.hpp"
#include "stacking/prepared.hpp"
#include "stacking/stacker.hpp"

namespace dealstack::stacking {
namespace {

std::string label_of(const DiscountOffer& d) {
  if (!d.label.empty()) return d.label;
  return d.code.empty() ? d.id : d.code;
}

std::string name_or_id(const std::string& name, const std::string& id) {
  return name.empty() ? id : name;
}

// Every object below writes its keys in ascending byte order (json::Writer's contract: the
// bytes nlohmann::json would write for the same document).
class ResultWriter {
 public:
  ResultWriter(const Prepared& p, const StackResult& r) : p_(p), req_(p.req), r_(r) {}

  std::string write() && {
    const Evaluation& e = r_.evaluation;
    w_.begin_object();
    w_.key("alternatives");
    w_.begin_array();
    for (const Alternative& a : r_.alternatives) {
      w_.begin_object();
      member("costs_more", money(a.evaluation.net - e.net));
      member("net", money(a.evaluation.net));
      w_.key("offers");
      offer_ids(a.found.stack, a.evaluation);
      member("without", a.without);
      w_.end_object();
    }
    w_.end_array();
    member("currency", req_.cart.currency);
    w_.key("hints");
    w_.begin_array();
    for (const Hint& h : r_.hints) {
      w_.begin_object();
      member("add", money(h.add));
      member("code", h.code);
      member("message", h.message);
      member("offer", h.offer);
      member("saves", money(h.saves));
      w_.end_object();
    }
    w_.end_array();
    w_.key("ignored");
    w_.begin_array();
    for (const IgnoredOffer& i : req_.ignored) {
      w_.begin_object();
      member("offer", i.id);
      member("reason", i.reason);
      w_.end_object();
    }
    w_.end_array();
    member("net", money(e.net));
    w_.key("not_applicable");
    w_.begin_array();
    for (std::size_t d = 0; d < req_.discounts.size(); ++d) {
      const auto& pd = p_.discounts[d];
      if (pd.qualifies) continue;
      w_.begin_object();
      member("offer", req_.discounts[d].id);
      member("reason", pd.why_not);
      w_.key("short_by");
      if (pd.shortfall > 0) w_.value(money(pd.shortfall));
      else w_.null();
      w_.end_object();
    }
    w_.end_array();
    member("savings", money(r_.baseline - e.net));
    w_.key("stack");
    stack();
    w_.key("steps");
    steps();
    w_.key("totals");
    totals();
    w_.key("warnings");
    w_.begin_array();
    for (const Warning& x : r_.warnings) {
      w_.begin_object();
      member("amount", money(x.amount));
      member("code", x.code);
      member("message", x.message);
      w_.key("offer");
      if (x.offer.empty()) w_.null();
      else w_.value(x.offer);
      w_.end_object();
    }
    w_.end_array();
    w_.end_object();
    return std::move(w_).take();
  }

 private:
  std::string money(Minor m) const { return Money{m, req_.cart.currency}.amount_string(); }

  template <typename T>
  void member(std::string_view key, const T& value) {
    w_.key(key);
    w_.value(value);
  }

  void offer_ids(const Stack& s, const Evaluation& e) {
    w_.begin_array();
    for (std::size_t d : application_sequence(p_, s.discounts)) w_.value(req_.discounts[d].id);
    if (s.portal != kNone) w_.value(req_.portals[s.portal].id);
    std::vector<std::size_t> seen;
    for (const GiftCardUse& u : s.gift_cards) {
      if (std::find(seen.begin(), seen.end(), u.offer) != seen.end()) continue;
      seen.push_back(u.offer);
      w_.value(req_.gift_cards[u.offer].id);
    }
    for (const auto& [o, back] : e.card_offers) w_.value(req_.card_offers[o].id);
    w_.end_array();
  }

  void stack() {
    const Stack& s = r_.best.stack;
    w_.begin_object();
    w_.key("card");
    if (s.card == kNone) w_.null();
    else w_.value(req_.wallet.cards[s.card].id);
    w_.key("gift_cards");
    w_.begin_array();
    for (const GiftCardUse& u : s.gift_cards) {
      const auto& d = req_.gift_cards[u.offer].denominations[u.denomination];
      w_.begin_object();
      member("count", u.count);
      member("face", money(d.face));
      member("offer", req_.gift_cards[u.offer].id);
      member("price", money(d.price));
      w_.end_object();
    }
    w_.end_array();
    w_.key("offers");
    offer_ids(s, r_.evaluation);
    w_.key("shipping_option");
    if (s.shipping == kNone) w_.null();
    else w_.value(req_.cart.shipping[s.shipping].id);
    w_.end_object();
  }

  // The steps, in the order the shopper takes them; their savings add up to `savings`.
  void steps() {
    const Stack& s = r_.best.stack;
    const Evaluation& e = r_.evaluation;
    w_.begin_array();
    if (s.portal != kNone) {
      const Portal& pt = req_.portals[s.portal];
      w_.begin_object();
      member("action", "start_at_portal");
      member("clawback_on_returns", pt.clawback_on_returns);
      member("label", "Start at " + name_or_id(pt.name, pt.id) + " and follow its link to the shop");
      member("offer", pt.id);
      member("pending_days", static_cast<std::int64_t>(pt.pending_days));
      member("saves", money(e.cashback_value));
      w_.end_object();
    }
    std::vector<std::size_t> seen;
    for (const GiftCardUse& first : s.gift_cards) {
      if (std::find(seen.begin(), seen.end(), first.offer) != seen.end()) continue;
      seen.push_back(first.offer);
      const GiftCardOffer& g = req_.gift_cards[first.offer];
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
      w_.begin_object();
      member("action", "buy_gift_cards");
      member("label", "Buy " + what + (cards == 1 ? " gift card" : " gift cards") +
                          (g.source.empty() ? "" : " from " + g.source) + " for " + money(price));
      member("offer", g.id);
      member("saves", money(face - price));
      w_.end_object();
    }
    for (const DiscountEffect& d : e.discounts) {
      const DiscountOffer& offer = req_.discounts[d.offer];
      w_.begin_object();
      member("action", offer.automatic() ? "automatic_promotion" : "enter_code");
      if (!offer.automatic()) member("code", offer.code);
      member("label", offer.automatic() ? "Applied automatically: " + label_of(offer)
                                        : "Enter code " + offer.code +
                                              (offer.label.empty() ? "" : " (" + offer.label + ")"));
      member("offer", offer.id);
      member("saves", money(d.total));
      w_.end_object();
    }
    if (s.shipping != kNone) {
      const ShippingOption& opt = req_.cart.shipping[s.shipping];
      w_.begin_object();
      member("action", "choose_shipping");
      member("label", "Choose " + name_or_id(opt.name, opt.id) + " shipping (" +
                          (e.shipping == 0 ? std::string("free") : money(e.shipping)) + ")");
      member("saves", money(r_.baseline - e.list_total));
      member("shipping_option", opt.id);
      w_.end_object();
    }
    {
      std::string label = "Pay ";
      if (e.gift_card_face > 0) label += money(e.gift_card_face) + " with the gift cards";
      if (e.gift_card_face > 0 && e.charged > 0) label += " and ";
      if (e.charged > 0 || e.gift_card_face == 0) {
        label += money(e.charged);
        label += s.card == kNone ? std::string(" with any payment method")
                                 : " with " + name_or_id(req_.wallet.cards[s.card].name,
                                                         req_.wallet.cards[s.card].id);
      }
      w_.begin_object();
      member("action", "pay");
      if (s.card != kNone) member("card", req_.wallet.cards[s.card].id);
      member("label", label);
      member("saves", money(e.card_rewards));
      w_.end_object();
    }
    for (const auto& [o, back] : e.card_offers) {
      const CardOffer& co = req_.card_offers[o];
      w_.begin_object();
      member("action", "card_offer");
      member("label", "Card offer: " + name_or_id(co.label, co.id));
      member("offer", co.id);
      member("pending_days", static_cast<std::int64_t>(co.pending_days));
      member("saves", money(back));
      w_.end_object();
    }
    w_.end_array();
  }

  void totals() {
    const Evaluation& e = r_.evaluation;
    w_.begin_object();
    member("card_offers", money(e.card_offer_back));
    member("card_rewards", money(e.card_rewards));
    member("cashback", money(e.cashback_value));
    member("charged_to_card", money(e.charged));
    member("discounts", money(e.subtotal - e.merchandise));
    member("gift_card_cost", money(e.gift_card_cost));
    member("gift_cards", money(e.gift_card_face));
    member("list_total", money(r_.baseline));
    member("merchandise", money(e.merchandise));
    member("net", money(e.net));
    member("out_of_pocket", money(e.out_of_pocket));
    member("savings", money(r_.baseline - e.net));
    member("shipping", money(e.shipping));
    member("subtotal", money(e.subtotal));
    member("tax", money(e.tax));
    member("total", money(e.total));
    w_.end_object();
  }

  const Prepared& p_;
  const Request& req_;
  const StackResult& r_;
  json::Writer w_;
};

}  // namespace

std::string result_json(const Request& req, const StackResult& r) { return result_json(Prepared(req), r); }

std::string result_json(const Prepared& p, const StackResult& r) { return ResultWriter(p, r).write(); }

}  // namespace dealstack::stacking
