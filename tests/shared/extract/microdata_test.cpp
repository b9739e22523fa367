#include "extract/microdata.hpp"

#include <doctest/doctest.h>

#include <string>

using dealstack::read_microdata;
using dealstack::html::Document;
using json = nlohmann::json;

namespace {

dealstack::MicrodataResult read(const std::string& html, std::string_view base = "https://shop.example/p/1") {
  return read_microdata(Document::parse(html), base);
}

}  // namespace

TEST_CASE("microdata: a Product with nested Offer and Brand items") {
  auto r = read(R"(
<div itemscope itemtype="https://schema.org/Product">
  <h1 itemprop="name"> Steel   Kettle </h1>
  <div itemprop="brand" itemscope itemtype="https://schema.org/Brand"><span itemprop="name">Boilwell</span></div>
  <div itemprop="offers" itemscope itemtype="http://schema.org/Offer">
    <span itemprop="price" content="34.90">$34.90</span>
    <meta itemprop="priceCurrency" content="USD">
    <link itemprop="availability" href="https://schema.org/InStock">
  </div>
</div>)");
  REQUIRE(r.items.size() == 1);
  const json& p = r.items[0];
  CHECK(p["@type"] == "Product");
  CHECK(p["name"] == "Steel Kettle");
  CHECK(p["brand"]["@type"] == "Brand");
  CHECK(p["brand"]["name"] == "Boilwell");
  CHECK(p["offers"]["@type"] == "Offer");
  CHECK(p["offers"]["price"] == "34.90");  // content wins over the text
  CHECK(p["offers"]["priceCurrency"] == "USD");
  CHECK(p["offers"]["availability"] == "https://schema.org/InStock");
  CHECK(r.orphans.empty());
}

TEST_CASE("microdata: property values per element kind") {
  auto r = read(R"(
<div itemscope itemtype="https://schema.org/Product">
  <img itemprop="image" src="../img/a.jpg">
  <a itemprop="url" href="/p/1?x=1">link text</a>
  <time itemprop="releaseDate" datetime="2024-01-02">Jan 2</time>
  <data itemprop="sku" value="K-1">Kettle one</data>
  <meta itemprop="gtin13" content=" 4006381333931 ">
  <span itemprop="description">A <b>very</b> good
     kettle</span>
  <link itemprop="availability" href="InStock">
</div>)");
  REQUIRE(r.items.size() == 1);
  const json& p = r.items[0];
  CHECK(p["image"] == "https://shop.example/img/a.jpg");
  CHECK(p["url"] == "https://shop.example/p/1?x=1");
  CHECK(p["releaseDate"] == "2024-01-02");
  CHECK(p["sku"] == "K-1");
  CHECK(p["gtin13"] == "4006381333931");
  CHECK(p["description"] == "A very good kettle");
  CHECK(p["availability"] == "https://shop.example/p/InStock");  // a relative href resolves like any link
}

TEST_CASE("microdata: a repeated property becomes an array, several names in one itemprop") {
  auto r = read(R"(
<div itemscope itemtype="https://schema.org/Product">
  <img itemprop="image" src="https://cdn.example/1.jpg"><img itemprop="image" src="https://cdn.example/2.jpg">
  <span itemprop="name alternateName">Kettle</span>
</div>)");
  REQUIRE(r.items.size() == 1);
  CHECK(r.items[0]["image"] == json::array({"https://cdn.example/1.jpg", "https://cdn.example/2.jpg"}));
  CHECK(r.items[0]["name"] == "Kettle");
  CHECK(r.items[0]["alternateName"] == "Kettle");
}

TEST_CASE("microdata: several top-level items in document order, types as lists") {
  auto r = read(R"(
<div itemscope itemtype="https://schema.org/Product https://schema.org/Thing"><span itemprop="name">A</span></div>
<div itemscope itemtype="https://schema.org/Product"><span itemprop="name">B</span></div>)");
  REQUIRE(r.items.size() == 2);
  CHECK(r.items[0]["@type"] == json::array({"Product", "Thing"}));
  CHECK(r.items[0]["name"] == "A");
  CHECK(r.items[1]["name"] == "B");
}

TEST_CASE("microdata: itemprops outside any item are kept as orphans, first value wins") {
  auto r = read(R"(
<h1 itemprop="name">Kettle</h1>
<span itemprop="price" content="12.50">12,50</span>
<span itemprop="price" content="99.00">99,00</span>
<span itemprop="sku"></span>)");
  CHECK(r.items.empty());
  CHECK(r.orphans["name"] == "Kettle");
  CHECK(r.orphans["price"] == "12.50");
  CHECK_FALSE(r.orphans.contains("sku"));  // empty values are not kept
}

TEST_CASE("microdata: itemref is not followed (properties elsewhere stay orphans)") {
  auto r = read(R"(
<div itemscope itemtype="https://schema.org/Product" itemref="extra"><span itemprop="name">Kettle</span></div>
<div id="extra"><span itemprop="sku">K-1</span></div>)");
  REQUIRE(r.items.size() == 1);
  CHECK(r.items[0]["name"] == "Kettle");
  CHECK_FALSE(r.items[0].contains("sku"));
  CHECK(r.orphans["sku"] == "K-1");
}

TEST_CASE("rdfa lite: typeof/property with nested items, prefixed property names") {
  auto r = read(R"(
<body vocab="https://schema.org/">
<div typeof="Product">
  <span property="name">Bike</span>
  <span property="schema:sku">B-1</span>
  <div property="offers" typeof="Offer">
    <span property="price" content="349.00">349,00 €</span>
    <link property="availability" href="https://schema.org/OutOfStock">
  </div>
</div>
<span property="name">not in an item</span>
</body>)");
  REQUIRE(r.items.size() == 1);
  const json& p = r.items[0];
  CHECK(p["@type"] == "Product");
  CHECK(p["name"] == "Bike");
  CHECK(p["sku"] == "B-1");
  CHECK(p["offers"]["@type"] == "Offer");
  CHECK(p["offers"]["price"] == "349.00");
  CHECK(p["offers"]["availability"] == "https://schema.org/OutOfStock");
  // RDFa properties outside a typeof are not microdata orphans.
  CHECK(r.orphans.empty());
}

TEST_CASE("microdata: the number of items is bounded") {
  std::string html;
  for (int i = 0; i < 5000; ++i) html += "<div itemscope><span itemprop=\"name\">x</span></div>";
  auto r = read(html);
  CHECK(r.items.size() == 2000);
}
