#include "html/document.hpp"

#include <doctest/doctest.h>

#include <string>

using dealstack::html::Document;
using dealstack::html::kNoNode;
using dealstack::html::Node;
using dealstack::html::NodeId;
using dealstack::html::ParseLimits;

namespace {

// The first element with this tag, or kNoNode.
NodeId find(const Document& doc, std::string_view tag) {
  for (std::size_t i = 0; i < doc.nodes().size(); ++i)
    if (doc.nodes()[i].kind == Node::Kind::Element && doc.nodes()[i].tag == tag) return static_cast<NodeId>(i);
  return kNoNode;
}

int count(const Document& doc, std::string_view tag) {
  int n = 0;
  for (const Node& node : doc.nodes()) n += node.kind == Node::Kind::Element && node.tag == tag;
  return n;
}

// All text of the document, concatenated raw.
std::string all_text(const Document& doc) {
  std::string s;
  for (const Node& n : doc.nodes())
    if (n.kind == Node::Kind::Text) s += n.text;
  return s;
}

}  // namespace

TEST_CASE("document: elements, attributes and the tree links") {
  const Document doc = Document::parse(R"(<html lang="de-DE"><body><DIV ID="main" Data-X="1"><p>a</p><p>b</p></DIV></body></html>)");
  REQUIRE(doc.root() == 0);
  CHECK(doc.node(doc.root()).tag == "html");
  CHECK(doc.node(doc.root()).depth == 0);
  CHECK(doc.lang() == "de-DE");
  const NodeId div = find(doc, "div");
  REQUIRE(div != kNoNode);
  REQUIRE(doc.attr(div, "id"));
  CHECK(*doc.attr(div, "id") == "main");  // names lower-cased, values kept
  CHECK(*doc.attr(div, "data-x") == "1");
  CHECK(doc.attr(div, "class") == nullptr);
  CHECK(doc.attrs_end(div) - doc.attrs_begin(div) == 2);
  const NodeId p1 = doc.node(div).first_child;
  REQUIRE(p1 != kNoNode);
  const NodeId p2 = doc.node(p1).next_sibling;
  REQUIRE(p2 != kNoNode);
  CHECK(doc.node(p1).tag == "p");
  CHECK(doc.node(p2).tag == "p");
  CHECK(doc.node(p2).next_sibling == kNoNode);
  CHECK(doc.node(p1).parent == div);
  CHECK(doc.node(p1).depth == doc.node(div).depth + 1);
  CHECK(doc.contains(div, p2));
  CHECK(doc.contains(div, div));
  CHECK_FALSE(doc.contains(p1, p2));
  CHECK(doc.text_content(div) == "a b");
}

TEST_CASE("document: nodes are stored in pre-order (a subtree is a contiguous id range)") {
  const Document doc = Document::parse("<div><p><b>x</b>y</p><p>z</p></div><span>w</span>");
  const auto& nodes = doc.nodes();
  for (std::size_t i = 1; i < nodes.size(); ++i) {
    REQUIRE(nodes[i].parent != kNoNode);
    CHECK(static_cast<std::size_t>(nodes[i].parent) < i);
  }
  CHECK(all_text(doc) == "xyzw");
}

TEST_CASE("document: comments, scripts, styles and other invisible subtrees are dropped") {
  const Document doc = Document::parse(R"(<html><head>
<style>.a { color: red }</style>
<script>var price = "$1.00";</script>
<script type="text/javascript">alert(1)</script>
<!-- a comment with <b>markup</b> -->
</head><body>
<noscript>enable JS</noscript><template><p>tpl</p></template>
<svg><text>svg text</text></svg><iframe src="x">frame</iframe>
<p>visible</p></body></html>)");
  CHECK(count(doc, "script") == 0);
  CHECK(count(doc, "style") == 0);
  CHECK(count(doc, "noscript") == 0);
  CHECK(count(doc, "template") == 0);
  CHECK(count(doc, "svg") == 0);
  CHECK(count(doc, "iframe") == 0);
  const std::string text = all_text(doc);
  CHECK(text.find("visible") != std::string::npos);
  for (const char* hidden : {"color", "price", "alert", "comment", "markup", "enable", "tpl", "svg text", "frame"}) {
    INFO(hidden);
    CHECK(text.find(hidden) == std::string::npos);
  }
}

TEST_CASE("document: JSON-LD scripts are kept with their text, whatever the type's case") {
  const Document doc = Document::parse(
      R"(<script type="application/ld+json">{"@type":"Product"}</script>)"
      R"(<script type=" Application/LD+JSON; charset=utf-8 ">{"a":1}</script>)"
      R"(<script type="application/json">{"b":2}</script>)");
  CHECK(count(doc, "script") == 2);
  const NodeId s = find(doc, "script");
  REQUIRE(s != kNoNode);
  const NodeId t = doc.node(s).first_child;
  REQUIRE(t != kNoNode);
  CHECK(doc.node(t).kind == Node::Kind::Text);
  CHECK(doc.node(t).text == R"({"@type":"Product"})");
  CHECK(all_text(doc).find("\"b\"") == std::string::npos);
}

TEST_CASE("document: text_content collapses white space and separates blocks") {
  const Document doc =
      Document::parse("<div id=d>  Steel\n\t<b>Kettle</b><i>s</i>\xC2\xA0 1.7&nbsp;L<p>Price</p><div>$5</div></div>");
  const NodeId d = find(doc, "div");
  // Inline elements join words, blocks separate them, all runs of white space become one.
  CHECK(doc.text_content(d) == "Steel Kettles 1.7 L Price $5");
}

