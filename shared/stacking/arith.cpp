#include "stacking/arith.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace dealstack::stacking {

Minor div_round(Wide num, Wide den, RoundingMode mode) {
  constexpr Wide kMax64 = INT64_MAX;
  if (num <= kMax64 && num >= -kMax64 && den <= kMax64) {
    // The usual case fits in 64 bits; a 128-bit division is a slow library call (in wasm
    // especially).
    const std::int64_t n64 = static_cast<std::int64_t>(num < 0 ? -num : num);
    const std::int64_t d64 = static_cast<std::int64_t>(den);
    std::int64_t q = n64 / d64;
    const std::int64_t r = n64 % d64;
    if (r > d64 - r || (r == d64 - r && (mode == RoundingMode::half_up || (q & 1) != 0))) ++q;
    return num < 0 ? -q : q;
  }
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
  if (total < (Minor{1} << 31) && sum < (Wide{1} << 32)) {
    // The common case fits in 64 bits (and 64-bit division is much cheaper in wasm).
    const std::uint64_t t = static_cast<std::uint64_t>(total), w = static_cast<std::uint64_t>(sum);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t x = t * static_cast<std::uint64_t>(weights[i]);
      out[i] = static_cast<Minor>(x / w);
      rem[i] = static_cast<Wide>(x % w);
      given += out[i];
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      const Wide x = static_cast<Wide>(total) * weights[i];
      out[i] = static_cast<Minor>(x / sum);
      rem[i] = x % sum;
      given += out[i];
    }
  }
  Minor left = total - given;  // < n
  if (left == 0) return;
  if (left == 1) {  // the usual remainder: one unit to the largest remainder
    std::size_t best = 0;
    for (std::size_t i = 1; i < n; ++i)
      if (rem[i] > rem[best]) best = i;
    ++out[best];
    return;
  }
  // The units left go to the largest remainders, earlier parts first on a tie.
  std::size_t inline_order[kInline];
  std::vector<std::size_t> heap_order;
  std::size_t* order = inline_order;
  if (n > kInline) {
    heap_order.resize(n);
    order = heap_order.data();
  }
  const auto first = [&](std::size_t a, std::size_t b) {
    return rem[a] != rem[b] ? rem[a] > rem[b] : a < b;
  };
  // The `left` first parts in that (total) order, found in linear time.
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::nth_element(order, order + (left - 1), order + n, first);
  for (Minor k = 0; k < left; ++k) ++out[order[k]];
}

}  // namespace dealstack::stacking
