#include "extract/schema_org.hpp"

#include <array>
#include <span>

#include "extract/gtin.hpp"
#include "extract/text_util.hpp"
#include "extract/url.hpp"
#include "money/currency.hpp"
#include "price/price_parser.hpp"
#include "text/utf8.hpp"

namespace dealstack {
namespace {

using json = nlohmann::json;

// JSON-LD is shallow in practice; anything deeper than this is not product data.
constexpr int kMaxSchemaDepth = 40;
// A page lists at most this many offers/variants in the output.
constexpr std::size_t kMaxOffers = 200;

// "http://schema.org/Product", "https://schema.org/Product", "schema:Product" -> "Product".
std::string_view short_type(std::string_view t) {
  const auto cut = t.find_last_of("/:#");
  return cut == std::string_view::npos ? t : t.substr(cut + 1);
}

// The value of `key` in `obj`, also under another capitalisation ("Offers") or with a
// vocabulary prefix ("schema:offers"). nullptr when absent or null.
const json* get(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(key));
  if (it != obj.end() && !it->is_null()) return &*it;
  for (auto i = obj.begin(); i != obj.end(); ++i) {
    std::string_view k = i.key();
    if (k.size() > key.size() && (k[k.size() - key.size() - 1] == ':' || k[k.size() - key.size() - 1] == '/'))
      k = k.substr(k.size() - key.size());
    if (k.size() == key.size() && utf8::ascii_lower(k) == utf8::ascii_lower(key) && !i->is_null()) return &*i;
  }
  return nullptr;
}

constexpr std::string_view kProductTypes[] = {"Product", "ProductGroup", "IndividualProduct", "ProductModel",
                                              "SomeProducts", "Vehicle", "Car", "Motorcycle", "Book", "Drug",
                                              "DietarySupplement"};

bool has_type(const json& obj, std::span<const std::string_view> types) {
  const json* t = get(obj, "@type");
  if (!t) t = get(obj, "type");
  if (!t) return false;
  auto match = [&](const json& v) {
    if (!v.is_string()) return false;
    const std::string_view s = short_type(v.get_ref<const std::string&>());
    for (auto want : types)
      if (s == want) return true;
    return false;
  };
  if (t->is_array()) {
    for (const auto& v : *t)
      if (match(v)) return true;
    return false;
  }
  return match(*t);
}

// The text of a value: strings as they are (entities decoded, space collapsed), integers
// printed, objects by their "@value"/"name"/"@id", arrays by their first non-empty item.
std::string text_of(const json* v, int depth = 0) {
  if (!v || depth > 4) return {};
  if (v->is_string()) return clean_text(v->get_ref<const std::string&>());
  if (v->is_number_integer()) return std::to_string(v->get<std::int64_t>());
  if (v->is_number_unsigned()) return std::to_string(v->get<std::uint64_t>());
  if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
  if (v->is_array()) {
    for (const auto& item : *v) {
      std::string s = text_of(&item, depth + 1);
      if (!s.empty()) return s;
    }
    return {};
  }
  if (v->is_object()) {
    for (auto key : {"@value", "name", "value", "@id", "url"}) {
      std::string s = text_of(get(*v, key), depth + 1);
      if (!s.empty()) return s;
    }
  }
  return {};
}

std::string image_of(const json* v, std::string_view base, int depth = 0) {
  if (!v || depth > 4) return {};
  if (v->is_string()) return resolve_url(base, v->get_ref<const std::string&>());
  if (v->is_array()) {
    for (const auto& item : *v) {
      std::string s = image_of(&item, base, depth + 1);
      if (!s.empty()) return s;
    }
    return {};
  }
  if (v->is_object()) {
    for (auto key : {"url", "contentUrl", "contentURL", "@id", "thumbnailUrl"}) {
      std::string s = image_of(get(*v, key), base, depth + 1);
      if (!s.empty()) return s;
    }
  }
  return {};
}

// Calls f on the value itself, or on each element when it is an array.
template <typename F>
void each(const json* v, F&& f) {
  if (!v) return;
  if (v->is_array()) {
    for (const auto& item : *v) f(item);
  } else {
    f(*v);
  }
}

std::string gtin_of(const json& obj) {
  for (auto key : {"gtin13", "gtin", "gtin14", "gtin12", "gtin8", "ean", "isbn", "upc", "ean13"}) {
    std::string g = normalize_gtin(text_of(get(obj, key)));
    if (!g.empty()) return g;
  }
  return {};
}

bool is_list_price_type(std::string_view type) {
  const std::string t = utf8::ascii_lower(short_type(type));
  return t == "listprice" || t == "strikethroughprice" || t == "srp" || t == "msrp" || t == "regularprice" ||
         t == "originalprice" || t == "wasprice";
}

struct OfferPrices {
  std::optional<Price> price;
  std::optional<Price> list_price;
};
OfferPrices prices_of_raw(const json& offer, std::string_view locale);

OfferPrices prices_of(const json& offer, std::string_view locale) {
  OfferPrices out = prices_of_raw(offer, locale);
  // A zero price is a placeholder ("call for price", not loaded yet), never the price.
  if (out.price && out.price->amount.units == 0) out.price.reset();
  if (out.list_price && out.list_price->amount.units == 0) out.list_price.reset();
  return out;
}

OfferPrices prices_of_raw(const json& offer, std::string_view locale) {
  OfferPrices out;
  std::string currency = text_of(get(offer, "priceCurrency"));
  for (auto key : {"price", "lowPrice", "highPrice"}) {
    if (out.price) break;
    out.price = parse_structured_price(text_of(get(offer, key)), currency, locale);
  }
  each(get(offer, "priceSpecification"), [&](const json& spec) {
    if (!spec.is_object()) return;
    std::string spec_currency = text_of(get(spec, "priceCurrency"));
    if (spec_currency.empty()) spec_currency = currency;
    auto p = parse_structured_price(text_of(get(spec, "price")), spec_currency, locale);
    if (!p) p = parse_structured_price(text_of(get(spec, "minPrice")), spec_currency, locale);
    if (!p) return;
    const std::string type = text_of(get(spec, "priceType"));
    if (is_list_price_type(type)) {
      if (!out.list_price) out.list_price = p;
    } else if (has_type(spec, std::initializer_list<std::string_view>{"UnitPriceSpecification", "PriceSpecification", "CompoundPriceSpecification"}) ||
               !get(spec, "@type")) {
      // A unit price per reference quantity (per kg) is not the item's price.
      if (get(spec, "referenceQuantity") && out.price) return;
      if (!out.price) out.price = p;
    }
  });
  return out;
}

struct Builder {
  std::string_view source;
  std::string_view base;
  std::string_view locale;
  int confidence;
  std::vector<SchemaProduct> out;

