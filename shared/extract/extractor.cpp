// The extraction pipeline: decode -> parse (html::Document) -> read every source ->
// choose the page's main product -> combine fields by priority and agreement.
//
// Priority per field: JSON-LD, then microdata/RDFa, then meta tags (OpenGraph/product:*),
// then what the page visibly shows. A structured value that disagrees with what is shown
// loses only where the page proves it wrong (a JSON-LD price in another currency than the
// visible price near the title). A retailer's rule pack (ExtractOptions::rules) ranks after
// structured data and before everything else, or first when it says so (docs/rules.md).
#include <algorithm>
#include <cctype>

#include "extract/gtin.hpp"
#include "extract/heuristics.hpp"
#include "extract/lenient_json.hpp"
#include "extract/meta_tags.hpp"
#include "extract/microdata.hpp"
#include "extract/product.hpp"
#include "extract/rules.hpp"
#include "extract/schema_org.hpp"
#include "extract/text_util.hpp"
#include "extract/url.hpp"
#include "html/document.hpp"
#include "money/currency.hpp"
#include "price/price_parser.hpp"
#include "text/charset.hpp"
#include "text/utf8.hpp"

namespace dealstack {
namespace {

using json = nlohmann::json;

std::string script_text(const html::Document& doc, html::NodeId id, std::size_t max_bytes) {
  std::string text;
  for (html::NodeId c = doc.node(id).first_child; c != html::kNoNode; c = doc.node(c).next_sibling) {
    text += doc.node(c).text;
    if (text.size() > max_bytes) break;
  }
  return text;
}

bool is_json_ld(const html::Document& doc, html::NodeId id) {
  const std::string* type = doc.attr(id, "type");
  return type && utf8::ascii_lower(*type).find("ld+json") != std::string::npos;
}

// The Document keeps JSON-LD scripts and Shopify's product-data script only.
std::vector<json> read_json_ld(const html::Document& doc, const ExtractOptions& options) {
  std::vector<json> roots;
  LenientJsonLimits limits;
  limits.max_bytes = options.max_json_ld_bytes;
  const auto& nodes = doc.nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto id = static_cast<html::NodeId>(i);
    if (nodes[i].tag != "script" || !is_json_ld(doc, id)) continue;
    for (json& v : parse_lenient_json(script_text(doc, id, options.max_json_ld_bytes), limits))
      roots.push_back(std::move(v));
  }
  return roots;
}

// Shopify's `var meta = {"product": {"vendor", "variants": [{"sku", "price", "name"}]}}`:
// the product's vendor (brand) and its first variant's SKU. Prices there are in minor units
// of a currency the object doesn't name, so they are not used.
struct ShopData {
  std::string sku;
  std::string brand;
};

ShopData read_shop_data(const html::Document& doc, const ExtractOptions& options) {
  ShopData out;
  const auto& nodes = doc.nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const auto id = static_cast<html::NodeId>(i);
    if (nodes[i].tag != "script" || is_json_ld(doc, id)) continue;
    const std::string text = script_text(doc, id, options.max_json_ld_bytes);
    const auto at = text.find("var meta");
    if (at == std::string::npos) continue;
    const auto values = parse_lenient_json(std::string_view(text).substr(at));
    if (values.empty() || !values.front().is_object()) continue;
    const json& meta = values.front();
    const auto product = meta.find("product");
    if (product == meta.end() || !product->is_object()) continue;
    if (auto v = product->find("vendor"); v != product->end() && v->is_string()) out.brand = clean_text(v->get<std::string>());
    if (auto vars = product->find("variants"); vars != product->end() && vars->is_array() && !vars->empty()) {
      const json& first = vars->front();
      if (auto s = first.find("sku"); s != first.end() && s->is_string()) out.sku = clean_text(s->get<std::string>());
    }
    break;
  }
  return out;
}

std::string url_path(std::string_view u) {
  auto scheme = u.find("://");
  if (scheme != std::string_view::npos) u.remove_prefix(scheme + 3);
  auto slash = u.find('/');
  u = slash == std::string_view::npos ? std::string_view{} : u.substr(slash);
  auto q = u.find_first_of("?#");
  u = u.substr(0, q);
  while (u.size() > 1 && u.back() == '/') u.remove_suffix(1);
  return std::string(u);
}

