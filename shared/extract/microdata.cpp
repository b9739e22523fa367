#include "extract/microdata.hpp"

#include "extract/text_util.hpp"
#include "extract/url.hpp"

namespace dealstack {
namespace {

using json = nlohmann::json;
using html::Document;
using html::NodeId;

constexpr std::size_t kMaxItems = 2000;
constexpr std::size_t kMaxValueBytes = 2048;

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < s.size() && !(s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')) ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// "http://schema.org/Product" -> "Product"; "schema:Offer" -> "Offer".
std::string short_name(std::string_view s) {
  const auto cut = s.find_last_of("/:#");
  return std::string(cut == std::string_view::npos ? s : s.substr(cut + 1));
}

// A property's value per the microdata spec (plus the widespread `content` attribute on
// any element).
std::string value_of(const Document& doc, NodeId id, std::string_view base) {
  const std::string& tag = doc.node(id).tag;
  auto attr = [&](std::string_view name) -> const std::string* { return doc.attr(id, name); };
  if (tag == "meta") {
    const std::string* c = attr("content");
    return c ? clean_text(*c) : std::string{};
  }
  if (tag == "img" || tag == "audio" || tag == "video" || tag == "source" || tag == "embed" || tag == "track") {
    const std::string* src = attr("src");
    if (!src || src->empty()) src = attr("data-src");
    return src ? resolve_url(base, *src) : std::string{};
  }
  if (tag == "a" || tag == "link" || tag == "area") {
    if (const std::string* c = attr("content")) return clean_text(*c);
    const std::string* href = attr("href");
    if (href && !href->empty()) {
      std::string resolved = resolve_url(base, *href);
      // Availability and condition are often given as links to schema.org values.
      return resolved.empty() ? clean_text(*href) : resolved;
    }
    if (const std::string* r = attr("resource")) return clean_text(*r);
    return doc.text_content(id, kMaxValueBytes);
  }
  if (tag == "object") {
    const std::string* d = attr("data");
    return d ? resolve_url(base, *d) : std::string{};
  }
  if (tag == "data" || tag == "meter" || tag == "input") {
    if (const std::string* v = attr("value")) return clean_text(*v);
  }
  if (tag == "time") {
    if (const std::string* v = attr("datetime")) return clean_text(*v);
  }
  if (const std::string* c = attr("content")) return clean_text(*c);
  return doc.text_content(id, kMaxValueBytes);
}

void add_value(json& obj, const std::string& name, json value) {
  auto it = obj.find(name);
  if (it == obj.end()) {
    obj[name] = std::move(value);
  } else if (it->is_array()) {
    it->push_back(std::move(value));
  } else {
    json arr = json::array({std::move(*it), std::move(value)});
    *it = std::move(arr);
  }
}

}  // namespace

MicrodataResult read_microdata(const Document& doc, std::string_view base_url) {
  MicrodataResult result;
  struct Item {
    json obj = json::object();
    int parent = -1;                 // owning item, when this item is a property value
    std::vector<std::string> props;  // the property names it is the value of
  };
  std::vector<Item> items;
  const auto& nodes = doc.nodes();
  // owner[id]: the item that properties inside element `id` belong to (-1: none).
  std::vector<int> owner(nodes.size(), -1);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const html::Node& n = nodes[i];
    if (n.kind != html::Node::Kind::Element) continue;
    const auto id = static_cast<NodeId>(i);
    const int inherited = n.parent == html::kNoNode ? -1 : owner[static_cast<std::size_t>(n.parent)];
    owner[i] = inherited;

    const std::string* itemprop = doc.attr(id, "itemprop");
    const std::string* property = doc.attr(id, "property");
    std::vector<std::string> props;
    if (itemprop) {
      props = split_words(*itemprop);
    } else if (property && inherited >= 0) {
      for (auto& p : split_words(*property)) props.push_back(short_name(p));
    }

    const std::string* itemtype = doc.attr(id, "itemtype");
    const std::string* type_of = doc.attr(id, "typeof");
    const bool scope = (doc.attr(id, "itemscope") != nullptr || type_of != nullptr) && items.size() < kMaxItems;
    if (scope) {
      Item item;
      std::vector<std::string> types;
      for (auto& t : split_words(itemtype ? *itemtype : (type_of ? *type_of : std::string{})))
        types.push_back(short_name(t));
      if (types.size() == 1) item.obj["@type"] = types[0];
      else if (!types.empty()) item.obj["@type"] = types;
      if (!props.empty() && inherited >= 0) {
        item.parent = inherited;
        item.props = props;
      }
      owner[i] = static_cast<int>(items.size());
      items.push_back(std::move(item));
      continue;
    }
    if (props.empty()) continue;
    std::string value = value_of(doc, id, base_url);
    for (const std::string& p : props) {
      if (inherited >= 0) {
        add_value(items[static_cast<std::size_t>(inherited)].obj, p, value);
      } else if (!result.orphans.contains(p) && !value.empty()) {
        result.orphans[p] = value;
      }
    }
  }
  // Children come after their parents in document order: fold them in from the back.
  for (std::size_t k = items.size(); k-- > 0;) {
    Item& item = items[k];
    if (item.parent < 0) continue;
    Item& parent = items[static_cast<std::size_t>(item.parent)];
    for (std::size_t p = 0; p + 1 < item.props.size(); ++p) add_value(parent.obj, item.props[p], item.obj);
    add_value(parent.obj, item.props.back(), std::move(item.obj));
  }
  for (Item& item : items)
    if (item.parent < 0) result.items.push_back(std::move(item.obj));
  return result;
}

}  // namespace dealstack
