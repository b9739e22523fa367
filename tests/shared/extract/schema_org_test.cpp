#include "extract/schema_org.hpp"

#include <doctest/doctest.h>

#include <string>

#include "extract/lenient_json.hpp"

using dealstack::Availability;
using dealstack::parse_structured_price;
using dealstack::products_from_schema;
using dealstack::SchemaProduct;
using json = nlohmann::json;

namespace {

// Products from one JSON-LD text (read leniently, as the extractor does).
std::vector<SchemaProduct> products(std::string_view text, std::string_view base = "https://shop.example/p/1") {
  return products_from_schema(dealstack::parse_lenient_json(text), "json-ld", base, "en-US");
}

SchemaProduct only(std::string_view text) {
  auto ps = products(text);
  REQUIRE(ps.size() == 1);
  return ps[0];
}

std::string price_of(const SchemaProduct& sp) { return sp.product.price ? sp.product.price->amount.to_string() : ""; }

}  // namespace

TEST_CASE("schema: Product fields and their sources") {
  const auto sp = only(R"({"@context":"https://schema.org","@type":"Product","name":"Kettle &amp; Lid",
    "brand":{"@type":"Brand","name":"Boilwell"},"sku":"K1","mpn":"M-1","gtin13":"4006381333931",
    "image":{"@type":"ImageObject","contentUrl":"/i/k.jpg"},"url":"/p/kettle",
    "offers":{"@type":"Offer","price":"34.90","priceCurrency":"usd","availability":"InStock",
      "itemCondition":"https://schema.org/NewCondition","seller":{"@type":"Organization","name":"Shop"}}})");
  const auto& p = sp.product;
  CHECK(p.name == "Kettle & Lid");
  CHECK(p.brand == "Boilwell");
  CHECK(p.sku == "K1");
  CHECK(p.mpn == "M-1");
  CHECK(p.gtin == "4006381333931");
  CHECK(p.image == "https://shop.example/i/k.jpg");
  CHECK(p.url == "https://shop.example/p/kettle");
  REQUIRE(p.price);
  CHECK(p.price->amount.to_string() == "34.90");
  CHECK(p.price->currency == "USD");
  CHECK(p.availability == Availability::InStock);
  CHECK(p.condition == "NewCondition");
  CHECK(p.seller == "Shop");
  CHECK(p.sources.at("name").source == "json-ld");
  CHECK(p.sources.at("price").confidence == 90);
  CHECK_FALSE(sp.neighbour);
}

TEST_CASE("schema: an invalid gtin is dropped, the next key is tried") {
  const auto sp = only(R"({"@type":"Product","name":"A","gtin13":"4006381333932","gtin":"036000291452"})");
  CHECK(sp.product.gtin == "036000291452");
}

TEST_CASE("schema: a gtin written as a JSON number") {
  const auto sp = only(R"({"@type":"Product","name":"A","gtin13":4006381333931})");
  CHECK(sp.product.gtin == "4006381333931");
}

TEST_CASE("schema: @graph, mainEntity and @type lists are all found") {
  CHECK(only(R"({"@graph":[{"@type":"WebSite"},{"@type":"Product","name":"G"}]})").product.name == "G");
  CHECK(only(R"({"@type":"WebPage","mainEntity":{"@type":"Product","name":"M"}})").product.name == "M");
  CHECK(only(R"([{"@type":"Organization"},{"@type":["Thing","Product"],"name":"L"}])").product.name == "L");
  CHECK(only(R"({"@type":"http://schema.org/Product","name":"U"})").product.name == "U");
  CHECK(only(R"({"@type":"schema:IndividualProduct","name":"I"})").product.name == "I");
}

TEST_CASE("schema: capitalised and prefixed keys") {
  const auto sp = only(R"({"@type":"Product","Name":"Cap","Offers":{"Price":"5.00","PriceCurrency":"EUR"},
                           "schema:sku":"S"})");
  CHECK(sp.product.name == "Cap");
  CHECK(sp.product.sku == "S");
  CHECK(price_of(sp) == "5.00");
  CHECK(sp.product.price->currency == "EUR");
}

TEST_CASE("schema: AggregateOffer lowPrice; nested offers inside it win") {
  CHECK(price_of(only(R"({"@type":"Product","name":"A","offers":{"@type":"AggregateOffer","lowPrice":"9.50",
                          "highPrice":"12.00","priceCurrency":"USD"}})")) == "9.50");
  const auto sp = only(R"({"@type":"Product","name":"A","offers":{"@type":"AggregateOffer","lowPrice":"9.50",
      "priceCurrency":"USD","offers":[{"@type":"Offer","price":"11.00","priceCurrency":"USD","seller":"X"},
                                      {"@type":"Offer","price":"9.50","priceCurrency":"USD","seller":"Y"}]}})");
  REQUIRE(sp.product.offers.size() == 3);
  CHECK(sp.product.offers[0].seller == "X");
  CHECK(price_of(sp) == "11.00");  // the first offer with a price
}