// How likely a structured product is the page's own item rather than a neighbour.
int main_product_score(const SchemaProduct& sp, std::string_view h1, std::string_view og_title,
                       std::string_view page_url, std::string_view canonical) {
  const Product& p = sp.product;
  int score = sp.neighbour ? -100 : 0;
  score += std::max(word_overlap(p.name, h1, 2), word_overlap(p.name, og_title, 2) * 8 / 10) / 2;
  if (!p.url.empty()) {
    const std::string path = url_path(p.url);
    if (path.size() > 1 && (path == url_path(page_url) || path == url_path(canonical))) score += 40;
  }
  if (p.price) score += 15;
  if (!p.offers.empty()) score += 5;
  if (!p.sku.empty()) score += 5;
  score -= std::min(sp.order, 10);
  return score;
}

// Fills empty fields of `into` from `from` (same product seen through another source).
void fill_gaps(Product& into, const Product& from) {
  auto take = [&](std::string& dst, const std::string& src, const char* name) {
    if (!dst.empty() || src.empty()) return;
    dst = src;
    if (auto it = from.sources.find(name); it != from.sources.end()) into.sources[name] = it->second;
  };
  take(into.name, from.name, "name");
  take(into.brand, from.brand, "brand");
  take(into.sku, from.sku, "sku");
  take(into.gtin, from.gtin, "gtin");
  take(into.mpn, from.mpn, "mpn");
  take(into.image, from.image, "image");
  take(into.url, from.url, "url");
  take(into.condition, from.condition, "condition");
  take(into.seller, from.seller, "seller");
  if (!into.price && from.price) {
    into.price = from.price;
    into.sources["price"] = from.sources.at("price");
  }
  if (!into.list_price && from.list_price) {
    into.list_price = from.list_price;
    into.sources["list_price"] = from.sources.at("list_price");
  }
  if (into.availability == Availability::Unknown && from.availability != Availability::Unknown) {
    into.availability = from.availability;
    into.sources["availability"] = from.sources.at("availability");
  }
  if (into.offers.empty()) into.offers = from.offers;
}

bool same_product(const Product& a, const Product& b) {
  if (!a.sku.empty() && a.sku == b.sku) return true;
  if (!a.gtin.empty() && a.gtin == b.gtin) return true;
  return word_overlap(a.name, b.name, 2) >= 60 || a.name.empty() || b.name.empty();
}

// Picks the best product among candidates of one source; nullptr when there is none.
const SchemaProduct* pick(const std::vector<SchemaProduct>& candidates, std::string_view h1, std::string_view og,
                          std::string_view url, std::string_view canonical) {
  const SchemaProduct* best = nullptr;
  int best_score = 0;
  for (const SchemaProduct& sp : candidates) {
    const int s = main_product_score(sp, h1, og, url, canonical);
    if (!best || s > best_score) {
      best = &sp;
      best_score = s;
    }
  }
  return best;
}

std::string locale_currency(std::string_view locale) {
  // The country part of a BCP 47 tag ("de-CH" -> CHF) for prices shown without a code.
  std::string l = utf8::ascii_lower(locale);
  static const std::pair<const char*, const char*> kRegions[] = {
      {"-us", "USD"}, {"-gb", "GBP"}, {"-uk", "GBP"}, {"-ca", "CAD"}, {"-au", "AUD"}, {"-nz", "NZD"},
      {"-in", "INR"}, {"-ch", "CHF"}, {"-jp", "JPY"}, {"-cn", "CNY"}, {"-br", "BRL"}, {"-mx", "MXN"},
      {"-se", "SEK"}, {"-dk", "DKK"}, {"-no", "NOK"}, {"-pl", "PLN"}, {"-cz", "CZK"}, {"-hu", "HUF"},
      {"-ru", "RUB"}, {"-tr", "TRY"}, {"-kr", "KRW"}, {"-za", "ZAR"}, {"-sg", "SGD"}, {"-hk", "HKD"}};
  for (const auto& [suffix, code] : kRegions)
    if (l.size() > 3 && l.ends_with(suffix)) return code;
  static const std::pair<const char*, const char*> kLanguages[] = {
      {"ja", "JPY"}, {"pl", "PLN"}, {"cs", "CZK"}, {"hu", "HUF"}, {"sv", "SEK"}, {"da", "DKK"}, {"nb", "NOK"},
      {"ru", "RUB"}, {"uk", "UAH"}, {"tr", "TRY"}, {"ko", "KRW"}, {"ro", "RON"}, {"bg", "BGN"}};
  for (const auto& [lang, code] : kLanguages)
    if (l == lang || l.starts_with(std::string(lang) + "-")) return code;
  return {};
}

