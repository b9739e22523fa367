#include "extract/product.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>

#include "fixtures.hpp"

// End-to-end tests of extract_product on the fixture pages in tests/fixtures/pages/ (each
// page's first comment says which trap it holds; README.md there lists them). Every test
// asserts all the fields a shopper sees, so a change in any source's priority shows up.

using dealstack::Availability;
using dealstack::ExtractOptions;
using dealstack::extract_product;
using dealstack::Price;
using dealstack::Product;
using dealstack::test::read_fixture;

namespace {

// What a page must give. Empty strings mean "absent" (no price, no sku, ...).
struct Expected {
  std::string name{};
  std::string price{};  // amount as Decimal::to_string() prints it
  std::string currency{};
  std::string list_price{};
  std::string list_currency{};
  Availability availability = Availability::Unknown;
  std::string sku{};
  std::string gtin{};
  std::string brand{};
  std::string image{};
  std::string url{};
  std::string sources{};  // "field=source,..." in field order
};

std::string sources_of(const Product& p) {
  std::string s;
  for (const auto& [field, src] : p.sources) {
    if (!s.empty()) s += ',';
    s += field + "=" + src.source;
  }
  return s;
}

std::string amount(const std::optional<Price>& p) { return p ? p->amount.to_string() : std::string{}; }
std::string currency(const std::optional<Price>& p) { return p ? p->currency : std::string{}; }

Product extract_fixture(const std::string& file, const std::string& url) {
  const std::string page = read_fixture("pages/" + file);
  ExtractOptions options;
  options.url = url;
  auto r = extract_product(page, options);
  if (!r.ok()) FAIL("extract_product failed on " << file << ": " << r.error().code << " " << r.error().message);
  return std::move(r).value();
}

void check(const Product& p, const Expected& e) {
  CHECK(p.name == e.name);
  CHECK(amount(p.price) == e.price);
  CHECK(currency(p.price) == e.currency);
  CHECK(amount(p.list_price) == e.list_price);
  CHECK(currency(p.list_price) == e.list_currency);
  CHECK(to_string(p.availability) == to_string(e.availability));
  CHECK(p.sku == e.sku);
  CHECK(p.gtin == e.gtin);
  CHECK(p.brand == e.brand);
  CHECK(p.image == e.image);
  CHECK(p.url == e.url);
  CHECK(sources_of(p) == e.sources);
}

Product check_page(const std::string& file, const std::string& url, const Expected& e) {
  INFO("fixture: " << file);
  Product p = extract_fixture(file, url);
  check(p, e);
  return p;
}

std::string error_code(const std::string& file, const std::string& url) {
  const std::string page = read_fixture("pages/" + file);
  ExtractOptions options;
  options.url = url;
  auto r = extract_product(page, options);
  return r.ok() ? std::string("ok: ") + r->name : r.error().code;
}

}  // namespace

// ---- JSON-LD ----

TEST_CASE("json-ld: plain Product with an Offer, relative image resolved against the page") {
  check_page("jsonld-plain.html", "https://shop.example/kettles/steel-kettle-17",
             {.name = "Steel Kettle 1.7 L",
              .price = "34.90",
              .currency = "USD",
              .availability = Availability::InStock,
              .sku = "KT-1700",
              .gtin = "4006381333931",
              .brand = "Boilwell",
              .image = "https://shop.example/img/kettle-17.jpg",
              .url = "https://shop.example/kettles/steel-kettle-17",
              .sources = "availability=json-ld,brand=json-ld,gtin=json-ld,image=json-ld,name=json-ld,"
                         "price=json-ld,sku=json-ld,url=url"});
}

TEST_CASE("json-ld: Product inside @graph beside WebPage and BreadcrumbList, https OutOfStock") {
  const Product p = check_page(
      "jsonld-graph.html", "https://shop.example/shoes/trail-runner-2",
      {.name = "Trail Runner 2 Shoes",
       .price = "89.5",  // the JSON number's exact text
       .currency = "GBP",
       .availability = Availability::OutOfStock,
       .sku = "TR2-42",
       .gtin = "5901234123457",
       .brand = "Stridex",
       .image = "https://cdn.shop.example/p/tr2-main.jpg",
       .url = "https://shop.example/shoes/trail-runner-2",
       .sources = "availability=json-ld,brand=json-ld,gtin=json-ld,image=json-ld,name=json-ld,price=json-ld,"
                  "sku=json-ld,url=url"});
  CHECK(p.offers.size() == 1);
}

