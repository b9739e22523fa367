#include "html/document.hpp"

#include <gumbo.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <utility>

#include "html/nesting_guard.hpp"
#include "text/utf8.hpp"

namespace dealstack::html {
namespace {

// gumbo allocates many small blocks and frees its tree recursively (gumbo 0.10.1's
// destroy_node recurses per level, which overflows the stack on deeply nested pages).
// A pool that hands out small blocks from big chunks and releases everything at once makes
// parsing faster and lets us skip gumbo_destroy_output entirely.
class Pool {
 public:
  ~Pool() {
    for (void* c : chunks_) std::free(c);
    for (Large* l = large_; l;) {
      Large* n = l->next;
      std::free(l);
      l = n;
    }
  }

  static void* allocate(void* self, std::size_t n) { return static_cast<Pool*>(self)->alloc(n); }
  static void deallocate(void* self, void* p) { static_cast<Pool*>(self)->release(p); }

 private:
  // Every block starts with a 16-byte header holding its size class (or kLarge), keeping
  // the payload 16-byte aligned.
  static constexpr std::size_t kHeader = 16;
  static constexpr std::size_t kGranule = 16;
  static constexpr std::size_t kMaxSmall = 1024;
  static constexpr std::size_t kClasses = kMaxSmall / kGranule;
  static constexpr std::size_t kChunk = 256 * 1024;
  static constexpr std::uint32_t kLarge = 0xFFFFFFFF;

  struct Large {
    Large* prev;
    Large* next;
    // header follows at offset sizeof(Large) rounded to 16
  };
  static constexpr std::size_t kLargeHeader = 32;  // Large + header, 16-aligned

  void* alloc(std::size_t n) {
    if (n == 0) n = 1;
    if (n > kMaxSmall) {
      auto* l = static_cast<Large*>(std::malloc(kLargeHeader + kHeader + n));
      if (!l) std::abort();
      l->prev = nullptr;
      l->next = large_;
      if (large_) large_->prev = l;
      large_ = l;
      char* header = reinterpret_cast<char*>(l) + kLargeHeader;
      *reinterpret_cast<std::uint32_t*>(header) = kLarge;
      return header + kHeader;
    }
    const std::size_t cls = (n + kGranule - 1) / kGranule - 1;
    if (free_[cls]) {
      void* p = free_[cls];
      free_[cls] = *static_cast<void**>(p);
      return p;
    }
    const std::size_t need = kHeader + (cls + 1) * kGranule;
    if (cursor_ + need > end_) {
      auto* c = static_cast<char*>(std::malloc(kChunk));
      if (!c) std::abort();
      chunks_.push_back(c);
      cursor_ = c;
      end_ = c + kChunk;
    }
    char* header = cursor_;
    cursor_ += need;
    *reinterpret_cast<std::uint32_t*>(header) = static_cast<std::uint32_t>(cls);
    return header + kHeader;
  }

  void release(void* p) {
    if (!p) return;
    char* header = static_cast<char*>(p) - kHeader;
    const std::uint32_t cls = *reinterpret_cast<std::uint32_t*>(header);
    if (cls == kLarge) {
      auto* l = reinterpret_cast<Large*>(header - kLargeHeader);
      if (l->prev) l->prev->next = l->next; else large_ = l->next;
      if (l->next) l->next->prev = l->prev;
      std::free(l);
      return;
    }
    *static_cast<void**>(p) = free_[cls];
    free_[cls] = p;
  }