// Template leftovers that some shops publish unrendered: "$metabrand", "{{ product.sku }}",
// "%BRAND%", "undefined".
bool looks_like_placeholder(std::string_view v) {
  if (v.front() == '$' && v.size() > 1 && std::isalpha(static_cast<unsigned char>(v[1]))) return true;
  if (v.find("{{") != std::string_view::npos || v.find("${") != std::string_view::npos) return true;
  if (v.size() > 2 && v.front() == '%' && v.back() == '%') return true;
  return v == "undefined" || v == "null" || v == "N/A" || v == "n/a";
}

}  // namespace

Result<Product> extract_product(std::string_view page_bytes, const ExtractOptions& options) {
  if (page_bytes.empty()) return make_error("empty_input", "the page is empty");
  if (page_bytes.size() > options.max_input_bytes)
    return make_error("input_too_large", "the page is " + std::to_string(page_bytes.size()) +
                                             " bytes; the limit is " + std::to_string(options.max_input_bytes));

  const DecodedText decoded = decode_html(page_bytes, options.transport_charset);
  html::ParseLimits limits;
  limits.max_depth = options.max_depth;
  const html::Document doc = html::Document::parse(decoded.utf8, limits);

  const std::string page_url = resolve_url(options.url, options.url);
  const MetaTags meta = read_meta_tags(doc, page_url);
  const std::string& base = page_url;  // links resolve against the page, not its canonical URL
  std::string locale = doc.lang();
  if (locale.empty()) locale = meta.first({"og:locale", "language", "content-language"});
  for (char& c : locale)
    if (c == '_') c = '-';

  const std::vector<SchemaProduct> from_json_ld =
      products_from_schema(read_json_ld(doc, options), "json-ld", base, locale);
  MicrodataResult micro = read_microdata(doc, base);
  const std::vector<SchemaProduct> from_microdata = products_from_schema(micro.items, "microdata", base, locale);

  const std::string og_title = meta.first({"og:title", "twitter:title"});
  // A first look at the visible page, to know its title for choosing among candidates.
  std::string expected_name;
  if (!from_json_ld.empty()) expected_name = from_json_ld.front().product.name;
  if (expected_name.empty()) expected_name = og_title;
  VisibleFacts visible = read_visible_facts(doc, expected_name, page_url, locale);

  Product product;
  const SchemaProduct* ld = pick(from_json_ld, visible.title, og_title, page_url, meta.canonical);
  const SchemaProduct* md = pick(from_microdata, visible.title, og_title, page_url, meta.canonical);
  if (ld && ld->neighbour) ld = nullptr;
  if (md && md->neighbour) md = nullptr;
  if (ld) product = ld->product;
  if (md) {
    if (!ld) product = md->product;
    else if (same_product(product, md->product)) fill_gaps(product, md->product);
  }
  const bool structured = ld || md;
  // "Ver mais artigos da Marca: Roborock", "Brand: Tefal": the brand is after the label.
  if (const auto colon = product.brand.rfind(':'); colon != std::string::npos && colon + 2 < product.brand.size())
    product.brand = utf8::collapse_whitespace(product.brand.substr(colon + 1));
  for (auto [field, name] : {std::pair{&product.name, "name"}, {&product.brand, "brand"}, {&product.sku, "sku"},
                             {&product.mpn, "mpn"}, {&product.gtin, "gtin"}, {&product.seller, "seller"}}) {
    if (!field->empty() && looks_like_placeholder(*field)) {
      field->clear();
      product.sources.erase(name);
    }
  }

  auto set = [&](std::string& field, std::string value, const char* name, const char* source, int confidence) {
    if (!field.empty() || value.empty() || looks_like_placeholder(value)) return;
    field = std::move(value);
    product.sources[name] = {source, confidence};
  };

  // Orphan itemprops (microdata without a scope) and meta tags fill what is still missing.
  const json& orphans = micro.orphans;
  auto orphan = [&](const char* key) -> std::string {
    auto it = orphans.find(key);
    return it != orphans.end() && it->is_string() ? it->get<std::string>() : std::string{};
  };
  const ShopData shop = read_shop_data(doc, options);
  set(product.name, orphan("name"), "name", "microdata", 60);
  set(product.name, og_title, "name", "meta", 70);
  set(product.name, visible.title, "name", "heuristic", 60);
  set(product.name, clean_text(meta.title), "name", "meta", 40);
  set(product.brand, meta.first({"product:brand", "og:brand", "brand"}), "brand", "meta", 70);
  set(product.brand, orphan("brand"), "brand", "microdata", 60);
  set(product.brand, shop.brand, "brand", "shop-data", 55);
  set(product.brand, visible.brand, "brand", "heuristic", 45);
  set(product.sku, meta.first({"product:retailer_item_id", "product:sku", "sku"}), "sku", "meta", 70);
  set(product.sku, orphan("sku"), "sku", "microdata", 60);
  set(product.sku, shop.sku, "sku", "shop-data", 60);
  set(product.sku, orphan("productID"), "sku", "microdata", 50);
  set(product.sku, visible.sku, "sku", "heuristic", 40);
  set(product.mpn, orphan("mpn"), "mpn", "microdata", 60);
  set(product.mpn, visible.mpn, "mpn", "heuristic", 40);
  set(product.gtin, normalize_gtin(meta.first({"product:ean", "product:upc", "product:isbn", "gtin13", "gtin"})),
      "gtin", "meta", 70);
  for (const char* key : {"gtin13", "gtin", "gtin14", "gtin12", "gtin8", "ean"}) set(product.gtin, normalize_gtin(orphan(key)), "gtin", "microdata", 60);
  set(product.gtin, visible.gtin, "gtin", "heuristic", 50);
  set(product.image, resolve_url(base, meta.first({"og:image", "og:image:url", "og:image:secure_url", "twitter:image"})),
      "image", "meta", 70);
  set(product.image, resolve_url(base, orphan("image")), "image", "microdata", 50);
  set(product.condition, meta.first({"product:condition", "og:condition"}), "condition", "meta", 60);
  // The canonical URL of the page wins over the one inside the data.
  if (!meta.canonical.empty()) {
    product.url = meta.canonical;
    product.sources["url"] = {"meta", 90};
  }
  set(product.url, resolve_url(base, meta.first({"og:url"})), "url", "meta", 70);
  set(product.url, page_url, "url", "url", 50);

  // Price: structured, then meta, then orphan itemprops, then visible. Where the visible
  // price near the title is in another currency than the structured one, the page shows
  // the shopper something else (a geo-priced page): what is shown wins.
  std::optional<Price> meta_price = parse_structured_price(
      meta.first({"product:price:amount", "og:price:amount", "product:sale_price:amount", "og:price", "price"}),
      meta.first({"product:price:currency", "og:price:currency", "product:sale_price:currency", "pricecurrency"}),
      locale);
  std::optional<Price> orphan_price =
      parse_structured_price(orphan("price").empty() ? orphan("lowPrice") : orphan("price"), orphan("priceCurrency"), locale);
  if (meta_price && meta_price->amount.units == 0) meta_price.reset();
  if (orphan_price && orphan_price->amount.units == 0) orphan_price.reset();
  if (!product.price && meta_price) {
    product.price = meta_price;
    product.sources["price"] = {"meta", 75};
  }
  if (!product.price && orphan_price) {
    product.price = orphan_price;
    product.sources["price"] = {"microdata", 65};
  }
  if (visible.price) {
    if (!product.price) {
      product.price = visible.price;
      product.sources["price"] = {"heuristic", visible.price_score};
      if (visible.list_price) {
        product.list_price = visible.list_price;
        product.sources["list_price"] = {"heuristic", visible.price_score};
      }
    } else if (!product.price->currency.empty() && !visible.price->currency.empty() &&
               product.price->currency != visible.price->currency && visible.price_score >= 60) {
      product.offers.insert(product.offers.begin(), Offer{product.price, product.availability, {}, {}, {}, {}, {}, {}, {}});
      product.price = visible.price;
      product.sources["price"] = {"heuristic", visible.price_score};
    } else if (product.price->currency_text.empty() || product.price->currency_text == product.price->currency) {
      // Same price as shown: keep the currency text the shopper sees.
      if (visible.price->amount == product.price->amount && !visible.price->currency_text.empty() &&
          (visible.price->currency.empty() || visible.price->currency == product.price->currency))
        product.price->currency_text = visible.price->currency_text;
    }
    if (!product.list_price && visible.list_price && product.price && product.price->amount < visible.list_price->amount &&
        (visible.list_price->currency.empty() || visible.list_price->currency == product.price->currency) &&
        visible.price->amount == product.price->amount) {
      product.list_price = visible.list_price;
      product.sources["list_price"] = {"heuristic", visible.price_score};
    }
  }
  RuleReading by_rules;
  bool rules_found = false;  // the pack found a price or an availability: a product page
  if (options.rules) {
    by_rules = read_with_rules(doc, *options.rules, base, locale);
    rules_found = by_rules.price || by_rules.availability != Availability::Unknown;
    apply_rule_reading(product, by_rules, options.rules->prefer_rules);
  }
  if (product.price && product.price->currency.empty()) {
    std::string code = meta.first({"product:price:currency", "og:price:currency"});
    for (char& c : code)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!find_currency(code)) code = locale_currency(locale);
    if (find_currency(code) && (product.price->currency_text.empty() || product.price->currency_text == "$" ||
                                 product.price->currency_text == code))
      product.price->currency = code;
  }
  if (product.list_price && product.price && product.list_price->currency.empty())
    product.list_price->currency = product.price->currency;

  // Availability: structured data, then meta tags, then what the page says. Out-of-stock
  // is never guessed: it needs a phrase near the product or a disabled buy button with no
  // enabled one.
  // Structured data says in stock, but the page says plainly it isn't and offers no enabled
  // buy button, or its only buy button is disabled (not for want of a chosen size) and
  // nothing says in stock: the page is what the shopper gets (stale feeds are common).
  const bool only_disabled_buy = visible.buy_button && visible.buy_button_disabled;
  if (product.availability == Availability::InStock &&
      ((visible.stock_phrase == Availability::OutOfStock && !(visible.buy_button && !visible.buy_button_disabled)) ||
       (only_disabled_buy && visible.stock_phrase != Availability::InStock))) {
    product.availability = Availability::OutOfStock;
    product.sources["availability"] = {"heuristic", 55};
  }
  if (product.availability == Availability::Unknown) {
    Availability a = parse_availability(meta.first({"product:availability", "og:availability", "availability"}));
    if (a != Availability::Unknown) {
      product.availability = a;
      product.sources["availability"] = {"meta", 75};
    } else if ((a = parse_availability(orphan("availability"))) != Availability::Unknown) {
      product.availability = a;
      product.sources["availability"] = {"microdata", 65};
    } else if (visible.stock_phrase == Availability::OutOfStock && !(visible.buy_button && !visible.buy_button_disabled)) {
      product.availability = Availability::OutOfStock;
      product.sources["availability"] = {"heuristic", 60};
    } else if (visible.buy_button && visible.buy_button_disabled && visible.stock_phrase != Availability::InStock) {
      product.availability = Availability::OutOfStock;
      product.sources["availability"] = {"heuristic", 50};
    } else if (visible.buy_button && !visible.buy_button_disabled) {
      product.availability = Availability::InStock;
      product.sources["availability"] = {"heuristic", 60};
    } else if (visible.stock_phrase == Availability::InStock) {
      product.availability = Availability::InStock;
      product.sources["availability"] = {"heuristic", 50};
    }
  }

  if (options.rules) apply_rule_availability(product, by_rules, options.rules->prefer_rules);

  // A product page: structured product data, an og:type of product, a price in meta
  // tags, a well-placed visible price that isn't one of many (a listing shows many), or a
  // title with a buy button, a stock phrase or a product code beside it (an out-of-stock
  // page may show no price at all).
  const std::string og_type = utf8::ascii_lower(meta.first({"og:type"}));
  const bool product_page =
      structured || rules_found || og_type.find("product") != std::string::npos || meta_price || orphan_price ||
      (visible.price && visible.price_score >= 50 && visible.rival_prices < 2) ||
      (visible.title_node != html::kNoNode &&
       (visible.buy_button || visible.stock_phrase != Availability::Unknown || !visible.sku.empty()));
  if (product.name.empty() || !product_page) return make_error("no_product", "no product found on the page");
  return product;
}

}  // namespace dealstack
