// Prices one fully specified stack: applies its discounts in the retailer's order, then
// shipping, tax, gift cards, the card and its offers, and the portal. This is the reference
// the search is measured against (shared/stacking/exhaustive.cpp calls it for every legal
// stack) and what explains the stack the search picked.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "stacking/model.hpp"
#include "stacking/prepared.hpp"

namespace dealstack::stacking {

// What one discount did, in application order.
struct DiscountEffect {
  std::size_t offer = 0;
  Minor merchandise = 0;  // taken off the merchandise
  Minor shipping = 0;     // taken off shipping (free-shipping discounts)
  Minor total = 0;        // what the order total went down by, tax and shipping included
                          // (negative when a discount loses a free-over threshold)
};

struct Evaluation {
  Minor subtotal = 0;       // merchandise before discounts
  Minor list_total = 0;     // order total with no discounts, same shipping option
  Minor merchandise = 0;    // M: after discounts
  Minor shipping_list = 0;  // the chosen option's price
  Minor shipping = 0;       // S: charged for shipping
  Minor tax = 0;            // T
  Minor total = 0;          // D = M + S + T: what checkout asks for
  Minor gift_card_face = 0;  // G: paid with gift cards
  Minor gift_card_cost = 0;  // C: what those gift cards cost
  Minor charged = 0;         // K = D - G: charged to the card
  Minor out_of_pocket = 0;   // C + K
  Minor cashback = 0;        // portal cashback at face value (0 when voided)
  Minor cashback_value = 0;  // valued by Preferences::cashback_value
  bool cashback_voided = false;
  Minor card_rewards = 0;    // the card's base rewards, valued
  std::vector<std::pair<std::size_t, Minor>> card_offers;  // card offers that pay, and what
  Minor card_offer_back = 0;
  Minor net = 0;  // out_of_pocket - cashback_value - card_rewards - card_offer_back
  std::vector<DiscountEffect> discounts;
  int steps = 0;  // discounts + portal + gift-card offers used + card offers that pay
  int codes = 0;
};

// Error codes for a stack the rules don't allow: "invalid_stack" (an index out of range or
// used twice), "offer_not_applicable", "not_combinable", "too_many_codes",
// "gift_card_not_with_codes", "too_many_gift_cards", "gift_cards_exceed_total".
Result<Evaluation> evaluate(const Prepared& p, const Stack& stack);

// Just the legality of a set of discounts (indices into Request::discounts).
bool discounts_legal(const Prepared& p, const std::vector<std::size_t>& chosen, Error* why);

}  // namespace dealstack::stacking
