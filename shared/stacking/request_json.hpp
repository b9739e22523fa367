// Reads a stacking request (docs/stacking.md, docs/schemas/stack-request.schema.json) and
// checks every field. Errors name the field: {"code": "invalid_field", "message":
// "offers[3].discount.percent: must be a percentage from 0 to 100"}.
//
// Error codes (stable): "invalid_json" (not JSON, or nested deeper than 64), "input_too_large"
// (over 16 MiB), "missing_field", "invalid_field" (wrong type or value), "amount_out_of_range"
// (negative or absurd amounts and counts), "unknown_currency", "currency_mismatch" (an
// amount in another currency than the cart's), "unknown_offer_kind", "unknown_offer"
// (not_with names no offer), "duplicate_id", "too_many_offers" (over 5000), "too_many_lines"
// (over 1000).
#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.hpp"
#include "stacking/model.hpp"

namespace dealstack::stacking {

constexpr std::size_t kMaxRequestBytes = 16u << 20;
constexpr std::size_t kMaxOffers = 5000;
constexpr std::size_t kMaxLines = 1000;

Result<Request> parse_request(std::string_view json_text);

}  // namespace dealstack::stacking