TEST_CASE("schema: priceSpecification sale price and ListPrice") {
  const auto sp = only(R"({"@type":"Product","name":"A","offers":{"@type":"Offer","priceCurrency":"USD",
    "priceSpecification":[{"@type":"UnitPriceSpecification","priceType":"https://schema.org/ListPrice","price":"20.00"},
                          {"@type":"UnitPriceSpecification","price":"15.00"}]}})");
  CHECK(price_of(sp) == "15.00");
  REQUIRE(sp.product.list_price);
  CHECK(sp.product.list_price->amount.to_string() == "20.00");
  CHECK(sp.product.list_price->currency == "USD");
}

TEST_CASE("schema: a list price not above the price is not a list price") {
  const auto sp = only(R"({"@type":"Product","name":"A","offers":{"@type":"Offer","price":"15.00","priceCurrency":"USD",
    "priceSpecification":{"@type":"UnitPriceSpecification","priceType":"ListPrice","price":"15.00"}}})");
  CHECK(price_of(sp) == "15.00");
  CHECK_FALSE(sp.product.list_price);
}

TEST_CASE("schema: a unit price per reference quantity is not the item's price") {
  const auto sp = only(R"({"@type":"Product","name":"Coffee 500 g","offers":{"@type":"Offer","price":"7.99",
    "priceCurrency":"EUR","priceSpecification":{"@type":"UnitPriceSpecification","price":"15.98",
    "referenceQuantity":{"@type":"QuantitativeValue","value":"1","unitCode":"KGM"}}}})");
  CHECK(price_of(sp) == "7.99");
}

TEST_CASE("schema: zero and negative prices are placeholders, not prices") {
  CHECK(price_of(only(R"({"@type":"Product","name":"A","offers":{"price":"0.00","priceCurrency":"USD"}})")) == "");
  CHECK(price_of(only(R"({"@type":"Product","name":"A","offers":{"price":0,"priceCurrency":"USD"}})")) == "");
  CHECK(price_of(only(R"({"@type":"Product","name":"A","offers":{"price":"-5","priceCurrency":"USD"}})")) == "");
}

TEST_CASE("schema: ProductGroup variants become offers with attributes") {
  const auto sp = only(R"({"@type":"ProductGroup","name":"Tee","productGroupID":"T1","hasVariant":[
    {"@type":"Product","sku":"T1-S","size":"S","color":"Red","offers":{"price":"10.00","priceCurrency":"USD",
     "availability":"OutOfStock"}},
    {"@type":"Product","sku":"T1-M","size":"M","color":"Red","offers":{"price":"11.00","priceCurrency":"USD",
     "availability":"InStock"}}]})");
  const auto& p = sp.product;
  CHECK(p.sku == "T1");
  REQUIRE(p.offers.size() == 2);
  CHECK(p.offers[0].sku == "T1-S");
  CHECK(p.offers[1].sku == "T1-M");
  CHECK(p.offers[1].attributes == std::vector<std::pair<std::string, std::string>>{{"color", "Red"}, {"size", "M"}});
  CHECK(price_of(sp) == "10.00");
  CHECK(p.availability == Availability::InStock);
}

TEST_CASE("schema: availability is the first offer's unless another is in stock") {
  CHECK(only(R"({"@type":"Product","name":"A","offers":[{"availability":"OutOfStock"},{"availability":"PreOrder"}]})")
            .product.availability == Availability::OutOfStock);
  CHECK(only(R"({"@type":"Product","name":"A","offers":[{"availability":"OutOfStock"},{"availability":"InStock"}]})")
            .product.availability == Availability::InStock);
  CHECK(only(R"({"@type":"Product","name":"A"})").product.availability == Availability::Unknown);
}

