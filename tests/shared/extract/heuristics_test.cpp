#include "extract/heuristics.hpp"

#include <doctest/doctest.h>

#include <string>

using dealstack::Availability;
using dealstack::read_visible_facts;
using dealstack::VisibleFacts;
using dealstack::html::Document;

namespace {

VisibleFacts facts(const std::string& html, std::string_view expected = "", std::string_view url = "",
                   std::string_view locale = "en-US") {
  return read_visible_facts(Document::parse(html), expected, url, locale);
}

std::string price(const VisibleFacts& f) { return f.price ? f.price->amount.to_string() : ""; }
std::string list_price(const VisibleFacts& f) { return f.list_price ? f.list_price->amount.to_string() : ""; }

}  // namespace

TEST_CASE("visible: the title is the h1 most like the expected name") {
  const auto f = facts(R"(<h1 class="logo">Shop Name</h1><main><h1>Steel Kettle 1.7 L</h1></main>)",
                       "Steel Kettle 1.7 L");
  CHECK(f.title == "Steel Kettle 1.7 L");
  CHECK(f.title_node != dealstack::html::kNoNode);
}

TEST_CASE("visible: a hidden h1 loses to a visible one") {
  const auto f = facts(R"(<h1 style="display:none">Hidden Title</h1><h1>Shown Title</h1>)");
  CHECK(f.title == "Shown Title");
}

TEST_CASE("visible: price beside the title, struck regular price as list price") {
  const auto f = facts(R"(<h1>Skillet</h1><div><span class="sale">$39.99</span> <del>$54.99</del></div>
                          <button type="submit">Add to cart</button>)");
  CHECK(price(f) == "39.99");
  CHECK(f.price->currency == "USD");
  CHECK(list_price(f) == "54.99");
  CHECK(f.price_score >= 50);
}

TEST_CASE("visible: a struck price lower than the price is not a list price") {
  const auto f = facts(R"(<h1>Skillet</h1><div class="price">$39.99 <s>$29.99</s></div>)");
  CHECK(price(f) == "39.99");
  CHECK(list_price(f) == "");
}

TEST_CASE("visible: cart totals and carousel prices lose to the price by the title") {
  const auto f = facts(R"(<header><span class="cart-total">$88.00</span></header>
    <section class="carousel"><span class="price">$49.00</span></section>
    <h1>Board</h1><div class="product-price">$27.95</div>
    <section class="related"><span class="price">$12.00</span></section>)");
  CHECK(price(f) == "27.95");
}

TEST_CASE("visible: savings, instalments and shipping amounts are not the price") {
  const auto f = facts(R"(<h1>Sofa</h1><div class="price">$899.00</div>
    <div class="you-save">You save $100.00</div><div>or $75.00 per month</div>
    <div class="shipping">Shipping $25.00</div>)");
  CHECK(price(f) == "899.00");
}

TEST_CASE("visible: hidden prices are ignored") {
  const auto f = facts(R"(<h1>Lamp</h1><div class="price" style="display:none">$1.00</div>
                          <div class="price">$59.00</div>)");
  CHECK(price(f) == "59.00");
}

TEST_CASE("visible: a German price with comma decimals and a trailing euro sign") {
  const auto f = facts("<h1>Tasse</h1><div class=\"preis\">12,99&nbsp;\xE2\x82\xAC</div>", "", "", "de-DE");
  CHECK(price(f) == "12.99");
  CHECK(f.price->currency == "EUR");
}

TEST_CASE("visible: superscript cents get their decimal point back") {
  const auto f = facts(R"(<h1>Drill</h1><div class="price">$129<sup>99</sup></div>)");
  CHECK(price(f) == "129.99");
}

TEST_CASE("visible: no price when nothing looks like one") {
  const auto f = facts(R"(<h1>Ten Tips</h1><p>Water at 90 to 96 degrees for 4 minutes.</p>)");
  CHECK_FALSE(f.price);
}

