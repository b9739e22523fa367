#include "price/price_json.hpp"

namespace dealstack {
namespace {

nlohmann::json string_or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return s;
}

}  // namespace

nlohmann::json to_json(const ParsedPrice& price) {
  nlohmann::json j = nlohmann::json::object();
  j["amount"] = price.amount ? nlohmann::json(price.amount->to_string()) : nlohmann::json(nullptr);
  j["currency"] = string_or_null(price.currency);
  j["currency_text"] = string_or_null(price.currency_text);
  j["amount_text"] = price.amount ? string_or_null(price.amount_text) : nlohmann::json(nullptr);
  return j;
}

}  // namespace dealstack