TEST_CASE("document: text_content is cut at max_bytes on a character boundary") {
  const Document doc = Document::parse("<p>\xC3\xA9\xC3\xA9\xC3\xA9</p>");  // "ééé", 6 bytes
  const NodeId p = find(doc, "p");
  CHECK(doc.text_content(p, 6) == "\xC3\xA9\xC3\xA9\xC3\xA9");
  CHECK(doc.text_content(p, 5) == "\xC3\xA9\xC3\xA9");
  CHECK(doc.text_content(p, 4) == "\xC3\xA9\xC3\xA9");
  CHECK(doc.text_content(p, 1) == "");
  CHECK(doc.text_content(p, 0) == "");
}

TEST_CASE("document: the depth cap drops deeper elements and says so") {
  std::string html = "<html><body>";
  for (int i = 0; i < 20; ++i) html += "<div>";
  html += "<span>deep</span>";
  for (int i = 0; i < 20; ++i) html += "</div>";
  html += "<p>shallow</p></body></html>";
  ParseLimits limits;
  limits.max_depth = 10;
  const Document doc = Document::parse(html, limits);
  CHECK(doc.depth_limited());
  for (const Node& n : doc.nodes())
    if (n.kind == Node::Kind::Element) CHECK(n.depth <= 10);
  CHECK(count(doc, "span") == 0);
  CHECK(all_text(doc).find("deep") == std::string::npos);
  CHECK(all_text(doc).find("shallow") != std::string::npos);

  const Document full = Document::parse(html);
  CHECK_FALSE(full.depth_limited());
  CHECK(count(full, "span") == 1);
}

TEST_CASE("document: an element exactly at the depth cap is kept") {
  // html=0, body=1, div=2, span=3.
  ParseLimits limits;
  limits.max_depth = 3;
  const Document doc = Document::parse("<div><span>x</span></div>", limits);
  CHECK_FALSE(doc.depth_limited());
  CHECK(count(doc, "span") == 1);
  CHECK(all_text(doc) == "x");
  limits.max_depth = 2;
  const Document cut = Document::parse("<div><span>x</span></div>", limits);
  CHECK(cut.depth_limited());
  CHECK(count(cut, "span") == 0);
}

TEST_CASE("document: deep nesting is walked without recursion") {
  std::string html;
  for (int i = 0; i < 5000; ++i) html += "<div>";
  html += "bottom";
  ParseLimits limits;
  limits.max_depth = 100000;
  const Document doc = Document::parse(html, limits);
  CHECK_FALSE(doc.depth_limited());
  CHECK(count(doc, "div") == 5000);
  CHECK(doc.text_content(doc.root()) == "bottom");
}

TEST_CASE("document: any bytes give a tree, never a failure") {
  CHECK(Document::parse("").nodes().size() >= 1);  // gumbo always builds html/head/body
  CHECK(Document::parse(std::string("\0\0\0", 3)).nodes().size() >= 1);
  CHECK(Document::parse("\xFF\xFE<p>\xC3</p>").nodes().size() >= 1);
  CHECK(Document::parse("<<<>>><!--").nodes().size() >= 1);
}

TEST_CASE("document: nesting deeper than Node::depth can count, with a caller's huge max_depth") {
  // 70,000 levels of <span> (gumbo parses closed spans in linear time, unlike divs). Depth
  // is stored in 16 bits: the cap must stay below that, whatever the caller asks for.
  constexpr int kLevels = 70000;
  std::string html = "<p id=first>";
  for (int i = 0; i < kLevels; ++i) html += "<span>";
  html += "deep";
  for (int i = 0; i < kLevels; ++i) html += "</span>";
  html += "</p><p id=after>after</p>";
  ParseLimits limits;
  limits.max_depth = 1000000;
  const Document doc = Document::parse(html, limits);
  CHECK(doc.depth_limited());
  // Every node's depth is one more than its parent's: no wrap-around.
  bool depths_ok = true;
  for (std::size_t i = 1; i < doc.nodes().size(); ++i) {
    const Node& n = doc.nodes()[i];
    depths_ok = depths_ok && n.depth == doc.node(n.parent).depth + 1;
  }
  CHECK(depths_ok);
  const NodeId first = find(doc, "p");
  REQUIRE(first != kNoNode);
  CHECK(doc.text_content(first).empty());  // "deep" was below the cap
  NodeId after = kNoNode;
  for (std::size_t i = 0; i < doc.nodes().size(); ++i)
    if (doc.nodes()[i].tag == "p") after = static_cast<NodeId>(i);
  REQUIRE(after != first);
  CHECK(doc.text_content(after) == "after");
}

TEST_CASE("document: text_content walks a bounded number of nodes, not whole huge subtrees") {
  // Callers ask for the text of every ancestor of a region: a subtree of many empty
  // elements must not be walked in full each time (quadratic on hostile pages).
  std::string html = "<div id=d><span>";
  for (int i = 0; i < 20000; ++i) html += "<b></b>";
  html += "late</span></div>";
  const Document doc = Document::parse(html);
  const NodeId d = find(doc, "div");
  CHECK(doc.text_content(d, 16).empty());  // "late" lies beyond 16 * 8 + 1024 nodes
  CHECK(doc.text_content(d, 4096) == "late");  // within 4096 * 8 + 1024 nodes
}
