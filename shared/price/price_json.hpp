// The wire form of a ParsedPrice (the `dealstack price` CLI's output, and part of the
// wasm module's): {"amount": "1299.99"|null, "currency": "USD"|null,
// "currency_text": "$"|null, "amount_text": "1,299.99"|null}.
#pragma once

#include <nlohmann/json.hpp>

#include "price/price_parser.hpp"

namespace dealstack {

// `amount` is a plain decimal string ("." as separator, no grouping, digits as written:
// "12.50"), never a JSON number, so no precision is lost. Empty strings become null.
nlohmann::json to_json(const ParsedPrice& price);

}  // namespace dealstack
