// The wire form of a Product (the CLI's and the wasm module's output). Field names are
// part of the protocol: docs/extraction.md lists them.
#pragma once

#include <nlohmann/json.hpp>

#include "extract/product.hpp"
#include "price/price_parser.hpp"

namespace dealstack {

nlohmann::json to_json(const Price& price);
nlohmann::json to_json(const Product& product);
// {"amount": "1299.99"|null, "currency": "USD"|null, "currency_text": "$"|null,
//  "amount_text": "1,299.99"|null}
nlohmann::json to_json(const ParsedPrice& price);
nlohmann::json to_json(const Error& error);

}  // namespace dealstack
