#include "extract/product_json.hpp"

namespace dealstack {

using json = nlohmann::json;

namespace {
json or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
}  // namespace

json to_json(const Price& price) {
  return json{{"amount", price.amount.to_string()},
              {"currency", or_null(price.currency)},
              {"currency_text", or_null(price.currency_text)}};
}

json to_json(const Product& p) {
  json offers = json::array();
  for (const Offer& o : p.offers) {
    json attributes = json::object();
    for (const auto& [k, v] : o.attributes) attributes[k] = v;
    offers.push_back(json{{"price", o.price ? to_json(*o.price) : json(nullptr)},
                          {"availability", std::string(to_string(o.availability))},
                          {"sku", or_null(o.sku)},
                          {"gtin", or_null(o.gtin)},
                          {"name", or_null(o.name)},
                          {"url", or_null(o.url)},
                          {"condition", or_null(o.condition)},
                          {"seller", or_null(o.seller)},
                          {"attributes", std::move(attributes)}});
  }
  json sources = json::object();
  json confidence = json::object();
  for (const auto& [field, src] : p.sources) {
    sources[field] = src.source;
    confidence[field] = src.confidence;
  }
  return json{{"name", or_null(p.name)},
              {"brand", or_null(p.brand)},
              {"sku", or_null(p.sku)},
              {"gtin", or_null(p.gtin)},
              {"mpn", or_null(p.mpn)},
              {"image", or_null(p.image)},
              {"url", or_null(p.url)},
              {"price", p.price ? to_json(*p.price) : json(nullptr)},
              {"list_price", p.list_price ? to_json(*p.list_price) : json(nullptr)},
              {"availability", std::string(to_string(p.availability))},
              {"condition", or_null(p.condition)},
              {"seller", or_null(p.seller)},
              {"offers", std::move(offers)},
              {"sources", std::move(sources)},
              {"confidence", std::move(confidence)}};
}

json to_json(const Error& error) { return json{{"error", {{"code", error.code}, {"message", error.message}}}}; }

}  // namespace dealstack