TEST_CASE("json-ld: Product as the mainEntity of an ItemPage, bare InStock, integer price") {
  check_page("jsonld-main-entity.html", "https://werkzeug.example/akku/as18.html",
             {.name = "Akkuschrauber AS 18",
              .price = "129",
              .currency = "EUR",
              .availability = Availability::InStock,
              .sku = "AS18-B",
              .brand = "Werkfix",
              .image = "https://werkzeug.example/akku/bilder/as18.jpg",
              .url = "https://werkzeug.example/akku/as18.html",
              .sources = "availability=json-ld,brand=json-ld,image=json-ld,name=json-ld,price=json-ld,sku=json-ld,"
                         "url=url"});
}

TEST_CASE("json-ld: @type as a list, capitalised Offers key, schema:PreOrder") {
  check_page("jsonld-type-list.html", "https://games.example/nebula",
             {.name = "Nebula Console",
              .price = "499.00",
              .currency = "USD",
              .availability = Availability::PreOrder,
              .sku = "NEB-1",
              .gtin = "036000291452",
              .brand = "Nebula",
              .image = "https://img.example/nebula.png",
              .url = "https://games.example/nebula",
              .sources = "availability=json-ld,brand=json-ld,gtin=json-ld,image=json-ld,name=json-ld,"
                         "price=json-ld,sku=json-ld,url=url"});
}

TEST_CASE("json-ld: AggregateOffer gives its lowPrice") {
  check_page("jsonld-aggregate-offer.html", "https://wear.example/t/cotton",
             {.name = "Cotton T-Shirt",
              .price = "19.99",
              .currency = "USD",
              .availability = Availability::InStock,
              .sku = "TS-100",
              .brand = "Plainwear",
              .image = "https://wear.example/media/ts-100.jpg",
              .url = "https://wear.example/t/cotton",
              .sources = "availability=json-ld,brand=json-ld,image=json-ld,name=json-ld,price=json-ld,sku=json-ld,"
                         "url=url"});
}

TEST_CASE("json-ld: priceSpecification with a ListPrice beside the sale price") {
  check_page("jsonld-price-specification.html", "https://shop.example/audio/nc7",
             {.name = "Noise-Cancelling Headphones NC7",
              .price = "149.00",
              .currency = "USD",
              .list_price = "199.00",
              .list_currency = "USD",
              .availability = Availability::InStock,
              .sku = "NC7-BLK",
              .brand = "Quietly",
              .image = "https://shop.example/i/nc7.jpg",
              .url = "https://shop.example/audio/nc7",
              .sources = "availability=json-ld,brand=json-ld,image=json-ld,list_price=json-ld,name=json-ld,"
                         "price=json-ld,sku=json-ld,url=url"});
}

TEST_CASE("json-ld: ProductGroup with hasVariant keeps each variant as an offer") {
  const Product p = check_page(
      "jsonld-product-group.html", "https://shop.example/jackets/rain",
      {.name = "Rain Jacket",
       .price = "79.00",  // the first offer with a price
       .currency = "USD",
       .availability = Availability::InStock,  // one variant is in stock
       .sku = "RJ-200",                         // productGroupID
       .brand = "Drizzle",
       .image = "https://shop.example/rj/main.jpg",
       .url = "https://shop.example/jackets/rain",
       .sources = "availability=json-ld,brand=json-ld,image=json-ld,name=json-ld,price=json-ld,sku=json-ld,url=url"});
  REQUIRE(p.offers.size() == 2);
  CHECK(p.offers[0].sku == "RJ-200-RED-M");
  CHECK(p.offers[0].gtin == "4012345000016");
  CHECK(p.offers[0].price->amount.to_string() == "79.00");
  CHECK(p.offers[0].availability == Availability::OutOfStock);
  CHECK(p.offers[0].attributes == std::vector<std::pair<std::string, std::string>>{{"color", "Red"}, {"size", "M"}});
  CHECK(p.offers[1].sku == "RJ-200-BLUE-L");
  CHECK(p.offers[1].gtin == "4012345000023");
  CHECK(p.offers[1].price->amount.to_string() == "84.00");
  CHECK(p.offers[1].availability == Availability::InStock);
  CHECK(p.offers[1].attributes == std::vector<std::pair<std::string, std::string>>{{"color", "Blue"}, {"size", "L"}});
}

