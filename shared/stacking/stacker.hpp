// The deal stacker's entry point: the cheapest legal way to buy a cart, exact and explained.
//
//   auto result = stacking::stack_deals_json(request_text);  // JSON text in
//   if (result) print(*result);                               // JSON text out
//
// The request and result formats are docs/stacking.md (JSON Schemas in docs/schemas/).
// Pure: no I/O, no clock; the same request always gives the same bytes, natively and in
// WebAssembly (`dealstack stack`, `stackDeals`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "stacking/evaluate.hpp"
#include "stacking/model.hpp"
#include "stacking/search.hpp"

namespace dealstack::stacking {

struct Warning {
  std::string code;     // stable: see docs/stacking.md
  std::string message;
  std::string offer;    // the offer it is about, if any
  Minor amount = 0;     // what is lost or at stake, if any
};

struct Hint {
  std::string code;     // "free_shipping_threshold", "offer_min_spend", "next_tier",
                        // "card_offer_min_spend"
  std::string message;  // "Add 7.40 to reach free shipping: saves 4.95 net"
  std::string offer;    // the offer or shipping option whose threshold it is
  Minor add = 0;        // more merchandise to buy
  Minor saves = 0;      // net saving beyond what the added merchandise costs
};

struct Alternative {
  std::string without;  // "codes", "promotions", "portal", "card_offers", "gift_cards"
  Found found;
  Evaluation evaluation;
};

struct StackResult {
  Minor baseline = 0;  // cheapest order total with no offers at all
  Found best;
  Evaluation evaluation;
  std::vector<Warning> warnings;
  std::vector<Hint> hints;
  std::vector<Alternative> alternatives;
};

// Errors: those of search() ("search_too_large").
Result<StackResult> stack_deals(const Request& request, const SearchLimits& limits = {});
// The same for a request already prepared (p.req must outlive the call).
Result<StackResult> stack_deals(const Prepared& p, const SearchLimits& limits = {});

// The result document (docs/stacking.md "Result") as compact JSON text, keys in
// ascending order (the bytes nlohmann::json::dump() would give for it).
std::string result_json(const Request& request, const StackResult& result);
std::string result_json(const Prepared& prepared, const StackResult& result);

// parse_request + stack_deals + result_json.
Result<std::string> stack_deals_json(std::string_view request_json,
                                     const SearchLimits& limits = {});

}  // namespace dealstack::stacking
