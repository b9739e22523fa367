#include "extract/rules.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "fixtures.hpp"

using dealstack::Availability;
using dealstack::ExtractOptions;
using dealstack::extract_product;
using dealstack::parse_rule_pack;
using dealstack::parse_selector;
using dealstack::Product;
using dealstack::RulePack;
using dealstack::select_first;
using dealstack::Selector;
using dealstack::SelectorCompound;
namespace html = dealstack::html;

namespace {

// A pack with `fields` (a JSON object's members, without braces) and `extra` top-level members.
std::string pack_json(const std::string& fields, const std::string& extra = "") {
  return R"({"format":1,"retailer":"shop.example","version":2,"hosts":["shop.example","WWW.Shop.Example."],)" +
         extra + (extra.empty() ? "" : ",") + R"("fields":{)" + fields + "}}";
}

RulePack pack_of(const std::string& text) {
  auto r = parse_rule_pack(text);
  if (!r) FAIL("pack refused: " << r.error().code << " " << r.error().message << "\n" << text);
  return std::move(r).value();
}

// The error a pack text gets (code and message); FAILs when it is accepted.
dealstack::Error refused(const std::string& text) {
  auto r = parse_rule_pack(text);
  if (r) FAIL("pack accepted: " << text);
  return r.error();
}

dealstack::Error selector_refused(const std::string& text) {
  auto r = parse_selector(text);
  if (r) FAIL("selector accepted: " << text);
  return r.error();
}

Selector selector(const std::string& text) {
  auto r = parse_selector(text);
  if (!r) FAIL("selector refused: " << text << ": " << r.error().message);
  return std::move(r).value();
}

// The first match's id attribute ("" when nothing matches).
std::string first_id(const std::string& page, const std::string& sel) {
  const html::Document doc = html::Document::parse(page);
  const html::NodeId id = select_first(doc, selector(sel));
  if (id == html::kNoNode) return "";
  const std::string* v = doc.attr(id, "id");
  return v ? *v : "?";
}

Product extract(const std::string& page, const RulePack* pack, const std::string& url = "https://shop.example/p/1") {
  ExtractOptions options;
  options.url = url;
  options.rules = pack;
  auto r = extract_product(page, options);
  if (!r) FAIL("extract_product failed: " << r.error().code << " " << r.error().message);
  return std::move(r).value();
}

std::string source(const Product& p, const std::string& field) {
  const auto it = p.sources.find(field);
  return it == p.sources.end() ? "" : it->second.source;
}

std::string amount(const std::optional<dealstack::Price>& p) { return p ? p->amount.to_string() : ""; }

// A straightforward backtracking matcher: the reference select_first must agree with.
bool reference_matches(const html::Document& doc, html::NodeId id, const std::vector<SelectorCompound>& chain,
                       std::size_t k) {
  const html::Node& n = doc.node(id);
  if (n.kind != html::Node::Kind::Element) return false;
  const SelectorCompound& c = chain[k];
  if (!c.tag.empty() && n.tag != c.tag) return false;
  if (!c.id.empty() && (!doc.attr(id, "id") || *doc.attr(id, "id") != c.id)) return false;
  for (const std::string& cls : c.classes) {
    const std::string* v = doc.attr(id, "class");
    if (!v) return false;
    const std::string padded = " " + *v + " ";
    if (padded.find(" " + cls + " ") == std::string::npos) return false;
  }
  for (const auto& a : c.attributes) {
    const std::string* v = doc.attr(id, a.name);
    if (!v || (a.value && *v != *a.value)) return false;
  }
  if (k == 0) return true;
  if (c.combinator == SelectorCompound::Combinator::kChild)
    return n.parent != html::kNoNode && reference_matches(doc, n.parent, chain, k - 1);
  for (html::NodeId p = n.parent; p != html::kNoNode; p = doc.node(p).parent)
    if (reference_matches(doc, p, chain, k - 1)) return true;
  return false;
}

html::NodeId reference_first(const html::Document& doc, const Selector& s) {
  for (std::size_t i = 0; i < doc.nodes().size(); ++i)
    for (const auto& chain : s.alternatives)
      if (reference_matches(doc, static_cast<html::NodeId>(i), chain, chain.size() - 1))
        return static_cast<html::NodeId>(i);
  return html::kNoNode;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Selectors: what is accepted, what is refused and why.

TEST_CASE("selectors: the supported subset parses into compounds and combinators") {
  const Selector s = selector("DIV.a.b#main[data-x] > span[itemprop=price]  .v, *[content='1 2']");
  REQUIRE(s.alternatives.size() == 2);
  const auto& chain = s.alternatives[0];
  REQUIRE(chain.size() == 3);
  CHECK(chain[0].tag == "div");
  CHECK(chain[0].classes == std::vector<std::string>{"a", "b"});
  CHECK(chain[0].id == "main");
  REQUIRE(chain[0].attributes.size() == 1);
  CHECK(chain[0].attributes[0].name == "data-x");
  CHECK_FALSE(chain[0].attributes[0].value.has_value());
  CHECK(chain[1].combinator == SelectorCompound::Combinator::kChild);
  CHECK(chain[1].tag == "span");
  CHECK(chain[1].attributes[0].value == std::optional<std::string>("price"));
  CHECK(chain[2].combinator == SelectorCompound::Combinator::kDescendant);
  CHECK(chain[2].tag.empty());
  CHECK(s.alternatives[1][0].attributes[0].value == std::optional<std::string>("1 2"));
}

TEST_CASE("selectors: anything outside the subset is refused with the byte and the reason") {
  struct Case {
    const char* selector;
    const char* says;
  };
  const Case cases[] = {
      {"a:hover", "at byte 1: pseudo-classes"},
      {"li:nth-child(2)", "pseudo-classes"},
      {"p::before", "pseudo-classes"},
      {"a + b", "the '+' combinator is not supported"},
      {"a ~ b", "the '~' combinator is not supported"},
      {"a+b", "the '+' combinator"},
      {"[href^=http]", "the attribute operator '^=' is not supported"},
      {"[class~=x]", "'~='"},
      {"[lang|=en]", "'|='"},
      {"[a*=b]", "'*='"},
      {"a\\:b", "escapes"},
      {"[a='x\\'y']", "escapes"},
      {"", "the selector is empty"},
      {"   ", "the selector is empty"},
      {"a,", "a ',' needs a selector after it"},
      {"a >", "a combinator needs a selector after it"},
      {"> a", "unexpected '>'"},
      {"a,,b", "unexpected ','"},
      {"ns|a", "namespaces"},
      {"#a#b", "two ids"},
      {".", "a name must follow '.'"},
      {"#", "a name must follow '#'"},
      {"[", "an unclosed '['"},
      {"[a", "an unclosed '['"},
      {"[a=", "an unclosed '['"},
      {"[a='x", "an unclosed quote"},
      {"[=x]", "an attribute name must follow '['"},
      {"[a=]", "an attribute value"},
      {"[a b]", "unexpected 'b'"},
      {"a\tb\x01", "a control character"},
      {"a!b", "unexpected '!'"},
  };
  for (const Case& c : cases) {
    INFO("selector: " << c.selector);
    const auto e = selector_refused(c.selector);
    CHECK(e.code == "invalid_selector");
    CHECK(e.message.find(c.says) != std::string::npos);
  }
}

TEST_CASE("selectors: the length and compound limits are enforced") {
  std::string sixteen = "a";
  for (int i = 1; i < 16; ++i) sixteen += " a";
  CHECK(parse_selector(sixteen));
  CHECK(selector_refused(sixteen + " a").message.find("more than 16 compound selectors") != std::string::npos);
  // Alternatives count together.
  CHECK(selector_refused("a b c d e f g h, a b c d e f g h, i").message.find("more than 16") != std::string::npos);
  const std::string long_one = "." + std::string(256, 'x');
  CHECK(selector_refused(long_one).message.find("longer than 256 bytes") != std::string::npos);
  CHECK(parse_selector("." + std::string(255, 'x')));
}

// ---------------------------------------------------------------------------------------
// Matching.

TEST_CASE("matching: type, class words, id and attributes") {
  const std::string page =
      R"(<div id="d1" class="price-box old"><span id="s1" class="price">1</span></div>)"
      R"(<div id="d2" class="price"><span id="s2" itemprop="price" content="9.99" data-X="Y">2</span></div>)"
      R"(<p id="p1" lang="">x</p>)";
  CHECK(first_id(page, "span") == "s1");
  CHECK(first_id(page, "SPAN") == "s1");  // tag names ignore case
  CHECK(first_id(page, ".price") == "s1");
  CHECK(first_id(page, "div.price") == "d2");  // "price-box" is not the class "price"
  CHECK(first_id(page, ".price-box.old") == "d1");
  CHECK(first_id(page, ".old.price") == "");
  CHECK(first_id(page, "#s2") == "s2");
  CHECK(first_id(page, "#S2") == "");  // ids are case-sensitive
  CHECK(first_id(page, "[itemprop]") == "s2");
  CHECK(first_id(page, "[itemprop=price]") == "s2");
  CHECK(first_id(page, "[itemprop=Price]") == "");  // values are exact
  CHECK(first_id(page, "[content=\"9.99\"]") == "s2");
  CHECK(first_id(page, "[DATA-x=Y]") == "s2");  // attribute names ignore case
  CHECK(first_id(page, "[lang]") == "p1");        // present though empty
  CHECK(first_id(page, "[lang='']") == "p1");
  CHECK(first_id(page, "*[itemprop]") == "s2");
  CHECK(first_id(page, "table") == "");
}

TEST_CASE("matching: descendant and child combinators") {
  const std::string page =
      R"(<section id="a"><div id="b"><p id="c"><span id="d">x</span></p></div></section>)"
      R"(<section id="e"><p id="f"><span id="g">y</span></p></section>)";
  CHECK(first_id(page, "section span") == "d");
  CHECK(first_id(page, "section > span") == "");
  CHECK(first_id(page, "section > p > span") == "g");
  CHECK(first_id(page, "section > p span") == "g");
  CHECK(first_id(page, "section p > span") == "d");
  CHECK(first_id(page, "div span") == "d");
  CHECK(first_id(page, "#e span") == "g");
  CHECK(first_id(page, "section section") == "");
  CHECK(first_id(page, "section>div>p>span") == "d");
}

TEST_CASE("matching: the first match in document order, across ',' alternatives") {
  const std::string page = R"(<p id="one" class="b">1</p><p id="two" class="a">2</p>)";
  CHECK(first_id(page, ".a, .b") == "one");
  CHECK(first_id(page, ".a, .c") == "two");
  // A parent comes before its children.
  CHECK(first_id(R"(<div id="outer" class="x"><div id="inner" class="x"></div></div>)", ".x") == "outer");
}

TEST_CASE("matching: agrees with a backtracking matcher on random pages and selectors") {
  std::mt19937 rng(20240611);
  const char* tags[] = {"div", "p", "span", "a"};
  const char* classes[] = {"x", "y", "x y", ""};
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  for (int round = 0; round < 300; ++round) {
    // A random tree of up to 40 elements.
    std::string page;
    std::vector<const char*> open;
    for (int i = 0; i < 40; ++i) {
      if (!open.empty() && pick(3) == 0) {
        page += std::string("</") + open.back() + ">";
        open.pop_back();
        continue;
      }
      const char* t = tags[pick(4)];
      page += std::string("<") + t + " class=\"" + classes[pick(4)] + "\"" + (pick(2) ? " data-k=\"v\"" : "") + ">";
      open.push_back(t);
    }
    while (!open.empty()) {
      page += std::string("</") + open.back() + ">";
      open.pop_back();
    }
    std::string sel;
    const int parts = 1 + pick(4);
    for (int k = 0; k < parts; ++k) {
      if (k > 0) sel += pick(2) ? " > " : " ";
      sel += pick(3) ? tags[pick(4)] : "*";
      if (pick(2)) sel += pick(2) ? ".x" : ".y";
      if (pick(4) == 0) sel += "[data-k=v]";
    }
    if (pick(4) == 0) sel += ", p.y";
    INFO("page: " << page << "\nselector: " << sel);
    const html::Document doc = html::Document::parse(page);
    const Selector s = selector(sel);
    CHECK(select_first(doc, s) == reference_first(doc, s));
  }
}

TEST_CASE("matching: hostile pages stay linear (deep nesting, many elements, the longest selector)") {
  // 500 nested divs and 16 descendant compounds: backtracking would try C(500, 15) paths.
  std::string deep;
  for (int i = 0; i < 500; ++i) deep += "<div>";
  deep += "<p id=\"deep\"></p>";
  std::string sel;
  for (int i = 0; i < 15; ++i) sel += "div ";
  const html::Document deep_doc = html::Document::parse(deep);
  const auto start = std::chrono::steady_clock::now();
  CHECK(select_first(deep_doc, selector(sel + "span")) == html::kNoNode);
  CHECK(select_first(deep_doc, selector(sel + "p")) != html::kNoNode);
  // 200,000 siblings, nothing matching.
  std::string wide = "<div>";
  for (int i = 0; i < 200000; ++i) wide += "<b class=\"c\"></b>";
  const html::Document wide_doc = html::Document::parse(wide);
  CHECK(select_first(wide_doc, selector("div b.c > i, div > b.d, b[x=y]")) == html::kNoNode);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 5.0);  // microseconds per element; generous for sanitizer builds
}

// ---------------------------------------------------------------------------------------
// The pack reader.

TEST_CASE("packs: a full pack is read with its defaults") {
  const RulePack p = pack_of(pack_json(
      R"("name":{"selector":"h1"},"price":{"selector":"[itemprop=price]","attribute":"Content","decimal_separator":","},)"
      R"("currency":{"value":"eur"},"availability":{"selector":".stock","map":{"In  Stock":"in_stock","sold out":"OutOfStock"}})",
      R"("locale":"de_DE","description":"test","$schema":"x")"));
  CHECK(p.retailer == "shop.example");
  CHECK(p.version == 2);
  CHECK(p.hosts == std::vector<std::string>{"shop.example", "www.shop.example"});
  CHECK_FALSE(p.prefer_rules);
  CHECK(p.locale == "de-DE");
  REQUIRE(p.field(dealstack::RuleField::kPrice));
  CHECK(p.field(dealstack::RuleField::kPrice)->attribute == "content");
  CHECK(p.field(dealstack::RuleField::kPrice)->decimal_separator == ',');
  CHECK(p.field(dealstack::RuleField::kCurrency)->value == std::optional<std::string>("EUR"));
  const auto& map = p.field(dealstack::RuleField::kAvailability)->map;
  REQUIRE(map.size() == 2);
  CHECK(map[0].first == "in stock");
  CHECK(map[0].second == Availability::InStock);
  CHECK(map[1].second == Availability::OutOfStock);
  CHECK(p.field(dealstack::RuleField::kSku) == nullptr);
  CHECK(pack_of(pack_json(R"("name":{"selector":"h1"})", R"("prefer":"rules")")).prefer_rules);
}

TEST_CASE("packs: hosts are matched ignoring case and a trailing dot") {
  const RulePack p = pack_of(pack_json(R"("name":{"selector":"h1"})"));
  CHECK(rule_pack_covers_host(p, "shop.example"));
  CHECK(rule_pack_covers_host(p, "WWW.SHOP.EXAMPLE."));
  CHECK_FALSE(rule_pack_covers_host(p, "evil-shop.example"));
  CHECK_FALSE(rule_pack_covers_host(p, "m.shop.example"));
  CHECK_FALSE(rule_pack_covers_host(p, ""));
}

TEST_CASE("packs: every rule of the format is enforced, with a message naming the field") {
  struct Case {
    std::string text;
    const char* code;
    const char* says;
  };
  const std::string name = R"("name":{"selector":"h1"})";
  const std::vector<Case> cases = {
      {"{", "invalid_rule_pack", "not JSON"},
      {"[]", "invalid_rule_pack", "must be a JSON object"},
      {R"({"retailer":"a"})", "invalid_rule_pack", "\"format\" is missing"},
      {R"({"format":"1"})", "invalid_rule_pack", "\"format\" must be an integer"},
      {R"({"format":2,"whatever":true})", "unsupported_rule_pack_format", "format 2; this build reads format 1"},
      {R"({"format":-1})", "unsupported_rule_pack_format", "format -1"},
      {R"({"format":1,"version":1,"hosts":["a"],"fields":{"name":{"selector":"h1"}}})", "invalid_rule_pack",
       "\"retailer\" is missing"},
      {R"({"format":1,"retailer":"a","hosts":["a"],"fields":{"name":{"selector":"h1"}}})", "invalid_rule_pack",
       "\"version\" is missing"},
      {R"({"format":1,"retailer":"a","version":1,"fields":{"name":{"selector":"h1"}}})", "invalid_rule_pack",
       "\"hosts\" is missing"},
      {R"({"format":1,"retailer":"a","version":1,"hosts":["a"]})", "invalid_rule_pack", "\"fields\" is missing"},
      {R"({"format":1,"retailer":"shop example","version":1,"hosts":["a"],"fields":{}})", "invalid_rule_pack",
       "\"retailer\" must be"},
      {R"({"format":1,"retailer":"a","version":0,"hosts":["a"],"fields":{}})", "invalid_rule_pack", "\"version\""},
      {R"({"format":1,"retailer":"a","version":1.5,"hosts":["a"],"fields":{}})", "invalid_rule_pack", "\"version\""},
      {R"({"format":1,"retailer":"a","version":1,"hosts":[],"fields":{}})", "invalid_rule_pack", "\"hosts\" must be"},
      {R"({"format":1,"retailer":"a","version":1,"hosts":["a/b"],"fields":{}})", "invalid_rule_pack", "hosts[0]"},
      {R"({"format":1,"retailer":"a","version":1,"hosts":["a"],"fields":{}})", "invalid_rule_pack",
       "\"fields\" must be a non-empty object"},
      {pack_json(name, R"("extra":1)"), "invalid_rule_pack", "unknown key \"extra\""},
      {pack_json(name, R"("prefer":"heuristics")"), "invalid_rule_pack", "\"prefer\" must be"},
      {pack_json(name, R"("locale":"de DE")"), "invalid_rule_pack", "\"locale\""},
      {pack_json(name, R"("description":5)"), "invalid_rule_pack", "\"description\" must be a string"},
      {pack_json(R"("title":{"selector":"h1"})"), "invalid_rule_pack", "unknown field \"title\""},
      {pack_json(R"("name":"h1")"), "invalid_rule_pack", "fields.name must be an object"},
      {pack_json(R"("name":{})"), "invalid_rule_pack", "fields.name needs exactly one of"},
      {pack_json(R"("brand":{"selector":"b","value":"Acme"})"), "invalid_rule_pack", "fields.brand needs exactly one"},
      {pack_json(R"("price":{"value":"12.00"})"), "invalid_rule_pack", "allowed for currency and brand only"},
      {pack_json(R"("currency":{"value":"Euro"})"), "invalid_rule_pack", "fields.currency.value \"Euro\" is not an ISO 4217"},
      {pack_json(R"("currency":{"value":""})"), "invalid_rule_pack", "fields.currency.value must be a string"},
      {pack_json(R"("brand":{"value":"Acme","attribute":"content"})"), "invalid_rule_pack", "needs a selector"},
      {pack_json(R"("image":{"selector":"img","attribute":"src x"})"), "invalid_rule_pack",
       "fields.image.attribute must be an attribute name"},
      {pack_json(R"("name":{"selector":"h1","attribute":7})"), "invalid_rule_pack", "fields.name.attribute"},
      {pack_json(R"("price":{"selector":"p","decimal_separator":";"})"), "invalid_rule_pack",
       "fields.price.decimal_separator must be"},
      {pack_json(R"("name":{"selector":"h1","decimal_separator":","})"), "invalid_rule_pack",
       "fields.name: unknown key \"decimal_separator\""},
      {pack_json(R"("sku":{"selector":"p","map":{"a":"InStock"}})"), "invalid_rule_pack", "fields.sku: unknown key \"map\""},
      {pack_json(R"("availability":{"selector":"p","map":{}})"), "invalid_rule_pack", "fields.availability.map must be"},
      {pack_json(R"("availability":{"selector":"p","map":{"yes":"maybe"}})"), "invalid_rule_pack",
       "fields.availability.map.yes must be an availability"},
      {pack_json(R"("availability":{"selector":"p","map":{" ":"InStock"}})"), "invalid_rule_pack", "a phrase must be"},
      {pack_json(R"("name":{"selector":5})"), "invalid_rule_pack", "fields.name.selector must be a string"},
      {pack_json(R"("price":{"selector":"span.price:first-child"})"), "invalid_selector",
       "fields.price.selector \"span.price:first-child\": at byte 10: pseudo-classes"},
      {pack_json(R"("sku":{"selector":"a ~ b"})"), "invalid_selector", "fields.sku.selector \"a ~ b\""},
      {pack_json(R"("name":{"selector":")" + std::string(300, 'h') + R"("})"), "invalid_selector",
       "longer than 256 bytes"},
      {pack_json(name, R"("description":[[[[[[[[[1]]]]]]]]])"), "invalid_rule_pack", "nested deeper than 8 levels"},
  };
  for (const Case& c : cases) {
    INFO("pack: " << c.text);
    const auto e = refused(c.text);
    CHECK(e.code == c.code);
    CHECK(e.message.find(c.says) != std::string::npos);
  }
}

TEST_CASE("packs: size, selector and host limits") {
  std::string big = pack_json(R"("name":{"selector":"h1"})", R"("description":")" + std::string(256 << 10, 'x') + "\"");
  CHECK(refused(big).code == "rule_pack_too_large");
  // 64 selectors are fine, 65 are not (',' alternatives count one each).
  auto with_selectors = [](int n) {
    std::string list;
    for (int i = 0; i < n / 8; ++i) list += std::string(i ? ", " : "") + "a, b, c, d, e, f, g, h";
    return list;
  };
  std::string fields;
  for (const char* f : {"name", "brand", "sku", "mpn", "gtin", "image", "price", "list_price"})
    fields += std::string(fields.empty() ? "" : ",") + "\"" + f + "\":{\"selector\":\"" + with_selectors(8) + "\"}";
  CHECK(parse_rule_pack(pack_json(fields)));
  const auto e = refused(pack_json(fields + R"(,"availability":{"selector":"p"})"));
  CHECK(e.code == "rule_pack_too_large");
  CHECK(e.message.find("fields.availability.selector") != std::string::npos);
  std::string hosts = "[";
  for (int i = 0; i < 33; ++i) hosts += std::string(i ? "," : "") + "\"h" + std::to_string(i) + ".example\"";
  hosts += "]";
  CHECK(refused(R"({"format":1,"retailer":"a","version":1,"hosts":)" + hosts + R"(,"fields":{"name":{"selector":"h1"}}})")
            .code == "rule_pack_too_large");
}

