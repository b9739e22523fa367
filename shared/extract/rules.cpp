// Rule packs: the pack reader, the selector subset and what a pack reads on a page.
#include "extract/rules.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <tuple>

#include "extract/gtin.hpp"
#include "extract/text_util.hpp"
#include "extract/url.hpp"
#include "json/document.hpp"
#include "money/currency.hpp"
#include "price/price_parser.hpp"
#include "text/utf8.hpp"

namespace dealstack {
namespace {

using Compound = SelectorCompound;

constexpr std::size_t kMaxValueBytes = 4096;   // text or attribute read from one element
constexpr std::size_t kMaxMapEntries = 64;     // availability phrases per pack
constexpr std::size_t kMaxMapPhraseBytes = 200;
constexpr std::size_t kMaxConstantBytes = 200;  // a field's "value"
constexpr std::size_t kMaxPackDepth = 8;        // JSON nesting a pack needs: 4
// The error messages below state these limits as literal text.
static_assert(kMaxRulePackBytes == 262144 && kMaxRuleSelectors == 64 && kMaxSelectorBytes == 256 &&
              kMaxSelectorParts == 16 && kMaxRulePackHosts == 32 && kMaxPackDepth == 8 && kMaxMapEntries == 64 &&
              kMaxMapPhraseBytes == 200 && kMaxConstantBytes == 200 && kRulePackFormat == 1);

constexpr std::array<std::string_view, static_cast<std::size_t>(RuleField::kCount_)> kFieldNames = {
    "name", "brand", "sku", "gtin", "mpn", "image", "price", "list_price", "currency", "availability"};

bool is_ident_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         u >= 0x80;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Every error message is built here, out of line: dozens of inlined string concatenations
// would cost the wasm module kilobytes.
using Parts = std::initializer_list<std::string_view>;
[[gnu::noinline]] Error error_of(const char* code, Parts parts) {
  std::string message;
  for (std::string_view p : parts) message += p;
  return {code, std::move(message)};
}
Error pack_error(Parts parts) { return error_of("invalid_rule_pack", parts); }

// A small recursive-descent reader of the supported subset. Every error names the byte.
class SelectorParser {
 public:
  explicit SelectorParser(std::string_view s) : s_(s) {}

  Result<Selector> run() {
    Selector out;
    out.text = std::string(s_);
    std::size_t parts = 0;
    skip_space();
    if (at_end()) return fail({"the selector is empty"});
    while (true) {
      std::vector<Compound> chain;
      auto combinator = Compound::Combinator::kNone;
      while (true) {
        Compound c;
        if (auto st = compound(c); !st) return st.error();
        c.combinator = combinator;
        if (++parts > kMaxSelectorParts)
          return error_of("invalid_selector", {"more than 16 compound selectors (the limit per selector)"});
        chain.push_back(std::move(c));
        const bool spaced = skip_space();
        if (at_end() || peek() == ',') break;
        if (peek() == '>') {
          ++i_;
          skip_space();
          combinator = Compound::Combinator::kChild;
        } else if (peek() == '+' || peek() == '~') {
          return fail({"the '", s_.substr(i_, 1), "' combinator is not supported"});
        } else if (spaced) {
          combinator = Compound::Combinator::kDescendant;
        } else {
          return unexpected();
        }
        if (at_end()) return fail({"a combinator needs a selector after it"});
      }
      out.alternatives.push_back(std::move(chain));
      if (at_end()) break;
      ++i_;  // ','
      skip_space();
      if (at_end()) return fail({"a ',' needs a selector after it"});
    }
    return out;
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return s_[i_]; }

  bool skip_space() {
    const std::size_t from = i_;
    while (!at_end() && is_space(peek())) ++i_;
    return i_ > from;
  }

  [[gnu::noinline]] Error fail(Parts what) const {
    std::string m = "at byte " + std::to_string(i_) + ": ";
    for (std::string_view p : what) m += p;
    return {"invalid_selector", std::move(m)};
  }

  Error unexpected() const {
    const char c = peek();
    if (c == ':') return fail({"pseudo-classes and pseudo-elements (':') are not supported"});
    if (c == '\\') return fail({"escapes ('\\') are not supported"});
    if (c == '|') return fail({"namespaces ('|') are not supported"});
    if (c == '(' || c == ')') return fail({"functional notation ('(') is not supported"});
    if (static_cast<unsigned char>(c) < 0x20) return fail({"a control character"});
    return fail({"unexpected '", s_.substr(i_, 1), "' (supported: type, *, .class, #id, [attr], [attr=value], ' ', '>', ',')"});
  }

