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

// q = n / den rounded by `mode`, for n >= 0 in 64 bits. With a constant den (the callers'
// Rate::kOne) the compiler needs no division instruction; 128-bit arithmetic is a slow
// library call, in WebAssembly especially, and these run at every node of the search.
template <std::uint64_t den>
inline Minor div_round_u64(std::uint64_t n, RoundingMode mode) {
  std::uint64_t q = n / den;
  const std::uint64_t r = n % den;
  if (r > den - r || (r == den - r && (mode == RoundingMode::half_up || (q & 1) != 0))) ++q;
  return static_cast<Minor>(q);
}

// amount x rate, rounded.
inline Minor apply_rate(Minor amount, Rate rate, RoundingMode mode) {
  // Both below 2^31: the product fits in 62 bits (the usual case: amounts under 21 million
  // minor units, rates under 2,147 %).
  if (amount >= 0 && amount < (Minor{1} << 31) && rate.ppm >= 0 && rate.ppm < (std::int64_t{1} << 31))
    return div_round_u64<Rate::kOne>(static_cast<std::uint64_t>(amount) * static_cast<std::uint64_t>(rate.ppm),
                                     mode);
  return div_round(static_cast<Wide>(amount) * rate.ppm, Rate::kOne, mode);
}

// amount x a x b (two rates, e.g. earn rate x the value of a point), rounded once.
inline Minor apply_rates(Minor amount, Rate a, Rate b, RoundingMode mode) {
  // amount <= 9 * 10^6 and both rates <= 100 %: the product stays below 9 * 10^18 < 2^63.
  if (amount >= 0 && amount <= 9'000'000 && a.ppm >= 0 && a.ppm <= Rate::kOne && b.ppm >= 0 &&
      b.ppm <= Rate::kOne)
    return div_round_u64<static_cast<std::uint64_t>(Rate::kOne) * Rate::kOne>(
        static_cast<std::uint64_t>(amount) * static_cast<std::uint64_t>(a.ppm) *
            static_cast<std::uint64_t>(b.ppm),
        mode);
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