// ---------------------------------------------------------------------------------------
// Extraction with a pack: what wins, what fills gaps.

namespace {

const char* kJsonLdPage = R"(<html lang="en-US"><head><script type="application/ld+json">
{"@type":"Product","name":"Kettle One","offers":{"@type":"Offer","price":"19.99","priceCurrency":"USD",
 "availability":"https://schema.org/InStock"}}</script>
<meta property="og:image" content="/og.png"></head><body>
<h1>Kettle One</h1><div class="pp"><span class="now">$24.50</span></div><p class="code">K-77</p>
<p class="stock">Backorder: ships in 3 weeks</p><img class="hero" src="/hero.png"></body></html>)";

}  // namespace

TEST_CASE("precedence: structured data stays preferred; the pack fills gaps and beats meta tags") {
  const RulePack pack = pack_of(pack_json(
      R"("price":{"selector":".pp .now"},"sku":{"selector":"p.code"},"image":{"selector":"img.hero","attribute":"src"},)"
      R"("availability":{"selector":".stock","map":{"backorder":"BackOrder"}})"));
  const Product p = extract(kJsonLdPage, &pack);
  CHECK(amount(p.price) == "19.99");  // JSON-LD's
  CHECK(source(p, "price") == "json-ld");
  CHECK(p.availability == Availability::InStock);
  CHECK(source(p, "availability") == "json-ld");
  CHECK(p.sku == "K-77");  // a gap JSON-LD left
  CHECK(source(p, "sku") == "rules");
  CHECK(p.sources.at("sku").confidence == 90);
  CHECK(p.image == "https://shop.example/hero.png");  // beats og:image
  CHECK(source(p, "image") == "rules");

  const Product without = extract(kJsonLdPage, nullptr);
  CHECK(without.sku.empty());
  CHECK(without.image == "https://shop.example/og.png");
}