TEST_CASE("json-ld: top-level Offer with the Product as itemOffered") {
  const Product p = check_page(
      "jsonld-offer-top-level.html", "https://beans.example/grinders/g3",
      {.name = "Espresso Grinder G3",
       .price = "229.00",
       .currency = "USD",
       .availability = Availability::InStock,
       .sku = "G3",
       .brand = "Grindo",
       .image = "https://cdn.example/g3.jpg",  // protocol-relative: takes the page's scheme
       .url = "https://beans.example/grinders/g3",
       .sources = "availability=json-ld,brand=json-ld,image=json-ld,name=json-ld,price=json-ld,seller=json-ld,"
                  "sku=json-ld,url=url"});
  CHECK(p.seller == "Bean Shop");
}

TEST_CASE("json-ld: broken blocks; one beyond repair is skipped, the commented one is repaired") {
  check_page("jsonld-broken.html", "https://shop.example/lanterns/lx",
             {.name = "Camping Lantern LX",
              .price = "24.95",  // not the 9.99 of the broken block
              .currency = "USD",
              .availability = Availability::InStock,
              .sku = "LX-300",
              .brand = "Glowtrek",
              .image = "https://shop.example/lx/1.jpg",
              .url = "https://shop.example/lanterns/lx",
              .sources = "availability=json-ld,brand=json-ld,image=json-ld,name=json-ld,price=json-ld,sku=json-ld,"
                         "url=url"});
}

// ---- microdata, RDFa, meta tags ----

TEST_CASE("microdata: nested Offer and Brand, price from content, link availability, relative img") {
  check_page("microdata.html", "https://kaffee.example/maschinen/barista-pro",
             {.name = "Espressomaschine Barista Pro",
              .price = "1299.00",
              .currency = "EUR",
              .availability = Availability::InStock,
              .sku = "BP-900",
              .gtin = "9783161484100",
              .brand = "Kaffeewerk",
              .image = "https://kaffee.example/bilder/barista-pro.jpg",
              .url = "https://kaffee.example/maschinen/barista-pro",
              .sources = "availability=microdata,brand=microdata,gtin=microdata,image=microdata,name=microdata,"
                         "price=microdata,sku=microdata,url=url"});
}

TEST_CASE("rdfa lite: vocab/typeof/property with nested Offer and Brand") {
  check_page("rdfa-lite.html", "https://velo.example/citadin-28",
             {.name = "Vélo de ville Citadin 28",
              .price = "349.00",
              .currency = "EUR",
              .availability = Availability::OutOfStock,
              .sku = "CIT-28",
              .brand = "Roulette",
              .image = "https://velo.example/img/citadin.jpg",
              .url = "https://velo.example/citadin-28",
              .sources = "availability=microdata,brand=microdata,image=microdata,name=microdata,price=microdata,"
                         "sku=microdata,url=url"});
}

TEST_CASE("opengraph only: product:price, relative og:image, og:availability instock") {
  check_page("opengraph-only.html", "https://lights.example/p/desk-lamp-arc?ref=home",
             {.name = "Desk Lamp Arc",
              .price = "59.00",
              .currency = "CAD",
              .availability = Availability::InStock,
              .brand = "Lumo",
              .image = "https://lights.example/images/arc-lamp.jpg",
              .url = "https://lights.example/p/desk-lamp-arc",  // og:url, not the page's query string
              .sources = "availability=meta,brand=meta,image=meta,name=meta,price=meta,url=meta"});
}

TEST_CASE("opengraph only: og:availability oos, lower-case currency code, no visible price") {
  check_page("opengraph-oos.html", "https://garden.example/hose-25",
             {.name = "Garden Hose 25 m",
              .price = "32.50",
              .currency = "AUD",
              .availability = Availability::OutOfStock,
              .image = "https://garden.example/hose25.jpg",
              .url = "https://garden.example/hose-25",
              .sources = "availability=meta,image=meta,name=meta,price=meta,url=url"});
}

// ---- no markup ----

