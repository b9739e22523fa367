// Realistic, deterministic stacking requests for the benchmark (bench/stack_bench.cpp):
// one retailer's cart and the offers a shopper's feed would carry for it. Shaped like real
// shops, not like adversarial worst cases; bench/stack_requests.cpp states the mix.
//
// Deterministic across platforms: the generator uses its own integer PRNG (splitmix64) and
// never the standard library's distributions, whose outputs differ between libstdc++
// (native) and libc++ (Emscripten). The same (lines, offers, seed) gives the same bytes
// natively and in wasm, so both builds time the very same requests.
#pragma once

#include <cstdint>
#include <string>

namespace dealstack::bench {

struct RequestSpec {
  int lines = 1;           // cart lines (>= 1)
  int offers = 10;         // offers of every kind together (>= 4: at least one portal,
                           // one card offer, one code and one promotion)
  std::uint64_t seed = 1;  // any value; different seeds give different requests
};

// What the generated request holds (for reports: which shapes are slow).
struct RequestShape {
  std::string platform;  // "generic", "shopify" or "woocommerce"
  int max_codes = 1;     // as the request states or the platform presets
  int codes = 0;
  int promotions = 0;
  int portals = 0;
  int card_offers = 0;
  int gift_cards = 0;
  int shipping_options = 0;
};

struct GeneratedRequest {
  std::string json;  // the request document (docs: the stacker's request format)
  RequestShape shape;
};

GeneratedRequest make_stack_request(const RequestSpec& spec);

}  // namespace dealstack::bench
