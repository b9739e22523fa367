// Integer money arithmetic for the stacker: rates, rounding and proportional allocation.
// Every product is formed in 128 bits (amounts are at most 10^12 and rates at most 10^6
// squared, so nothing can overflow) and rounded exactly once.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stacking/model.hpp"

namespace dealstack::stacking {

using Wide = __int128;

// num / den rounded to an integer by `mode` (half_up: ties away from zero; half_even: ties
// to the even neighbour). den > 0; num may be negative.
Minor div_round(Wide num, Wide den, RoundingMode mode);

// amount x rate, rounded.
inline Minor apply_rate(Minor amount, Rate rate, RoundingMode mode) {
  return div_round(static_cast<Wide>(amount) * rate.ppm, Rate::kOne, mode);
}

// amount x a x b (two rates, e.g. earn rate x the value of a point), rounded once.
inline Minor apply_rates(Minor amount, Rate a, Rate b, RoundingMode mode) {
  return div_round(static_cast<Wide>(amount) * a.ppm * b.ppm,
                   static_cast<Wide>(Rate::kOne) * Rate::kOne, mode);
}

// Splits `total` over n parts in proportion to `weights` (all >= 0) by the largest-remainder
// method: each part gets floor(total * w / W), and the units left over go one each to the
// parts with the largest remainders (the earlier part on a tie). The parts sum to `total`
// exactly, and no part exceeds its proportional share rounded up. With W == 0 every part
// is 0. total >= 0.
void allocate(Minor total, const Minor* weights, std::size_t n, Minor* out);

}  // namespace dealstack::stacking
