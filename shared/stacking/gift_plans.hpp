// Every useful way to pay part of an order with discounted gift cards: for each total face
// value reachable within the limits (max per offer, max per order, at most `max_face`), the
// cheapest mix of cards that reaches it (then the fewest offers, then the fewest cards).
// Internal to stacking/.
#pragma once

#include <cstddef>
#include <vector>

#include "core/result.hpp"
#include "stacking/model.hpp"

namespace dealstack::stacking {

struct GiftPlan {
  Minor face = 0;  // G
  Minor cost = 0;  // C
  int offers = 0;  // gift-card offers used (steps)
  std::int64_t cards = 0;
  std::vector<GiftCardUse> uses;
};

// Plans sorted by face, with what the search's payment loop needs to stop early.
struct PlanSet {
  std::vector<GiftPlan> plans;
  std::vector<Minor> max_discount;   // the largest face - cost among plans[0..k]
  std::vector<Minor> min_cost_from;  // the smallest cost among plans[k..]

  void index();
};

// Plans sorted by face, the empty plan (face 0) first. `with_codes`: only offers that may
// be used together with codes. Error "search_too_large" past `max_plans` partial plans.
Result<std::vector<GiftPlan>> gift_plans(const Request& req, bool with_codes, Minor max_face,
                                         std::size_t max_plans);

}  // namespace dealstack::stacking
