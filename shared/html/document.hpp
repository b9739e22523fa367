// A compact, read-only copy of an HTML page's element tree, made with gumbo and detached
// from it: gumbo's tree is freed as soon as the copy is made (gumbo's CONTRIBUTING advice).
// Only what extraction needs is kept: elements with their attributes, text, the contents of
// JSON-LD scripts and of Shopify's product-data script; comments, styles and other scripts
// are dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dealstack::html {

using NodeId = std::int32_t;
inline constexpr NodeId kNoNode = -1;

struct Attribute {
  std::string name;  // lower case
  std::string value;
};

struct Node {
  enum class Kind : std::uint8_t { Element, Text };
  Kind kind = Kind::Element;
  std::uint16_t depth = 0;  // 0 for <html>
  std::string tag;          // lower-case tag name ("div"); empty for text
  std::string text;         // text nodes only (raw, not collapsed)
  NodeId parent = kNoNode;
  NodeId first_child = kNoNode;
  NodeId next_sibling = kNoNode;
  std::uint32_t attr_begin = 0;  // index into Document::attributes()
  std::uint32_t attr_count = 0;
};

struct ParseLimits {
  // Elements nested deeper than this are dropped with their subtrees (the page's product
  // data is never that deep; hostile pages are).
  std::size_t max_depth = 512;
};

// Phrasing elements that don't separate words when their text is joined ("<b>12</b>,99").
bool is_inline_tag(std::string_view tag);

class Document {
 public:
  // Parses UTF-8 HTML. Never fails: any byte sequence gives some (possibly empty) tree.
  static Document parse(std::string_view utf8, const ParseLimits& limits = {});

  const std::vector<Node>& nodes() const { return nodes_; }
  const Node& node(NodeId id) const { return nodes_[static_cast<std::size_t>(id)]; }
  NodeId root() const { return nodes_.empty() ? kNoNode : 0; }

  // The attribute's value, or nullptr when the element has no such attribute.
  const std::string* attr(NodeId id, std::string_view name) const;
  std::vector<Attribute>::const_iterator attrs_begin(NodeId id) const;
  std::vector<Attribute>::const_iterator attrs_end(NodeId id) const;

  // Concatenated text below `id` (document order), white space collapsed, at most
  // `max_bytes` bytes (cut at a character boundary).
  std::string text_content(NodeId id, std::size_t max_bytes = 4096) const;

  // True when `ancestor` is `id` or one of its ancestors.
  bool contains(NodeId ancestor, NodeId id) const;

  // Nodes deeper than the limit were dropped.
  bool depth_limited() const { return depth_limited_; }

  // <html lang="..."> (empty when absent).
  const std::string& lang() const { return lang_; }

 private:
  std::vector<Node> nodes_;
  std::vector<Attribute> attributes_;
  std::string lang_;
  bool depth_limited_ = false;
};

}  // namespace dealstack::html