  std::string ident() {
    const std::size_t from = i_;
    while (!at_end() && is_ident_byte(peek())) ++i_;
    return std::string(s_.substr(from, i_ - from));
  }

  Status compound(Compound& c) {
    const std::size_t from = i_;
    if (!at_end() && peek() == '*') {
      ++i_;
    } else if (!at_end() && is_ident_byte(peek())) {
      c.tag = utf8::ascii_lower(ident());
    }
    while (!at_end()) {
      const char k = peek();
      if (k == '.' || k == '#') {
        ++i_;
        std::string name = ident();
        if (name.empty()) return fail({"a name must follow '", k == '.' ? "." : "#", "'"});
        if (k == '.') {
          c.classes.push_back(std::move(name));
        } else {
          if (!c.id.empty()) return fail({"two ids in one compound selector"});
          c.id = std::move(name);
        }
      } else if (k == '[') {
        if (auto st = attribute(c); !st) return st;
      } else {
        break;
      }
    }
    if (i_ == from) return at_end() ? fail({"a selector is missing"}) : unexpected();
    if (!at_end() && !is_space(peek()) && peek() != '>' && peek() != ',' && peek() != '+' && peek() != '~')
      return unexpected();
    return Unit{};
  }

  Status attribute(Compound& c) {
    ++i_;  // '['
    skip_space();
    Compound::AttributeTest test;
    test.name = utf8::ascii_lower(ident());
    if (test.name.empty()) return fail({at_end() ? "an unclosed '['" : "an attribute name must follow '['"});
    skip_space();
    if (at_end()) return fail({"an unclosed '['"});
    if (peek() == '=') {
      ++i_;
      skip_space();
      if (at_end()) return fail({"an unclosed '['"});
      if (peek() == '"' || peek() == '\'') {
        const char quote = peek();
        const std::size_t open = ++i_;
        while (!at_end() && peek() != quote) {
          if (peek() == '\\') return fail({"escapes ('\\') are not supported"});
          ++i_;
        }
        if (at_end()) return fail({"an unclosed quote"});
        test.value = std::string(s_.substr(open, i_ - open));
        ++i_;
      } else {
        std::string v = ident();
        if (v.empty()) return fail({"an attribute value (a name or a quoted string) must follow '='"});
        test.value = std::move(v);
      }
      skip_space();
    } else if (std::string_view("~|^$*!").find(peek()) != std::string_view::npos) {
      return fail({"the attribute operator '", s_.substr(i_, 1), "=' is not supported (only [attr] and [attr=value])"});
    }
    if (at_end() || peek() != ']') return at_end() ? fail({"an unclosed '['"}) : unexpected();
    ++i_;
    c.attributes.push_back(std::move(test));
    return Unit{};
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

bool has_class(const std::string& attr, std::string_view name) {
  std::size_t i = 0;
  while (i < attr.size()) {
    while (i < attr.size() && is_space(attr[i])) ++i;
    const std::size_t from = i;
    while (i < attr.size() && !is_space(attr[i])) ++i;
    if (i > from && std::string_view(attr).substr(from, i - from) == name) return true;
  }
  return false;
}

bool matches(const html::Document& doc, html::NodeId id, const Compound& c) {
  const html::Node& n = doc.node(id);
  if (!c.tag.empty() && n.tag != c.tag) return false;
  if (!c.id.empty()) {
    const std::string* v = doc.attr(id, "id");
    if (!v || *v != c.id) return false;
  }
  if (!c.classes.empty()) {
    const std::string* v = doc.attr(id, "class");
    if (!v) return false;
    for (const std::string& cls : c.classes)
      if (!has_class(*v, cls)) return false;
  }
  for (const auto& a : c.attributes) {
    const std::string* v = doc.attr(id, a.name);
    if (!v || (a.value && *v != *a.value)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// The pack reader.

std::string quoted(std::string_view s) { return "\"" + utf8::prefix(s, 80) + "\""; }

bool valid_host_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == ':' || c == '_';
  });
}

std::string normalize_host(std::string_view host) {
  std::string h = utf8::ascii_lower(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

std::optional<RuleField> field_by_name(std::string_view name) {
  for (std::size_t i = 0; i < kFieldNames.size(); ++i)
    if (kFieldNames[i] == name) return static_cast<RuleField>(i);
  return std::nullopt;
}

Result<FieldRule> read_field(RuleField f, const json::Value& v, std::size_t& selectors) {
  const std::string where = "fields." + std::string(rule_field_name(f));
  if (!v.is_object()) return pack_error({where, " must be an object"});
  const bool is_price = f == RuleField::kPrice || f == RuleField::kListPrice;
  FieldRule rule;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string_view key = v.key_at(i);
    const json::Value& m = v.value_at(i);
    const std::string at = where + "." + std::string(key);
    if (key == "selector") {
      if (!m.is_string()) return pack_error({at, " must be a string"});
      auto sel = parse_selector(m.text());
      if (!sel) return error_of("invalid_selector", {at, " ", quoted(m.text()), ": ", sel.error().message});
      selectors += sel->alternatives.size();
      if (selectors > kMaxRuleSelectors)
        return error_of("rule_pack_too_large", {"more than 64 selectors (at ", at, ")"});
      rule.selector = std::move(*sel);
    } else if (key == "value") {
      if (!m.is_string() || m.text().empty() || m.text().size() > kMaxConstantBytes)
        return pack_error({at, " must be a string of 1 to 200 bytes"});
      if (f != RuleField::kCurrency && f != RuleField::kBrand)
        return pack_error({at, ": a constant value is allowed for currency and brand only"});
      std::string value = utf8::collapse_whitespace(m.text());
      if (f == RuleField::kCurrency) {
        for (char& c : value)
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (!find_currency(value)) return pack_error({at, " ", quoted(m.text()), " is not an ISO 4217 code"});
      }
      rule.value = std::move(value);
    } else if (key == "attribute") {
      if (!m.is_string() || m.text().empty() || m.text().size() > 64 ||
          !std::all_of(m.text().begin(), m.text().end(), [](char c) { return is_ident_byte(c) || c == ':'; }))
        return pack_error({at, " must be an attribute name (1 to 64 bytes of letters, digits, '-', '_', ':')"});
      rule.attribute = utf8::ascii_lower(m.text());
    } else if (key == "decimal_separator" && is_price) {
      if (!m.is_string() || (m.text() != "." && m.text() != ","))
        return pack_error({at, " must be \".\" or \",\""});
      rule.decimal_separator = m.text()[0];
    } else if (key == "map" && f == RuleField::kAvailability) {
      if (!m.is_object() || m.empty() || m.size() > kMaxMapEntries)
        return pack_error({at, " must be an object of 1 to 64 phrases"});
      for (std::size_t j = 0; j < m.size(); ++j) {
        const std::string phrase = utf8::ascii_lower(utf8::collapse_whitespace(m.key_at(j)));
        if (phrase.empty() || phrase.size() > kMaxMapPhraseBytes)
          return pack_error({at, ": a phrase must be 1 to 200 bytes"});
        const json::Value& target = m.value_at(j);
        const Availability a = target.is_string() ? parse_availability(target.text()) : Availability::Unknown;
        if (a == Availability::Unknown)
          return pack_error({at, ".", utf8::prefix(m.key_at(j), 80),
                             " must be an availability (\"InStock\", \"OutOfStock\", \"PreOrder\", ...)"});
        rule.map.emplace_back(phrase, a);
      }
    } else {
      return pack_error({where, ": unknown key ", quoted(key)});
    }
  }
  if (rule.selector.has_value() == rule.value.has_value())
    return pack_error({where, " needs exactly one of \"selector\" and \"value\""});
  if (rule.value && !rule.attribute.empty()) return pack_error({where, ".attribute needs a selector, not a value"});
  return rule;
}

// ---------------------------------------------------------------------------------------
// Reading a page.

std::optional<std::string> read_text(const html::Document& doc, const FieldRule& rule) {
  if (rule.value) return *rule.value;
  const html::NodeId id = select_first(doc, *rule.selector);
  if (id == html::kNoNode) return std::nullopt;
  std::string text;
  if (!rule.attribute.empty()) {
    const std::string* v = doc.attr(id, rule.attribute);
    if (!v) return std::nullopt;
    text = clean_text(utf8::prefix(*v, kMaxValueBytes));
  } else {
    text = clean_text(doc.text_content(id, kMaxValueBytes));
  }
  if (text.empty()) return std::nullopt;
  return text;
}

}  // namespace

std::string_view rule_field_name(RuleField f) {
  const auto i = static_cast<std::size_t>(f);
  return i < kFieldNames.size() ? kFieldNames[i] : std::string_view{};
}

Result<Selector> parse_selector(std::string_view text) {
  if (text.size() > kMaxSelectorBytes) return error_of("invalid_selector", {"longer than 256 bytes"});
  return SelectorParser(text).run();
}

html::NodeId select_first(const html::Document& doc, const Selector& selector) {
  // Every compound of every alternative gets one bit (at most kMaxSelectorParts <= 32). For
  // each element, in document order (parents before children):
  //   here[e] bit j: the chain up to compound j matches with compound j on e;
  //   below[e] bit j: here[x] bit j for e or one of its ancestors x.
  // Compound j (not a chain's first) holds on e when e matches it and bit j-1 is set in
  // here[parent] (child combinator) or below[parent] (descendant). One pass, no backtracking.
  std::vector<const Compound*> parts;
  std::uint32_t first_bits = 0;    // compounds that start a chain
  std::uint32_t subject_bits = 0;  // compounds that end one
  for (const auto& chain : selector.alternatives) {
    for (std::size_t k = 0; k < chain.size(); ++k) {
      if (parts.size() >= 32) break;  // parse_selector allows kMaxSelectorParts (16)
      if (k == 0) first_bits |= std::uint32_t{1} << parts.size();
      if (k + 1 == chain.size()) subject_bits |= std::uint32_t{1} << parts.size();
      parts.push_back(&chain[k]);
    }
  }
  if (parts.empty()) return html::kNoNode;
  const auto& nodes = doc.nodes();
  std::vector<std::uint32_t> here(nodes.size(), 0), below(nodes.size(), 0);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const html::Node& n = nodes[i];
    if (n.kind != html::Node::Kind::Element) continue;
    const bool has_parent = n.parent != html::kNoNode;
    const std::uint32_t parent_here = has_parent ? here[static_cast<std::size_t>(n.parent)] : 0;
    const std::uint32_t parent_below = has_parent ? below[static_cast<std::size_t>(n.parent)] : 0;
    std::uint32_t bits = 0;
    for (std::size_t j = 0; j < parts.size(); ++j) {
      const std::uint32_t bit = std::uint32_t{1} << j;
      if (!(first_bits & bit)) {
        const std::uint32_t prev = bit >> 1;
        const bool child = parts[j]->combinator == Compound::Combinator::kChild;
        if (!((child ? parent_here : parent_below) & prev)) continue;
      }
      if (matches(doc, static_cast<html::NodeId>(i), *parts[j])) bits |= bit;
    }
    if (bits & subject_bits) return static_cast<html::NodeId>(i);
    here[i] = bits;
    below[i] = bits | parent_below;
  }
  return html::kNoNode;
}

Result<RulePack> parse_rule_pack(std::string_view text) {
  if (text.size() > kMaxRulePackBytes)
    return error_of("rule_pack_too_large", {"the rule pack is over the limit of 262144 bytes (256 KiB)"});
  json::Limits limits;
  limits.max_depth = kMaxPackDepth;
  auto parsed = json::Document::parse(text, limits);
  if (!parsed) {
    if (parsed.error().code == "too_deep")
      return pack_error({"the rule pack is nested deeper than 8 levels"});
    return pack_error({"the rule pack is not JSON: ", parsed.error().message});
  }
  const json::Value& root = parsed->root();
  if (!root.is_object()) return pack_error({"the rule pack must be a JSON object"});

  RulePack pack;
  // "format" first: a newer format is reported as such, whatever else it holds.
  const json::Value* format = root.find("format");
  if (!format) return pack_error({"\"format\" is missing"});
  if (!format->is_integer()) return pack_error({"\"format\" must be an integer"});
  if (!format->is_unsigned() || format->as_uint64() != static_cast<std::uint64_t>(kRulePackFormat))
    return error_of("unsupported_rule_pack_format",
                    {"the rule pack has format ", format->text(), "; this build reads format 1"});
  bool have_fields = false, have_retailer = false, have_version = false, have_hosts = false;
  std::size_t selectors = 0;
  for (std::size_t i = 0; i < root.size(); ++i) {
    const std::string_view key = root.key_at(i);
    const json::Value& v = root.value_at(i);
    if (key == "format") continue;
    if (key == "retailer") {
      if (!v.is_string() || !valid_host_name(v.text()))
        return pack_error({"\"retailer\" must be the shop's host name (1 to 253 bytes of letters, digits, '.', '-', ':')"});
      pack.retailer = std::string(v.text());
      have_retailer = true;
    } else if (key == "version") {
      if (!v.is_unsigned() || v.as_uint64() < 1 || v.as_uint64() > (std::uint64_t{1} << 53))
        return pack_error({"\"version\" must be an integer from 1 to 2^53"});
      pack.version = static_cast<std::int64_t>(v.as_uint64());
      have_version = true;
    } else if (key == "hosts") {
      if (!v.is_array() || v.empty()) return pack_error({"\"hosts\" must be a non-empty array of host names"});
      if (v.size() > kMaxRulePackHosts) return error_of("rule_pack_too_large", {"more than 32 hosts"});
      for (std::size_t j = 0; j < v.size(); ++j) {
        if (!v[j].is_string() || !valid_host_name(v[j].text()))
          return pack_error({"hosts[", std::to_string(j), "] must be a host name (\"www.shop.example\")"});
        pack.hosts.push_back(normalize_host(v[j].text()));
      }
      have_hosts = true;
    } else if (key == "prefer") {
      if (!v.is_string() || (v.text() != "structured" && v.text() != "rules"))
        return pack_error({"\"prefer\" must be \"structured\" or \"rules\""});
      pack.prefer_rules = v.text() == "rules";
    } else if (key == "locale") {
      if (!v.is_string() || v.text().empty() || v.text().size() > 35 ||
          !std::all_of(v.text().begin(), v.text().end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
          }))
        return pack_error({"\"locale\" must be a BCP 47 tag (\"de-DE\")"});
      pack.locale = std::string(v.text());
      for (char& c : pack.locale)
        if (c == '_') c = '-';
    } else if (key == "description" || key == "$schema") {
      if (!v.is_string()) return pack_error({"\"", key, "\" must be a string"});
    } else if (key == "fields") {
      if (!v.is_object() || v.empty()) return pack_error({"\"fields\" must be a non-empty object"});
      for (std::size_t j = 0; j < v.size(); ++j) {
        const auto f = field_by_name(v.key_at(j));
        if (!f)
          return pack_error({"fields: unknown field ", quoted(v.key_at(j)),
                             " (name, brand, sku, gtin, mpn, image, price, list_price, currency, availability)"});
        auto rule = read_field(*f, v.value_at(j), selectors);
        if (!rule) return rule.error();
        pack.fields[static_cast<std::size_t>(*f)] = std::move(*rule);
      }
      have_fields = true;
    } else {
      return pack_error({"unknown key ", quoted(key)});
    }
  }
  if (!have_retailer) return pack_error({"\"retailer\" is missing"});
  if (!have_version) return pack_error({"\"version\" is missing"});
  if (!have_hosts) return pack_error({"\"hosts\" is missing"});
  if (!have_fields) return pack_error({"\"fields\" is missing"});
  return pack;
}

bool rule_pack_covers_host(const RulePack& pack, std::string_view host) {
  const std::string h = normalize_host(host);
  return !h.empty() && std::find(pack.hosts.begin(), pack.hosts.end(), h) != pack.hosts.end();
}

RuleReading read_with_rules(const html::Document& doc, const RulePack& pack, std::string_view base_url,
                            std::string_view page_locale) {
  RuleReading out;
  auto text_of = [&](RuleField f) -> std::optional<std::string> {
    const FieldRule* rule = pack.field(f);
    return rule ? read_text(doc, *rule) : std::nullopt;
  };
  if (auto v = text_of(RuleField::kName)) out.name = std::move(*v);
  if (auto v = text_of(RuleField::kBrand)) out.brand = std::move(*v);
  if (auto v = text_of(RuleField::kSku)) out.sku = std::move(*v);
  if (auto v = text_of(RuleField::kMpn)) out.mpn = std::move(*v);
  if (auto v = text_of(RuleField::kGtin)) out.gtin = normalize_gtin(*v);
  if (auto v = text_of(RuleField::kImage)) out.image = resolve_url(base_url, *v);

  // The currency rule: an ISO code for prices that don't name one, and the hint that
  // resolves ambiguous symbols ("$", "kr").
  std::string currency_text;
  std::string currency_code;
  if (auto v = text_of(RuleField::kCurrency)) {
    currency_text = std::move(*v);
    std::string upper = currency_text;
    for (char& c : upper)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (find_currency(upper)) {
      currency_code = upper;
    } else {
      PriceOptions o;
      o.locale = pack.locale.empty() ? page_locale : std::string_view(pack.locale);
      currency_code = parse_price("1 " + currency_text, o).currency;
    }
  }
  auto price_of = [&](RuleField f) -> std::optional<Price> {
    auto text = text_of(f);
    if (!text) return std::nullopt;
    PriceOptions o;
    o.currency_hint = currency_text;
    o.decimal_separator = pack.field(f)->decimal_separator;
    o.locale = pack.locale.empty() ? page_locale : std::string_view(pack.locale);
    ParsedPrice parsed = parse_price(*text, o);
    // Zero is what a script-filled price shows before it runs: not a price.
    if (!parsed.amount || parsed.amount->units <= 0) return std::nullopt;
    Price p;
    p.amount = *parsed.amount;
    p.currency = parsed.currency.empty() ? currency_code : parsed.currency;
    p.currency_text = parsed.currency_text.empty() ? p.currency : parsed.currency_text;
    return p;
  };
  out.price = price_of(RuleField::kPrice);
  out.list_price = price_of(RuleField::kListPrice);

  if (const FieldRule* rule = pack.field(RuleField::kAvailability)) {
    if (auto text = read_text(doc, *rule)) {
      if (rule->map.empty()) {
        out.availability = parse_availability(*text);
      } else {
        const std::string lower = utf8::ascii_lower(*text);
        for (const auto& [phrase, a] : rule->map) {
          if (lower.find(phrase) != std::string::npos) {
            out.availability = a;
            break;
          }
        }
      }
    }
  }
  return out;
}

namespace {

constexpr int kRulesConfidence = 90;

bool rules_win(const Product& p, const char* field, bool prefer_rules) {
  if (prefer_rules) return true;
  const auto it = p.sources.find(field);
  return it == p.sources.end() || (it->second.source != "json-ld" && it->second.source != "microdata");
}

}  // namespace

void apply_rule_reading(Product& product, RuleReading& r, bool prefer) {
  struct Text {
    std::string* field;
    std::string* value;
    const char* name;
  };
  for (const Text& t : {Text{&product.name, &r.name, "name"}, Text{&product.brand, &r.brand, "brand"},
                        Text{&product.sku, &r.sku, "sku"}, Text{&product.gtin, &r.gtin, "gtin"},
                        Text{&product.mpn, &r.mpn, "mpn"}, Text{&product.image, &r.image, "image"}}) {
    if (t.value->empty() || (!t.field->empty() && !rules_win(product, t.name, prefer))) continue;
    *t.field = std::move(*t.value);
    product.sources[t.name] = {"rules", kRulesConfidence};
  }
  for (auto [field, value, name] : {std::tuple{&product.price, &r.price, "price"},
                                    std::tuple{&product.list_price, &r.list_price, "list_price"}}) {
    if (!*value || (*field && !rules_win(product, name, prefer))) continue;
    *field = std::move(*value);
    product.sources[name] = {"rules", kRulesConfidence};
  }
  // A "was" price only means something above the price, in its currency; one read beside a
  // price the pack replaced may belong to something else.
  if (product.list_price && product.price &&
      (!(product.price->amount < product.list_price->amount) ||
       (!product.list_price->currency.empty() && !product.price->currency.empty() &&
        product.list_price->currency != product.price->currency))) {
    product.list_price.reset();
    product.sources.erase("list_price");
  }
}

void apply_rule_availability(Product& product, const RuleReading& r, bool prefer) {
  if (r.availability == Availability::Unknown) return;
  if (product.availability != Availability::Unknown && !rules_win(product, "availability", prefer)) return;
  product.availability = r.availability;
  product.sources["availability"] = {"rules", kRulesConfidence};
}

}  // namespace dealstack
