// Interprets schema.org data (from JSON-LD, or microdata/RDFa turned into the same JSON
// shape) as products: Product, ProductGroup + hasVariant, Offer, AggregateOffer,
// priceSpecification, @graph, mainEntity, arrays, "@type" as a list, "Offers" keys.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "extract/product.hpp"

namespace dealstack {

struct SchemaProduct {
  Product product;         // fields filled from the data; sources say `source`
  bool neighbour = false;  // found inside a list/related item: likely not the page's product
  int order = 0;           // position among the products found (document order)
};

// Products in `roots` (each a parsed JSON-LD block or a microdata item). `source` names
// where they came from ("json-ld", "microdata"); `base_url` resolves relative URLs;
// `locale` helps read prices written with grouping or symbols.
std::vector<SchemaProduct> products_from_schema(const std::vector<nlohmann::json>& roots, std::string_view source,
                                                std::string_view base_url, std::string_view locale);

// A structured price value ("12.99", 12, "1.299,00", "€ 12,99") as an exact decimal with the
// currency it names, if any. nullopt when it holds no price.
std::optional<Price> parse_structured_price(std::string_view value, std::string_view currency,
                                            std::string_view locale);

}  // namespace dealstack
