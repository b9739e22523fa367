#include "stacking/arith.hpp"

#include <algorithm>
#include <vector>

namespace dealstack::stacking {

Minor div_round(Wide num, Wide den, RoundingMode mode) {
  const bool negative = num < 0;
  const Wide n = negative ? -num : num;
  Wide q = n / den;
  const Wide r = n % den;
  const Wide twice = 2 * r;
  if (twice > den || (twice == den && (mode == RoundingMode::half_up || (q & 1) != 0))) ++q;
  return static_cast<Minor>(negative ? -q : q);
}

void allocate(Minor total, const Minor* weights, std::size_t n, Minor* out) {
  Wide sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += weights[i];
  if (sum == 0 || total == 0) {
    std::fill(out, out + n, Minor{0});
    return;
  }
  // Small carts are the common case: remainders on the stack, no allocation.
  constexpr std::size_t kInline = 32;
  Wide inline_rem[kInline];
  std::vector<Wide> heap_rem;
  Wide* rem = inline_rem;
  if (n > kInline) {
    heap_rem.resize(n);
    rem = heap_rem.data();
  }
  Minor given = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Wide x = static_cast<Wide>(total) * weights[i];
    out[i] = static_cast<Minor>(x / sum);
    rem[i] = x % sum;
    given += out[i];
  }
  Minor left = total - given;  // < n
  while (left > 0) {
    std::size_t best = n;
    for (std::size_t i = 0; i < n; ++i) {
      if (rem[i] > 0 && (best == n || rem[i] > rem[best])) best = i;
    }
    if (best == n) break;  // unreachable: the remainders account for every unit left
    ++out[best];
    rem[best] = 0;
    --left;
  }
}

}  // namespace dealstack::stacking
