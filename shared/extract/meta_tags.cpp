#include "extract/meta_tags.hpp"

#include "extract/text_util.hpp"
#include "extract/url.hpp"
#include "text/utf8.hpp"

namespace dealstack {

std::string MetaTags::first(std::initializer_list<const char*> keys) const {
  for (const char* k : keys) {
    auto it = values.find(k);
    if (it != values.end() && !it->second.empty()) return it->second;
  }
  return {};
}

MetaTags read_meta_tags(const html::Document& doc, std::string_view base_url) {
  MetaTags m;
  const auto& nodes = doc.nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const html::Node& n = nodes[i];
    if (n.kind != html::Node::Kind::Element) continue;
    const auto id = static_cast<html::NodeId>(i);
    if (n.tag == "meta") {
      const std::string* content = doc.attr(id, "content");
      if (!content) continue;
      for (const char* key_attr : {"property", "name", "itemprop"}) {
        const std::string* key = doc.attr(id, key_attr);
        if (!key || key->empty()) continue;
        m.values.emplace(utf8::ascii_lower(*key), clean_text(*content));
      }
    } else if (n.tag == "link" && m.canonical.empty()) {
      const std::string* rel = doc.attr(id, "rel");
      const std::string* href = doc.attr(id, "href");
      if (rel && href && utf8::ascii_lower(*rel) == "canonical") m.canonical = resolve_url(base_url, *href);
    } else if (n.tag == "title" && m.title.empty()) {
      m.title = doc.text_content(id, 1024);
    }
  }
  return m;
}

}  // namespace dealstack
