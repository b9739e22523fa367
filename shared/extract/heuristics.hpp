// What a shopper sees on a page with little or no markup: the title, the price near it and
// near the buy button (a struck-through "regular" price kept apart), stock phrases, the
// buy button's state, and product-code patterns ("SKU: 12345", "Art.-Nr.").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "extract/product.hpp"
#include "html/document.hpp"

namespace dealstack {

struct VisibleFacts {
  std::string title;  // the product title as shown (the h1 most like `expected_name`)
  html::NodeId title_node = html::kNoNode;

  std::optional<Price> price;  // the best-scored visible price
  int price_score = 0;         // 0..100
  std::optional<Price> list_price;  // a struck/"was" price beside it, when higher
  // Current-price candidates that scored about as well as the best one: many of them mean a
  // listing (category, search results), not one product.
  int rival_prices = 0;

  bool buy_button = false;           // an add-to-cart/buy-now control is present
  bool buy_button_disabled = false;  // ...and disabled
  Availability stock_phrase = Availability::Unknown;  // from "out of stock", "auf Lager", ...

  std::string sku;  // from "SKU: ..."-style labels or the URL
  std::string mpn;    // from "Model number: ..."-style labels
  std::string gtin;   // from "EAN: ..."-style labels, check digit valid
  std::string brand;  // from "Brand: ..."-style labels
};

// `expected_name`: the name from structured data or og:title, used to find the title on
// the page (may be empty). `url` and `locale` help read prices and product codes.
VisibleFacts read_visible_facts(const html::Document& doc, std::string_view expected_name, std::string_view url,
                                std::string_view locale);

}  // namespace dealstack