TEST_CASE("visible: buy button enabled, disabled, or an enabled one beside a disabled one") {
  auto f = facts(R"(<h1>A</h1><button type="submit">Add to cart</button>)");
  CHECK(f.buy_button);
  CHECK_FALSE(f.buy_button_disabled);
  f = facts(R"(<h1>A</h1><button type="submit" disabled>Add to cart</button>)");
  CHECK(f.buy_button);
  CHECK(f.buy_button_disabled);
  f = facts(R"(<h1>A</h1><button class="add-to-cart sold-out">Add to cart</button>
               <input type="submit" value="Buy now">)");
  CHECK(f.buy_button);
  CHECK_FALSE(f.buy_button_disabled);
  f = facts(R"(<h1>A</h1><p>Add to cart for free shipping</p>)");
  CHECK_FALSE(f.buy_button);
}

TEST_CASE("visible: a buy button in a carousel is not the product's") {
  const auto f = facts(R"(<h1>A</h1><div class="carousel"><button>Add to cart</button></div>)");
  CHECK_FALSE(f.buy_button);
}

TEST_CASE("visible: stock phrases must lead a short element") {
  CHECK(facts("<h1>A</h1><p>Out of stock</p>").stock_phrase == Availability::OutOfStock);
  CHECK(facts("<h1>A</h1><p>Sold out.</p>").stock_phrase == Availability::OutOfStock);
  CHECK(facts("<h1>A</h1><p class=s>Auf Lager - sofort lieferbar</p>").stock_phrase == Availability::InStock);
  CHECK(facts("<h1>A</h1><p>In stock</p>").stock_phrase == Availability::InStock);
  CHECK(facts("<h1>A</h1><p>If the item is out of stock we refund you.</p>").stock_phrase == Availability::Unknown);
  CHECK(facts("<h1>A</h1><p>Nothing about stock here.</p>").stock_phrase == Availability::Unknown);
}

TEST_CASE("visible: an out-of-stock badge in a carousel says nothing about the product") {
  const auto f = facts(R"(<h1>A</h1><p>In stock</p><div class="related"><span>Sold out</span></div>)");
  CHECK(f.stock_phrase == Availability::InStock);
}

TEST_CASE("visible: sku, mpn, brand and gtin from labels") {
  const auto f = facts(R"(<h1>Kettle</h1><ul><li>SKU: KT-1700</li><li>MPN: BW17</li><li>Brand: Boilwell</li>
                          <li>EAN: 4006381333931</li></ul>)");
  CHECK(f.sku == "KT-1700");
  CHECK(f.mpn == "BW17");
  CHECK(f.brand == "Boilwell");
  CHECK(f.gtin == "4006381333931");
}

TEST_CASE("visible: a gtin label with a wrong check digit gives no gtin") {
  CHECK(facts("<h1>Kettle</h1><p>EAN: 4006381333932</p>").gtin.empty());
}

TEST_CASE("visible: a label inside a longer word is not a label") {
  CHECK(facts("<h1>Kettle</h1><p>tasks: 12345</p>").sku.empty());
}

TEST_CASE("visible: product ids from the URL") {
  CHECK(facts("<h1>A</h1>", "", "https://www.amazon.example/Kettle/dp/B00ABCDEFG/ref=x").sku == "B00ABCDEFG");
  CHECK(facts("<h1>A</h1>", "", "https://shop.example/item.php?pid=12345&x=1").sku == "12345");
  CHECK(facts("<h1>A</h1>", "", "https://shop.example/product/123456-steel-kettle").sku == "123456");
  CHECK(facts("<h1>A</h1>", "", "https://shop.example/steel-kettle-14347.html").sku == "14347");
  // Sizes and years are too short to be ids.
  CHECK(facts("<h1>A</h1>", "", "https://shop.example/kettle-2024.html").sku.empty());
  CHECK(facts("<h1>A</h1>", "", "https://shop.example/").sku.empty());
}

TEST_CASE("visible: an empty document gives no facts") {
  const auto f = facts("");
  CHECK(f.title.empty());
  CHECK_FALSE(f.price);
  CHECK_FALSE(f.buy_button);
  CHECK(f.stock_phrase == Availability::Unknown);
}
