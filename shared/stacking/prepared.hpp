// What the stacker works out once per request before it searches: which lines each discount
// looks at, whether its conditions hold, where it sits in the retailer's application order,
// how much it could save at most, and which offers may go together. Internal to stacking/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "stacking/gift_plans.hpp"
#include "stacking/model.hpp"

namespace dealstack::stacking {

struct PreparedDiscount {
  std::vector<std::size_t> lines;        // eligible line indices, ascending
  bool qualifies = false;                // scope non-empty and static conditions met
  std::string why_not;                   // stable code when it doesn't: "no_eligible_line",
                                         // "min_spend", "min_quantity", "no_tier"
  Minor shortfall = 0;                   // min_spend / no_tier: eligible spend missing
  int stage = 0;                         // application stage under the retailer's order
  const Tier* tier = nullptr;            // tiered: the tier reached
  std::vector<std::int64_t> free_units;  // buy_x_get_y: discounted units per eligible line
  Minor standalone = 0;                  // merchandise saving when applied alone
  bool is_code = false;
  std::string code_key;                  // the code, ASCII lower case (portals list codes so)
  bool is_shipping = false;              // free_shipping (no merchandise effect)
  // Per eligible line, what it takes off before being clamped to what is left of the line,
  // when that doesn't depend on the discounts applied before it (percentages of the
  // original price, buy x get y, amounts per unit); else empty. Worked out once.
  std::vector<Minor> fixed_deduction;
};

struct Prepared {
  explicit Prepared(const Request& request);
  // For `request`, which is base's request with lines appended (the shortfall hints' "one
  // more item"): reuses what doesn't depend on the cart.
  Prepared(const Request& request, const Prepared& base);

  const Request& req;
  std::vector<Minor> original;  // each line's amount before discounts
  Minor subtotal = 0;
  std::vector<PreparedDiscount> discounts;
  // compatible[i] is a bitset over discounts: bit j set when i and j may be combined.
  std::size_t words = 0;
  std::vector<std::uint64_t> compatible;
  std::vector<std::vector<std::size_t>> card_offers_of;  // per wallet card: CardOffer indices

  bool compatible_with(std::size_t i, std::size_t j) const {
    return (compatible[i * words + j / 64] >> (j % 64) & 1) != 0;
  }

  // The gift-card plans of this request for orders up to `max_face` (every plan, and those
  // usable together with codes), worked out on first use and shared by all its searches.
  struct GiftPlanSets {
    Minor max_face = 0;
    std::size_t max_plans = 0;
    std::optional<Error> error;  // search_too_large
    PlanSet all, with_codes;
  };
  const GiftPlanSets* gift_plan_sets(Minor max_face, std::size_t max_plans) const;

 private:
  void prepare_cart();
  void fix_deductions();
  mutable std::optional<GiftPlanSets> gift_plan_sets_;  // a cache: same inputs, same plans
};

// The order a set of discounts applies in under the retailer's rules. `chosen` lists
// indices into Request::discounts; in `entry` order the codes keep their order in `chosen`.
std::vector<std::size_t> application_sequence(const Prepared& p,
                                              const std::vector<std::size_t>& chosen);
void application_sequence(const Prepared& p, const std::vector<std::size_t>& chosen,
                          std::vector<std::size_t>& out);

// Applies one discount to the current line amounts `a` (in place) and returns what it took
// off the merchandise. The discount must qualify.
Minor apply_discount(const Prepared& p, std::size_t d, std::vector<Minor>& a);

// Order totals for line amounts `a` with shipping option `option` (kNone: no shipping).
struct Totals {
  Minor merchandise = 0;  // M: sum of a
  Minor shipping_list = 0;  // the option's price
  Minor shipping = 0;     // S: after free-over and free-shipping discounts
  Minor tax = 0;          // T
  Minor total = 0;        // D = M + S + T
  bool free_over_met = false;
};
Totals order_totals(const Prepared& p, const std::vector<Minor>& a, std::size_t option,
                    bool free_shipping_discount);

// Whether free-shipping discount d covers shipping option `option`.
bool covers_option(const Prepared& p, std::size_t d, std::size_t option);

// Whether portal `portal` lists code discount d (no listed_codes: it takes any code).
bool portal_lists(const Prepared& p, std::size_t portal, std::size_t d);

// Whether a chosen code voids the portal's cashback (a code it doesn't list).
bool portal_voided(const Prepared& p, std::size_t portal, const std::vector<std::size_t>& chosen);

// Portal cashback (face) for merchandise M with gift-card face G applied.
Minor portal_cashback(const Prepared& p, std::size_t portal, Minor merchandise, Minor gift_face);

// A card-linked offer's payback for an amount K charged to its card (0 when it doesn't
// pay: min spend not met or the payment path is excluded).
Minor card_offer_back(const Prepared& p, std::size_t offer, Minor charged);
bool card_offer_path_excluded(const Prepared& p, std::size_t offer);

// A card's base rewards for K charged, valued by the card's reward value.
Minor card_rewards(const Prepared& p, std::size_t card, Minor charged);

}  // namespace dealstack::stacking
