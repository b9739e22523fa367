#include "extract/meta_tags.hpp"

#include <doctest/doctest.h>

using dealstack::read_meta_tags;
using dealstack::html::Document;

TEST_CASE("meta tags by property, name and itemprop, keys lower-cased, first value kept") {
  const Document doc = Document::parse(R"html(<html><head>
<meta property="og:Title" content=" Desk  Lamp ">
<meta name="twitter:title" content="Lamp (Twitter)">
<meta property="og:title" content="second og:title">
<meta itemprop="price" content="59.00">
<meta property="product:price:amount" content="59.00">
<meta name="description">
<meta property="og:description" content="Salt &amp; light">
</head></html>)html");
  const auto m = read_meta_tags(doc, "https://lights.example/p/1");
  CHECK(m.values.at("og:title") == "Desk Lamp");
  CHECK(m.values.at("twitter:title") == "Lamp (Twitter)");
  CHECK(m.values.at("price") == "59.00");
  CHECK(m.values.at("product:price:amount") == "59.00");
  CHECK(m.values.at("og:description") == "Salt & light");
  CHECK(m.values.count("description") == 0);  // no content attribute
  CHECK(m.first({"og:missing", "twitter:title"}) == "Lamp (Twitter)");
  CHECK(m.first({"og:title", "twitter:title"}) == "Desk Lamp");
  CHECK(m.first({"nothing"}).empty());
}

TEST_CASE("canonical link resolved against the page, first one wins; title text") {
  const Document doc = Document::parse(R"(<html><head>
<title> Desk Lamp
  | Lights </title>
<link rel="stylesheet" href="/a.css">
<link rel="Canonical" href="/p/desk-lamp">
<link rel="canonical" href="/p/other">
</head><body><svg><title>icon</title></svg></body></html>)");
  const auto m = read_meta_tags(doc, "https://lights.example/p/desk-lamp?utm=1");
  CHECK(m.canonical == "https://lights.example/p/desk-lamp");
  CHECK(m.title == "Desk Lamp | Lights");
}

TEST_CASE("no meta tags at all") {
  const auto m = read_meta_tags(Document::parse("<p>hello</p>"), "");
  CHECK(m.values.empty());
  CHECK(m.canonical.empty());
  CHECK(m.title.empty());
}
