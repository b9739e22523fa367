// The reference optimizer: prices every legal stack with evaluate() and keeps the best by
// the same (net, steps, codes) order as search(). Exponential; for tests (the property
// test checks search() against it on thousands of random requests) and the benchmark.
#pragma once

#include <cstddef>

#include "core/result.hpp"
#include "stacking/prepared.hpp"
#include "stacking/search.hpp"

namespace dealstack::stacking {

// Error "search_too_large" after `max_stacks` evaluations.
Result<Found> exhaustive(const Prepared& p, const Layers& layers = {},
                         std::size_t max_stacks = 50'000'000);

}  // namespace dealstack::stacking