  void set(Product& p, std::string& field, std::string value, const char* name) {
    if (value.empty() || !field.empty()) return;
    field = std::move(value);
    p.sources[name] = {std::string(source), confidence};
  }

  Offer offer_from(const json& o, OfferPrices& prices) {
    Offer offer;
    prices = prices_of(o, locale);
    offer.price = prices.price;
    offer.availability = parse_availability(text_of(get(o, "availability")));
    offer.sku = text_of(get(o, "sku"));
    offer.gtin = gtin_of(o);
    offer.name = text_of(get(o, "name"));
    if (const json* u = get(o, "url"); u && u->is_string()) offer.url = resolve_url(base, u->get_ref<const std::string&>());
    offer.condition = std::string(short_type(text_of(get(o, "itemCondition"))));
    offer.seller = text_of(get(o, "seller"));
    return offer;
  }

  // Offers of a product: Offer, AggregateOffer (its lowPrice and any nested offers), lists.
  void collect_offers(const json& product, std::vector<Offer>& offers, std::optional<Price>& list_price, int depth) {
    if (depth > 3) return;
    const json* o = get(product, "offers");
    each(o, [&](const json& item) {
      if (!item.is_object() || offers.size() >= kMaxOffers) return;
      OfferPrices prices;
      Offer offer = offer_from(item, prices);
      if (prices.list_price && !list_price) list_price = prices.list_price;
      const bool aggregate = has_type(item, std::initializer_list<std::string_view>{"AggregateOffer"});
      if (aggregate && get(item, "offers")) {
        const std::size_t before = offers.size();
        collect_offers(item, offers, list_price, depth + 1);
        if (offers.size() > before && !offer.price) return;
      }
      offers.push_back(std::move(offer));
    });
  }

  void add_variant_attributes(const json& variant, Offer& offer) {
    for (auto key : {"color", "size", "material", "pattern", "width", "height", "depth", "weight"}) {
      std::string v = text_of(get(variant, key));
      if (!v.empty()) offer.attributes.emplace_back(key, std::move(v));
    }
  }