  std::vector<char*> chunks_;
  char* cursor_ = nullptr;
  char* end_ = nullptr;
  void* free_[kClasses] = {};
  Large* large_ = nullptr;
};

bool is_json_ld_script(const GumboElement& el) {
  const GumboAttribute* type = gumbo_get_attribute(&el.attributes, "type");
  if (!type) return false;
  std::string_view v = type->value;
  // "application/ld+json", any case, possibly with parameters or spaces.
  std::string lower = utf8::ascii_lower(v);
  return lower.find("application/ld+json") != std::string::npos;
}

// Inline scripts that carry a shop platform's product object (Shopify's
// `ShopifyAnalytics.meta`): kept so the extractor can read SKUs and vendors that some shops
// publish nowhere else.
bool is_shop_data_script(const GumboElement& el) {
  if (el.children.length != 1) return false;
  const auto* child = static_cast<const GumboNode*>(el.children.data[0]);
  if (child->type != GUMBO_NODE_TEXT && child->type != GUMBO_NODE_CDATA) return false;
  const std::string_view text = child->v.text.text;
  return text.size() < (std::size_t{1} << 20) && text.find("ShopifyAnalytics.meta") != std::string_view::npos &&
         text.find("var meta") != std::string_view::npos;
}

// Elements whose text is never visible content.
bool drop_subtree(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_MATH:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
      return true;
    default:
      return false;
  }
}

std::string tag_name(const GumboElement& el) {
  if (el.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(el.tag);
  GumboStringPiece piece = el.original_tag;
  gumbo_tag_from_original_text(&piece);
  return utf8::ascii_lower(std::string_view(piece.data, piece.length));
}

}  // namespace

bool is_inline_tag(std::string_view tag) {
  static constexpr std::string_view kInline[] = {"span", "b",   "strong", "em",  "i",   "sup", "sub",
                                                 "small", "a", "font",   "bdi", "ins", "del", "s"};
  for (auto t : kInline)
    if (t == tag) return true;
  return false;
}

Document Document::parse(std::string_view utf8_text, const ParseLimits& limits) {
  Document doc;
  Pool pool;
  GumboOptions options = kGumboDefaultOptions;
  options.allocator = &Pool::allocate;
  options.deallocator = &Pool::deallocate;
  options.userdata = &pool;
  options.max_errors = 0;  // we never read parse errors; recording them costs time and memory
  // Tags nested far deeper than we keep are removed first: gumbo is quadratic in nesting.
  // The margin covers elements gumbo adds itself (html, head, body, tbody) and the
  // approximate stack's drift on sloppy markup.
  const std::optional<std::string> flattened = limit_nesting(utf8_text, limits.max_depth + 64);
  if (flattened) utf8_text = *flattened;
  // The output is released with the pool, never through gumbo_destroy_output (recursive).
  GumboOutput* output = gumbo_parse_with_options(&options, utf8_text.data(), utf8_text.size());
  if (!output || !output->root) return doc;

  doc.nodes_.reserve(utf8_text.size() / 48 + 16);
  // Node::depth is 16 bits and a text node sits one level below its element: a caller's
  // larger limit is clamped so depths never wrap (text_content relies on them).
  const std::size_t max_depth = std::min<std::size_t>(limits.max_depth, UINT16_MAX - 1);

  // Iterative pre-order walk. Each stack entry: the gumbo node and our parent id. Children
  // are pushed in reverse so they are visited in document order; `last_child` links
  // siblings as they are appended.
  struct Item {
    const GumboNode* node;
    NodeId parent;
    std::uint32_t depth;
  };
  std::vector<Item> stack;
  std::vector<NodeId> last_child;  // per our node: its last appended child
  stack.push_back({output->root, kNoNode, 0});

  auto append = [&](Node&& n, NodeId parent) {
    const auto id = static_cast<NodeId>(doc.nodes_.size());
    n.parent = parent;
    doc.nodes_.push_back(std::move(n));
    last_child.push_back(kNoNode);
    if (parent != kNoNode) {
      NodeId& last = last_child[static_cast<std::size_t>(parent)];
      if (last == kNoNode)
        doc.nodes_[static_cast<std::size_t>(parent)].first_child = id;
      else
        doc.nodes_[static_cast<std::size_t>(last)].next_sibling = id;
      last = id;
    }
    return id;
  };

  while (!stack.empty()) {
    const Item item = stack.back();
    stack.pop_back();
    const GumboNode* g = item.node;
    switch (g->type) {
      case GUMBO_NODE_TEXT:
      case GUMBO_NODE_CDATA:
      case GUMBO_NODE_WHITESPACE: {
        Node n;
        n.kind = Node::Kind::Text;
        n.depth = static_cast<std::uint16_t>(item.depth);
        n.text = g->type == GUMBO_NODE_WHITESPACE ? std::string(" ") : std::string(g->v.text.text);
        append(std::move(n), item.parent);
        break;
      }
      case GUMBO_NODE_ELEMENT: {
        const GumboElement& el = g->v.element;
        if (item.depth > max_depth) {
          doc.depth_limited_ = true;
          break;
        }
        if (drop_subtree(el.tag)) break;
        const bool script = el.tag == GUMBO_TAG_SCRIPT;
        if (script && !is_json_ld_script(el) && !is_shop_data_script(el)) break;
        Node n;
        n.kind = Node::Kind::Element;
        n.depth = static_cast<std::uint16_t>(item.depth);
        n.tag = tag_name(el);
        n.attr_begin = static_cast<std::uint32_t>(doc.attributes_.size());
        n.attr_count = el.attributes.length;
        for (unsigned i = 0; i < el.attributes.length; ++i) {
          const auto* a = static_cast<const GumboAttribute*>(el.attributes.data[i]);
          doc.attributes_.push_back({utf8::ascii_lower(a->name), a->value});
        }
        if (el.tag == GUMBO_TAG_HTML && doc.lang_.empty()) {
          if (const GumboAttribute* lang = gumbo_get_attribute(&el.attributes, "lang")) doc.lang_ = lang->value;
        }
        const NodeId id = append(std::move(n), item.parent);
        for (unsigned i = el.children.length; i-- > 0;)
          stack.push_back({static_cast<const GumboNode*>(el.children.data[i]), id, item.depth + 1});
        break;
      }
      case GUMBO_NODE_DOCUMENT:
      case GUMBO_NODE_COMMENT:
      case GUMBO_NODE_TEMPLATE:
        break;
    }
  }
  return doc;  // `pool` frees gumbo's whole tree here
}

const std::string* Document::attr(NodeId id, std::string_view name) const {
  const Node& n = node(id);
  for (std::uint32_t i = 0; i < n.attr_count; ++i) {
    const Attribute& a = attributes_[n.attr_begin + i];
    if (a.name == name) return &a.value;
  }
  return nullptr;
}

std::vector<Attribute>::const_iterator Document::attrs_begin(NodeId id) const {
  return attributes_.begin() + node(id).attr_begin;
}

std::vector<Attribute>::const_iterator Document::attrs_end(NodeId id) const {
  const Node& n = node(id);
  return attributes_.begin() + n.attr_begin + n.attr_count;
}

std::string Document::text_content(NodeId id, std::size_t max_bytes) const {
  std::string raw;
  // Nodes are stored in pre-order, so a subtree is a contiguous range of ids: walk forward
  // until we leave it. Block-level boundaries become spaces so words don't glue together.
  // The walk is bounded by nodes as well as bytes: callers ask for the text of every
  // ancestor of a region, and a subtree of millions of empty elements would otherwise be
  // walked once per ancestor (a 50 MB page of empty <b>s took 19 s). Real text fills the
  // byte budget long before this many nodes.
  const std::size_t begin = static_cast<std::size_t>(id);
  const std::size_t end = nodes_.size() - begin > max_bytes * 8 + 1024 ? begin + max_bytes * 8 + 1024 : nodes_.size();
  const std::uint16_t base_depth = node(id).depth;
  for (std::size_t i = begin; i < end; ++i) {
    const Node& n = nodes_[i];
    if (i != begin && n.depth <= base_depth) break;
    if (n.kind == Node::Kind::Text) {
      raw += n.text;
    } else if (!is_inline_tag(n.tag)) {
      raw.push_back(' ');
    }
    if (raw.size() > max_bytes * 2 + 64) break;
  }
  std::string out = utf8::collapse_whitespace(raw);
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  return out;
}

bool Document::contains(NodeId ancestor, NodeId id) const {
  while (id != kNoNode) {
    if (id == ancestor) return true;
    id = node(id).parent;
  }
  return false;
}

}  // namespace dealstack::html