TEST_CASE("schema: a top-level Offer with itemOffered") {
  const auto sp = only(R"({"@type":"Offer","price":"3.00","priceCurrency":"GBP","availability":"InStock",
                           "itemOffered":{"@type":"Product","name":"Mug"}})");
  CHECK(sp.product.name == "Mug");
  CHECK(price_of(sp) == "3.00");
  CHECK(sp.product.price->currency == "GBP");
  CHECK(sp.product.availability == Availability::InStock);
}

TEST_CASE("schema: products in lists are neighbours; related products are skipped") {
  auto ps = products(R"([{"@type":"ItemList","itemListElement":[{"@type":"ListItem","item":{"@type":"Product","name":"N1"}}]},
    {"@type":"WebPage","relatedLink":"x","mainEntity":{"@type":"Product","name":"Main",
      "isRelatedTo":{"@type":"Product","name":"Rel"},"isSimilarTo":[{"@type":"Product","name":"Sim"}]}},
    {"@type":"WebPage","hasPart":{"itemListElement":[{"@type":"Product","name":"N2"}]}}])");
  REQUIRE(ps.size() == 3);
  CHECK(ps[0].product.name == "N1");
  CHECK(ps[0].neighbour);
  CHECK(ps[1].product.name == "Main");
  CHECK_FALSE(ps[1].neighbour);
  CHECK(ps[2].product.name == "N2");
  CHECK(ps[2].neighbour);
  CHECK(ps[0].order == 0);
  CHECK(ps[2].order == 2);
}

TEST_CASE("schema: deep nesting is walked only to a bounded depth") {
  std::string text = "{\"@type\":\"Product\",\"name\":\"Top\"}";
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{\"a\":";
  deep += "{\"@type\":\"Product\",\"name\":\"Deep\"}";
  deep += std::string(100, '}');
  auto ps = products_from_schema({json::parse(text), json::parse(deep)}, "json-ld", "", "");
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].product.name == "Top");
}

TEST_CASE("schema: offers are capped") {
  std::string text = "{\"@type\":\"Product\",\"name\":\"A\",\"offers\":[";
  for (int i = 0; i < 1000; ++i) text += std::string(i ? "," : "") + "{\"price\":\"1.00\",\"priceCurrency\":\"USD\"}";
  text += "]}";
  CHECK(only(text).product.offers.size() == 200);
}

TEST_CASE("schema: non-product data gives nothing") {
  CHECK(products(R"({"@type":"BlogPosting","headline":"Tips","author":{"@type":"Person","name":"Sam"}})").empty());
  CHECK(products(R"({"name":"untyped"})").empty());
  CHECK(products(R"([1, "x", null, true])").empty());
}

TEST_CASE("structured price: plain decimals keep their exact digits") {
  auto p = parse_structured_price("12.90", "EUR", "");
  REQUIRE(p);
  CHECK(p->amount.to_string() == "12.90");
  CHECK(p->currency == "EUR");
  CHECK(p->currency_text == "EUR");
  CHECK(parse_structured_price(" 129 ", "usd", "")->currency == "USD");
  CHECK(parse_structured_price("129", "", "")->currency == "");
}

TEST_CASE("structured price: formatted values and symbols") {
  auto p = parse_structured_price("1.299,00", "EUR", "de-DE");
  REQUIRE(p);
  CHECK(p->amount.to_string() == "1299.00");
  CHECK(p->currency == "EUR");
  auto q = parse_structured_price("€ 12,99", "", "de-DE");
  REQUIRE(q);
  CHECK(q->amount.to_string() == "12.99");
  CHECK(q->currency == "EUR");
  auto s = parse_structured_price("12.99", "£", "en-GB");
  REQUIRE(s);
  CHECK(s->currency == "GBP");
  CHECK(s->currency_text == "£");
}

TEST_CASE("structured price: no price in the value") {
  CHECK_FALSE(parse_structured_price("", "USD", ""));
  CHECK_FALSE(parse_structured_price("   ", "USD", ""));
  CHECK_FALSE(parse_structured_price("call us", "USD", ""));
  CHECK_FALSE(parse_structured_price("-1.00", "USD", ""));
}
