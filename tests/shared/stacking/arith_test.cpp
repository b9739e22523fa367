#include "stacking/arith.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace dealstack::stacking;

TEST_CASE("half-up and half-even differ only on exact halves") {
  CHECK(div_round(25, 10, RoundingMode::half_up) == 3);
  CHECK(div_round(25, 10, RoundingMode::half_even) == 2);
  CHECK(div_round(35, 10, RoundingMode::half_even) == 4);
  CHECK(div_round(24, 10, RoundingMode::half_up) == 2);
  CHECK(div_round(26, 10, RoundingMode::half_even) == 3);
  CHECK(div_round(-25, 10, RoundingMode::half_up) == -3);  // ties away from zero
  CHECK(div_round(-25, 10, RoundingMode::half_even) == -2);
  // 8.875 % of 2.00 = 0.1775 -> 0.18 either way; 12.5 % of 0.20 = 0.025 -> 0.03 / 0.02.
  CHECK(apply_rate(200, Rate{88'750}, RoundingMode::half_even) == 18);
  CHECK(apply_rate(20, Rate{125'000}, RoundingMode::half_up) == 3);
  CHECK(apply_rate(20, Rate{125'000}, RoundingMode::half_even) == 2);
}

TEST_CASE("rates of the largest amounts don't overflow") {
  CHECK(apply_rate(kMaxAmount, Rate{Rate::kOne}, RoundingMode::half_up) == kMaxAmount);
  CHECK(apply_rates(kMaxAmount, Rate{10 * Rate::kOne}, Rate{Rate::kOne / 2},
                    RoundingMode::half_up) == 5 * kMaxAmount);
}

TEST_CASE("the 64-bit shortcuts round exactly as the 128-bit path does, on both sides of their limits") {
  // apply_rate and apply_rates take a 64-bit path for usual amounts and rates; compare with
  // div_round on the full product around every limit, on exact halves and off them.
  const Minor amounts[] = {0, 1, 5, 20, 199, 200, 8'999'999, 9'000'000, 9'000'001,
                           (Minor{1} << 31) - 1, Minor{1} << 31, (Minor{1} << 31) + 1, kMaxAmount};
  const std::int64_t rates[] = {0, 1, 125'000, 500'000, 88'750, 999'999, Rate::kOne,
                                Rate::kOne + 1, 10 * Rate::kOne, (std::int64_t{1} << 31) - 1,
                                std::int64_t{1} << 31};
  for (const RoundingMode mode : {RoundingMode::half_up, RoundingMode::half_even}) {
    for (const Minor x : amounts) {
      for (const std::int64_t r : rates) {
        CAPTURE(x);
        CAPTURE(r);
        CHECK(apply_rate(x, Rate{r}, mode) == div_round(static_cast<Wide>(x) * r, Rate::kOne, mode));
        for (const std::int64_t r2 : {std::int64_t{0}, std::int64_t{333'333}, std::int64_t{500'000}, Rate::kOne})
          CHECK(apply_rates(x, Rate{r}, Rate{r2}, mode) ==
                div_round(static_cast<Wide>(x) * r * r2, static_cast<Wide>(Rate::kOne) * Rate::kOne, mode));
      }
    }
  }
}

TEST_CASE("allocation by largest remainder sums exactly and favours earlier parts on ties") {
  std::vector<Minor> w{1, 1, 1}, out(3);
  allocate(100, w.data(), 3, out.data());
  CHECK(out == std::vector<Minor>{34, 33, 33});
  allocate(2, w.data(), 3, out.data());
  CHECK(out == std::vector<Minor>{1, 1, 0});

  std::vector<Minor> uneven{8000, 2400}, two(2);
  allocate(1000, uneven.data(), 2, two.data());  // 769.23 / 230.77
  CHECK(two == std::vector<Minor>{769, 231});

  std::vector<Minor> zero{0, 0}, z(2);
  allocate(50, zero.data(), 2, z.data());
  CHECK(z == std::vector<Minor>{0, 0});

  // Many parts (the heap path) and no part above its weight when total <= sum of weights.
  std::vector<Minor> many(1000), shares(1000);
  Minor sum = 0;
  for (std::size_t i = 0; i < many.size(); ++i) sum += many[i] = static_cast<Minor>(i % 7 + 1);
  allocate(sum - 1, many.data(), many.size(), shares.data());
  Minor got = 0;
  for (std::size_t i = 0; i < many.size(); ++i) {
    got += shares[i];
    CHECK(shares[i] <= many[i]);
  }
  CHECK(got == sum - 1);
}
