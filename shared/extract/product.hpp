// The product read out of a retailer's page, and the entry point that reads it.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "money/decimal.hpp"

namespace dealstack {

// schema.org ItemAvailability values we report. Unknown when the page doesn't tell: we
// never guess out-of-stock.
enum class Availability {
  Unknown,
  InStock,
  OutOfStock,
  PreOrder,
  BackOrder,
  LimitedAvailability,
  Discontinued,
  SoldOut,
};
std::string_view to_string(Availability a);
// Parses "InStock", "http(s)://schema.org/InStock", "instock", "in_stock", ...; Unknown if not.
Availability parse_availability(std::string_view text);

// A price as shown: an exact amount, its ISO 4217 code when known, and the currency text
// the page showed ("€", "US$"); `currency` may be empty when it can't be inferred.
struct Price {
  Decimal amount;
  std::string currency;
  std::string currency_text;
};

// One offer seen on the page (a variant, a seller, a condition).
struct Offer {
  std::optional<Price> price;
  Availability availability = Availability::Unknown;
  std::string sku;
  std::string gtin;
  std::string name;
  std::string url;
  std::string condition;  // "NewCondition", "UsedCondition", "RefurbishedCondition", ...
  std::string seller;
  std::vector<std::pair<std::string, std::string>> attributes;  // variant: {"color","red"}
};

// Where a field's value came from and how sure we are of it.
struct FieldSource {
  std::string source;  // "json-ld", "microdata", "meta", "heuristic", "url"
  int confidence = 0;  // 0..100
};

struct Product {
  std::string name;
  std::string brand;
  std::string sku;
  std::string gtin;  // digits only, check digit validated (8, 12, 13 or 14 digits)
  std::string mpn;
  std::string image;  // absolute URL
  std::string url;    // canonical URL (absolute)
  std::optional<Price> price;
  std::optional<Price> list_price;  // the "was"/regular price when the page shows one
  Availability availability = Availability::Unknown;
  std::string condition;
  std::string seller;
  std::vector<Offer> offers;
  std::map<std::string, FieldSource> sources;  // field name -> where it came from
};

struct RulePack;  // extract/rules.hpp

struct ExtractOptions {
  std::string_view url;                // the page's URL: resolves relative links
  std::string_view transport_charset;  // charset from the HTTP Content-Type, if known
  // Limits (documented in docs/extraction.md). Larger input is refused, deeper nodes are
  // skipped, larger JSON-LD blocks are ignored.
  std::size_t max_input_bytes = std::size_t{64} << 20;     // 64 MiB
  std::size_t max_depth = 512;                             // element nesting
  std::size_t max_json_ld_bytes = std::size_t{4} << 20;    // one <script> block
  // The retailer's rule pack (docs/rules.md), parsed with parse_rule_pack; not owned, must
  // outlive the call. Its values override meta tags and heuristics and fill gaps; JSON-LD and
  // microdata stay preferred unless the pack says "prefer": "rules". Fields it supplied have
  // the source "rules". Default: none.
  const RulePack* rules = nullptr;
};

// Reads the page's main product. Errors:
//   "empty_input"     the page is empty
//   "input_too_large" over options.max_input_bytes
//   "no_product"      the page holds no product we can recognise
Result<Product> extract_product(std::string_view page_bytes, const ExtractOptions& options = {});

}  // namespace dealstack