TEST_CASE("no markup: h1, sale price beside a struck regular price, add-to-cart button") {
  check_page("plain-sale-price.html", "https://pans.example/skillet-26",
             {.name = "Cast Iron Skillet 26 cm",
              .price = "39.99",
              .currency = "USD",
              .list_price = "54.99",
              .list_currency = "USD",
              .availability = Availability::InStock,
              .url = "https://pans.example/skillet-26",
              .sources = "availability=heuristic,list_price=heuristic,name=heuristic,price=heuristic,url=url"});
}

TEST_CASE("no markup: out-of-stock text and a disabled buy button") {
  check_page("plain-out-of-stock.html", "https://home.example/blankets/wool-grey",
             {.name = "Wool Blanket Grey",
              .price = "120.00",
              .currency = "USD",
              .availability = Availability::OutOfStock,
              .url = "https://home.example/blankets/wool-grey",
              .sources = "availability=heuristic,name=heuristic,price=heuristic,url=url"});
}

TEST_CASE("no markup: German page with Auf Lager and a 12,99 € price") {
  check_page("plain-german.html", "https://tassen.example/keramiktasse-blau",
             {.name = "Keramiktasse Blau",
              .price = "12.99",
              .currency = "EUR",
              .availability = Availability::InStock,
              .url = "https://tassen.example/keramiktasse-blau",
              .sources = "availability=heuristic,name=heuristic,price=heuristic,url=url"});
}

TEST_CASE("no markup: cart total and carousel prices around the product's own price") {
  check_page("plain-carousel-prices.html", "https://boards.example/bamboo-large",
             {.name = "Bamboo Cutting Board Large",
              .price = "27.95",
              .currency = "USD",
              .availability = Availability::InStock,
              .url = "https://boards.example/bamboo-large",
              .sources = "availability=heuristic,name=heuristic,price=heuristic,url=url"});
}

// ---- traps ----

TEST_CASE("trap: visible struck regular price beside the JSON-LD offer price becomes the list price") {
  check_page("trap-visible-regular-price.html", "https://mix.example/stand-mixer-5",
             {.name = "Stand Mixer 5 L",
              .price = "249.00",
              .currency = "USD",
              .list_price = "329.00",
              .list_currency = "USD",
              .availability = Availability::InStock,
              .sku = "SM-5",
              .url = "https://mix.example/stand-mixer-5",
              .sources = "availability=json-ld,list_price=heuristic,name=json-ld,price=json-ld,sku=json-ld,url=url"});
}

TEST_CASE("trap: JSON-LD price in USD, page shows euros: the shown price wins, USD kept as an offer") {
  // extractor.cpp: a visible price near the title in another currency than the structured
  // one (scored >= 60) replaces it, and the structured price moves to the front of offers.
  const Product p = check_page(
      "trap-currency-mismatch.html", "https://watch.example/de/pulse-3",
      {.name = "Smartwatch Pulse 3",
       .price = "189.00",
       .currency = "EUR",
       .availability = Availability::InStock,
       .sku = "PULSE3",
       .brand = "Pulse",
       .image = "https://watch.example/pulse3.jpg",
       .url = "https://watch.example/de/pulse-3",
       .sources = "availability=json-ld,brand=json-ld,image=json-ld,name=json-ld,price=heuristic,sku=json-ld,url=url"});
  REQUIRE(p.offers.size() == 2);
  REQUIRE(p.offers[0].price);
  CHECK(p.offers[0].price->amount.to_string() == "199.00");
  CHECK(p.offers[0].price->currency == "USD");
}

TEST_CASE("trap: JSON-LD inside an HTML comment and inside an attribute is ignored") {
  const Product p = check_page("trap-fake-jsonld.html", "https://yoga.example/mat-pro",
                               {.name = "Yoga Mat Pro",
                                .price = "45.00",
                                .currency = "USD",
                                .availability = Availability::InStock,
                                .sku = "YM-PRO",
                                .url = "https://yoga.example/mat-pro",
                                .sources = "availability=json-ld,name=json-ld,price=json-ld,sku=json-ld,url=url"});
  REQUIRE(p.offers.size() == 1);
  CHECK(p.offers[0].price->amount.to_string() == "45.00");
}

