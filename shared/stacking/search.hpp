// The exact optimizer: the legal stack with the lowest net effective price, found by
// branch and bound over the discounts (each node priced exactly; a subtree is skipped only
// when a proven lower bound on every stack in it is above the best net found so far) and,
// for each discount set, an exact choice of shipping option, gift cards, card and portal.
// Ties go to fewer steps, then fewer codes, then the first found in a fixed order, so the
// same request always gives the same stack.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "stacking/model.hpp"
#include "stacking/prepared.hpp"

namespace dealstack::stacking {

// Which layers the search may use (the alternatives switch one off at a time).
struct Layers {
  bool codes = true;
  bool promotions = true;
  bool portals = true;
  bool card_offers = true;  // card-linked offers (the card's base rewards always count)
  bool gift_cards = true;
};

struct SearchLimits {
  // Most discount sets the search may price before it gives up with "search_too_large"
  // (a deterministic count, not a clock). Realistic requests need a few hundred.
  std::size_t max_nodes = 2'000'000;
  // Most work units (roughly: candidate checks, line updates and payment options looked at)
  // one search may spend; bounds the time of hostile requests (well under a second natively).
  std::uint64_t max_work = 20'000'000;
  // Most gift-card combinations it may consider.
  std::size_t max_gift_card_plans = 200'000;
};

struct Found {
  Stack stack;
  Minor net = 0;
  int steps = 0;
  int codes = 0;
  std::size_t nodes = 0;  // discount sets priced (for the benchmark)
};

// (net, steps, codes) ordering shared by the search and the exhaustive reference.
inline bool better(Minor net, int steps, int codes, const Found& than) {
  if (net != than.net) return net < than.net;
  if (steps != than.steps) return steps < than.steps;
  return codes < than.codes;
}

// Errors: "search_too_large" when the limits are hit. `seed`: a stack known to be legal under
// `layers` (the best stack with one layer taken out, for the alternatives); it only speeds
// the search up by starting from its net. Ignored when it doesn't evaluate.
Result<Found> search(const Prepared& p, const Layers& layers = {}, const SearchLimits& limits = {},
                     const Stack* seed = nullptr);

// A lower bound on the net of every stack (all layers) whose order total is at least
// `total`: what comes back after checkout is at most a fixed share of the total plus a fixed
// amount. None when the layers together could give back the whole order.
std::optional<Minor> net_floor(const Prepared& p, Minor total);

// One search's layers and seed.
struct Goal {
  Layers layers;
  const Stack* seed = nullptr;
};

// Several searches that differ only in their payment layers (portals, card offers, gift
// cards; the codes and promotions layers must be the same, at most 32 goals) in one walk of
// the discount tree: each node is priced for every goal whose best it might still beat, and
// a subtree is skipped once it can beat none. Each result is exactly what search() gives
// for that goal (the alternatives use it). The limits apply to the walk as a whole.
std::vector<Result<Found>> search_many(const Prepared& p, const std::vector<Goal>& goals,
                                       const SearchLimits& limits = {});

}  // namespace dealstack::stacking