  void make_product(const json& obj, bool neighbour, const json* offer_context) {
    SchemaProduct sp;
    sp.neighbour = neighbour;
    sp.order = static_cast<int>(out.size());
    Product& p = sp.product;
    set(p, p.name, text_of(get(obj, "name")), "name");
    std::string brand = text_of(get(obj, "brand"));
    set(p, p.brand, brand, "brand");
    set(p, p.sku, text_of(get(obj, "sku")), "sku");
    set(p, p.mpn, text_of(get(obj, "mpn")), "mpn");
    set(p, p.gtin, gtin_of(obj), "gtin");
    set(p, p.image, image_of(get(obj, "image"), base), "image");
    if (const json* u = get(obj, "url"); u && u->is_string()) set(p, p.url, resolve_url(base, u->get_ref<const std::string&>()), "url");
    if (p.sku.empty()) {
      std::string id = text_of(get(obj, "productID"));
      if (id.find(':') == std::string::npos) set(p, p.sku, id, "sku");
    }
    std::optional<Price> list_price;
    if (offer_context) {
      OfferPrices prices;
      Offer offer = offer_from(*offer_context, prices);
      list_price = prices.list_price;
      p.offers.push_back(std::move(offer));
    }
    collect_offers(obj, p.offers, list_price, 0);
    // ProductGroup (and Product) variants: each variant's offers, with its attributes.
    each(get(obj, "hasVariant"), [&](const json& v) {
      if (!v.is_object()) return;
      std::vector<Offer> variant_offers;
      collect_offers(v, variant_offers, list_price, 0);
      for (Offer& offer : variant_offers) {
        if (p.offers.size() >= kMaxOffers) break;
        if (offer.sku.empty()) offer.sku = text_of(get(v, "sku"));
        if (offer.gtin.empty()) offer.gtin = gtin_of(v);
        if (offer.name.empty()) offer.name = text_of(get(v, "name"));
        add_variant_attributes(v, offer);
        p.offers.push_back(std::move(offer));
      }
    });
    if (p.sku.empty()) {
      std::string group_id = text_of(get(obj, "productGroupID"));
      set(p, p.sku, group_id, "sku");
    }
    // The product's own price: its first offer that has one. Availability: in stock when
    // any offer is; otherwise what the first offer with an availability says.
    for (const Offer& offer : p.offers) {
      if (offer.price) {
        p.price = offer.price;
        p.sources["price"] = {std::string(source), confidence};
        break;
      }
    }
    for (const Offer& offer : p.offers) {
      if (offer.availability == Availability::InStock) {
        p.availability = Availability::InStock;
        break;
      }
      if (p.availability == Availability::Unknown) p.availability = offer.availability;
    }
    if (p.availability != Availability::Unknown) p.sources["availability"] = {std::string(source), confidence};
    if (list_price && p.price && p.price->amount < list_price->amount) {
      p.list_price = list_price;
      p.sources["list_price"] = {std::string(source), confidence};
    }
    if (!p.offers.empty()) {
      set(p, p.condition, p.offers.front().condition, "condition");
      set(p, p.seller, p.offers.front().seller, "seller");
    }
    if (p.condition.empty()) set(p, p.condition, std::string(short_type(text_of(get(obj, "itemCondition")))), "condition");
    out.push_back(std::move(sp));
  }

  void walk(const json& v, int depth, bool neighbour) {
    if (depth > kMaxSchemaDepth) return;
    if (v.is_array()) {
      for (const auto& item : v) walk(item, depth + 1, neighbour);
      return;
    }
    if (!v.is_object()) return;
    if (has_type(v, kProductTypes)) {
      make_product(v, neighbour, nullptr);
      return;  // products nested inside a product are its relatives, not the page's item
    }
    if (has_type(v, std::initializer_list<std::string_view>{"Offer"})) {
      const json* item = get(v, "itemOffered");
      if (item && item->is_object() && has_type(*item, kProductTypes)) {
        make_product(*item, neighbour, &v);
        return;
      }
    }
    const bool list = has_type(v, std::initializer_list<std::string_view>{"ItemList", "OfferCatalog", "CollectionPage", "SearchResultsPage"});
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!it->is_object() && !it->is_array()) continue;
      const std::string key = utf8::ascii_lower(short_type(it.key()));
      if (key == "isrelatedto" || key == "issimilarto" || key == "isaccessoryorsparepartfor" ||
          key == "isconsumablefor" || key == "breadcrumb" || key == "review" || key == "reviews") {
        continue;
      }
      const bool list_key = key == "itemlistelement" || key == "itemlist";
      walk(*it, depth + 1, neighbour || list || list_key);
    }
  }
};

}  // namespace

std::optional<Price> parse_structured_price(std::string_view value, std::string_view currency,
                                            std::string_view locale) {
  std::string v = utf8::collapse_whitespace(value);
  if (v.empty()) return std::nullopt;
  std::string code = utf8::collapse_whitespace(currency);
  for (char& c : code)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  Price price;
  if (auto d = Decimal::parse(v)) {
    price.amount = *d;
  } else {
    PriceOptions options;
    options.currency_hint = currency;
    options.locale = locale;
    ParsedPrice parsed = parse_price(v, options);
    if (!parsed.amount) return std::nullopt;
    price.amount = *parsed.amount;
    price.currency = parsed.currency;
    price.currency_text = parsed.currency_text;
  }
  if (price.amount.units < 0) return std::nullopt;
  if (find_currency(code)) {
    price.currency = code;
    if (price.currency_text.empty()) price.currency_text = code;
  } else if (!code.empty() && price.currency_text.empty()) {
    // A symbol where a code belongs ("€", "$"): keep it as shown, and map it if we can.
    PriceOptions options;
    options.locale = locale;
    ParsedPrice parsed = parse_price("1 " + std::string(currency), options);
    price.currency = parsed.currency;
    price.currency_text = parsed.currency_text.empty() ? std::string(currency) : parsed.currency_text;
  }
  return price;
}

std::vector<SchemaProduct> products_from_schema(const std::vector<json>& roots, std::string_view source,
                                                std::string_view base_url, std::string_view locale) {
  Builder b{source, base_url, locale, source == "json-ld" ? 90 : 85, {}};
  for (const json& root : roots) b.walk(root, 0, false);
  return std::move(b.out);
}

}  // namespace dealstack