TEST_CASE("trap: ItemList of neighbours before and a microdata carousel after the main product") {
  const Product p = check_page(
      "trap-neighbours.html", "https://packs.example/backpacks/hiking-40?utm_source=x",
      {.name = "Hiking Backpack 40 L",
       .price = "99.00",
       .currency = "USD",
       .availability = Availability::InStock,
       .sku = "HB-40",
       .brand = "Summit",
       .image = "https://packs.example/img/hb40.jpg",
       .url = "https://packs.example/backpacks/hiking-40",  // the canonical link
       .sources = "availability=json-ld,brand=json-ld,image=json-ld,name=json-ld,price=json-ld,sku=json-ld,url=meta"});
  CHECK(p.offers.size() == 1);
}

TEST_CASE("trap: JSON-LD says InStock, the page says Sold out with only a disabled button") {
  check_page("trap-stale-in-stock.html", "https://vinyl.example/player",
             {.name = "Vinyl Record Player",
              .price = "149.00",
              .currency = "USD",
              .availability = Availability::OutOfStock,
              .sku = "VRP-1",
              .url = "https://vinyl.example/player",
              .sources = "availability=heuristic,name=json-ld,price=json-ld,sku=json-ld,url=url"});
}

TEST_CASE("trap: structured InStock but the only buy button is disabled: OutOfStock") {
  check_page("trap-disabled-buy-button.html", "https://garden.example/reel",
             {.name = "Garden Hose Reel 30 m",
              .price = "54.50",
              .currency = "EUR",
              .availability = Availability::OutOfStock,
              .sku = "GHR-30",
              .url = "https://garden.example/reel",
              .sources = "availability=heuristic,name=json-ld,price=json-ld,sku=json-ld,url=url"});
}

TEST_CASE("trap: a buy button disabled until a size is chosen says nothing about stock") {
  check_page("trap-select-size-button.html", "https://shirts.example/linen",
             {.name = "Linen Shirt",
              .price = "39.00",
              .currency = "GBP",
              .availability = Availability::InStock,
              .sku = "LS-100",
              .url = "https://shirts.example/linen",
              .sources = "availability=json-ld,name=json-ld,price=json-ld,sku=json-ld,url=url"});
}

TEST_CASE("trap: windows-1251 page: decoded first; Cyrillic stock phrase, buy button and sku label") {
  // The phrases are capitalised on the page ("В наличии", "Артикул:") and lower-case in
  // the heuristics' tables: they must match across case.
  const Product p = check_page("ru-windows-1251-product.html", "https://pylesos.example/vihr-2000",
                               {.name = "Пылесос Вихрь 2000",
                                .price = "4990",
                                .currency = "RUB",
                                .list_price = "5990",
                                .list_currency = "RUB",
                                .availability = Availability::InStock,
                                .sku = "VX-2000",
                                .url = "https://pylesos.example/vihr-2000",
                                .sources = "availability=heuristic,list_price=heuristic,name=heuristic,"
                                           "price=heuristic,sku=heuristic,url=url"});
  REQUIRE(p.price);
  CHECK(p.price->currency_text == "руб.");
}

TEST_CASE("trap: Shift_JIS page with Japanese JSON-LD; the shown currency text is kept") {
  const Product p = check_page("ja-shift_jis-product.html", "https://kaden.example/kettle/ek-10w",
                               {.name = "電気ケトル 白 1.0L",
                                .price = "12800",
                                .currency = "JPY",
                                .availability = Availability::InStock,
                                .sku = "EK-10W",
                                .brand = "ミナト電機",
                                .url = "https://kaden.example/kettle/ek-10w",
                                .sources = "availability=json-ld,brand=json-ld,name=json-ld,price=json-ld,"
                                           "sku=json-ld,url=url"});
  CHECK(p.price->currency_text == "円");
}

// ---- pages without a product ----

TEST_CASE("no product: a blog article that mentions prices") {
  CHECK(error_code("no-product-blog.html", "https://coffee.example/blog/ten-tips") == "no_product");
}

// Bug in extractor.cpp/heuristics.cpp (lead's files): a category page is taken for a
// product page. The first tile's "$29.00" scores >= 50 as a visible price (it is marked
// "price" and sits right after the h1), which alone makes `product_page` true, and the
// category's h1 "Kettles" becomes the product name. A price repeated in sibling tiles of
// a list (several prices of the same shape, none near a buy button) should not count.
TEST_CASE("no product: a category listing with many priced tiles") {
  CHECK(error_code("no-product-category.html", "https://shop.example/kettles") == "no_product");
}