TEST_CASE("precedence: \"prefer\": \"rules\" beats structured data too") {
  const RulePack pack = pack_of(pack_json(
      R"("price":{"selector":".pp .now"},"availability":{"selector":".stock","map":{"backorder":"BackOrder"}},)"
      R"("name":{"selector":"p.code"})",
      R"("prefer":"rules")"));
  const Product p = extract(kJsonLdPage, &pack);
  CHECK(amount(p.price) == "24.50");
  CHECK(p.price->currency == "USD");  // "$" on an en-US page
  CHECK(source(p, "price") == "rules");
  CHECK(p.availability == Availability::BackOrder);
  CHECK(source(p, "availability") == "rules");
  CHECK(p.name == "K-77");
  CHECK(source(p, "name") == "rules");
}

TEST_CASE("precedence: a rule that matches nothing leaves the field to the other sources") {
  const RulePack pack = pack_of(pack_json(R"("price":{"selector":".missing"},"sku":{"selector":"#nope"})", R"("prefer":"rules")"));
  const Product p = extract(kJsonLdPage, &pack);
  CHECK(amount(p.price) == "19.99");
  CHECK(source(p, "price") == "json-ld");
  CHECK(p.sku.empty());
  for (const auto& [field, src] : p.sources) CHECK(src.source != "rules");
}

TEST_CASE("a pack fixes a page whose heuristics take the wrong price (fixture rules/financing-price)") {
  const std::string page = dealstack::test::read_fixture("rules/financing-price.html");
  const RulePack pack = pack_of(dealstack::test::read_fixture("rules/financing-price.pack.json"));
  const std::string url = "https://www.brewhaus.example/p/barista-pro";
  CHECK(rule_pack_covers_host(pack, "www.brewhaus.example"));

  const Product wrong = extract(page, nullptr, url);
  CHECK(wrong.price.has_value());
  CHECK(amount(wrong.price) != "649.00");  // the trap: the heuristics pick another amount
  CHECK(source(wrong, "price") == "heuristic");

  const Product p = extract(page, &pack, url);
  CHECK(p.name == "Barista Pro Espresso Machine");
  CHECK(amount(p.price) == "649.00");
  CHECK(p.price->currency == "USD");
  CHECK(p.price->currency_text == "$");
  CHECK(amount(p.list_price) == "799.00");
  CHECK(p.list_price->currency == "USD");
  CHECK(p.availability == Availability::LimitedAvailability);
  CHECK(p.sku == "BH-7731");
  CHECK(p.image == "https://www.brewhaus.example/img/barista-pro.jpg");
  CHECK(p.url == "https://brewhaus.example/p/barista-pro");
  for (const char* f : {"name", "price", "list_price", "availability", "sku", "image"}) {
    INFO("field " << f);
    CHECK(source(p, f) == "rules");
  }
  CHECK(source(p, "url") == "meta");
}

TEST_CASE("rules: prices go through the price parser with the pack's currency and separator") {
  const std::string page = R"(<h1>Lamp</h1><p id="a">12,50</p><p id="b">£5.00</p><p id="c">1.234</p>)"
                           R"(<p id="d">0,00 €</p><p id="e">Price on request</p><meta id="f" content="1299.00">)";
  auto price_with = [&](const std::string& field_rules, const std::string& extra = R"("prefer":"rules")") {
    const RulePack pack = pack_of(pack_json(field_rules, extra));
    const html::Document doc = html::Document::parse(page);
    return dealstack::read_with_rules(doc, pack, "https://shop.example/", "en-US").price;
  };
  auto a = price_with(R"("price":{"selector":"#a"},"currency":{"value":"EUR"})");
  REQUIRE(a);
  CHECK(a->amount.to_string() == "12.50");
  CHECK(a->currency == "EUR");
  CHECK(a->currency_text == "EUR");
  // What the page shows wins over the pack's currency.
  auto b = price_with(R"("price":{"selector":"#b"},"currency":{"value":"EUR"})");
  REQUIRE(b);
  CHECK(b->currency == "GBP");
  CHECK(price_with(R"("price":{"selector":"#c","decimal_separator":","})")->amount.to_string() == "1234");
  CHECK(price_with(R"("price":{"selector":"#c","decimal_separator":"."})")->amount.to_string() == "1.234");
  CHECK(price_with(R"("price":{"selector":"#c"})", R"("locale":"de-DE")")->amount.to_string() == "1234");
  CHECK_FALSE(price_with(R"("price":{"selector":"#d"})"));  // zero: a placeholder
  CHECK_FALSE(price_with(R"("price":{"selector":"#e"})"));
  CHECK(price_with(R"("price":{"selector":"meta#f","attribute":"content"})")->amount.to_string() == "1299.00");
  // A currency read from the page: a symbol is mapped to its code.
  const std::string page2 = R"(<span class="cur">€</span><span class="p">7,00</span>)";
  const RulePack pack = pack_of(pack_json(R"("price":{"selector":".p"},"currency":{"selector":".cur"})"));
  const auto r = dealstack::read_with_rules(html::Document::parse(page2), pack, "", "");
  REQUIRE(r.price);
  CHECK(r.price->currency == "EUR");
}

TEST_CASE("rules: availability by phrase in the pack's order, or a schema.org value") {
  const std::string page = R"(<p class="s">Only 2 left in stock!</p><link class="av" href="https://schema.org/PreOrder">)";
  auto availability_with = [&](const std::string& rule) {
    const RulePack pack = pack_of(pack_json(R"("availability":)" + rule));
    return dealstack::read_with_rules(html::Document::parse(page), pack, "", "").availability;
  };
  CHECK(availability_with(R"({"selector":".s","map":{"ONLY":"LimitedAvailability","in stock":"InStock"}})") ==
        Availability::LimitedAvailability);
  CHECK(availability_with(R"({"selector":".s","map":{"in stock":"InStock","only":"LimitedAvailability"}})") ==
        Availability::InStock);
  CHECK(availability_with(R"({"selector":".s","map":{"sold out":"OutOfStock"}})") == Availability::Unknown);
  CHECK(availability_with(R"({"selector":"link.av","attribute":"href"})") == Availability::PreOrder);
  CHECK(availability_with(R"({"selector":".s"})") == Availability::Unknown);
}

TEST_CASE("rules: gtin is validated, text is cleaned, constants are used as given") {
  const std::string page = R"(<p class="g">EAN: 4006381333931</p><p class="bad">4006381333932</p>)"
                           R"(<h2 class="n">  Big
                              Lamp &amp; Shade </h2>)";
  const RulePack good = pack_of(pack_json(R"("gtin":{"selector":".g"},"name":{"selector":".n"},"brand":{"value":"Lumi"})"));
  const auto r = dealstack::read_with_rules(html::Document::parse(page), good, "", "");
  CHECK(r.gtin == "4006381333931");
  CHECK(r.name == "Big Lamp & Shade");
  CHECK(r.brand == "Lumi");
  const RulePack bad = pack_of(pack_json(R"("gtin":{"selector":".bad"})"));
  CHECK(dealstack::read_with_rules(html::Document::parse(page), bad, "", "").gtin.empty());
}

TEST_CASE("rules: a pack's price makes a page without other product signals a product page") {
  const std::string page = R"(<html><body><div class="t">Desk Lamp</div><div class="cost">EUR 30.00</div></body></html>)";
  ExtractOptions options;
  options.url = "https://shop.example/x";
  CHECK(extract_product(page, options).error().code == "no_product");
  const RulePack pack = pack_of(pack_json(R"("name":{"selector":".t"},"price":{"selector":".cost"})"));
  options.rules = &pack;
  auto p = extract_product(page, options);
  REQUIRE(p);
  CHECK(p->name == "Desk Lamp");
  CHECK(amount(p->price) == "30.00");
  // A name alone is not enough: a category page has a heading too.
  const RulePack name_only = pack_of(pack_json(R"("name":{"selector":".t"})"));
  options.rules = &name_only;
  CHECK(extract_product(page, options).error().code == "no_product");
}

TEST_CASE("rules: a list price that isn't above the price is dropped") {
  const std::string page = R"(<h1>Chair</h1><p class="p">$50.00</p><p class="w">$40.00</p><button>Add to cart</button>)";
  const RulePack pack = pack_of(pack_json(R"("price":{"selector":".p"},"list_price":{"selector":".w"})"));
  const Product p = extract(page, &pack);
  CHECK(amount(p.price) == "50.00");
  CHECK_FALSE(p.list_price);
  CHECK(p.sources.count("list_price") == 0);
}
