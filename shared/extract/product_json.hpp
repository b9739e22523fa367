// The wire form of a Product (the CLI's and the wasm module's output). Field names are
// part of the protocol: docs/extraction.md lists them.
#pragma once

#include <nlohmann/json.hpp>

#include "extract/product.hpp"

namespace dealstack {

nlohmann::json to_json(const Price& price);
nlohmann::json to_json(const Product& product);
// {"error": {"code": ..., "message": ...}}
nlohmann::json to_json(const Error& error);

}  // namespace dealstack
