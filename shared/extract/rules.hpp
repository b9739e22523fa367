// Per-retailer extraction rule packs: a retailer's page layout written down as a few CSS
// selectors, which the extractor reads before it falls back on its heuristics (the format is
// in docs/rules.md, its JSON Schema in docs/schemas/rule-pack.schema.json).
//
// Pure: text in, values out. Signature checks and transport belong to the callers (packs
// arrive signed from the backend; the agent verifies them before calling parse_rule_pack).
//
// Selectors are a small CSS subset implemented here over html::Document: type (`h1`, `*`),
// `.class`, `#id`, `[attr]`, `[attr=value]`, the descendant (` `) and child (`>`)
// combinators and `,` lists; the first matching element in document order is used. Anything
// else is refused when the pack is parsed, so a pack works the same in every agent. Matching
// one selector costs O(elements x compound parts), whatever the page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "extract/product.hpp"
#include "html/document.hpp"

namespace dealstack {

// Bounds on a pack (docs/rules.md). A hostile or broken pack is refused, never slow.
inline constexpr std::size_t kMaxRulePackBytes = std::size_t{256} << 10;  // the pack's JSON text
inline constexpr std::size_t kMaxRuleSelectors = 64;    // selectors in a pack, ',' alternatives counted
inline constexpr std::size_t kMaxSelectorBytes = 256;   // one selector's text
inline constexpr std::size_t kMaxSelectorParts = 16;    // compound selectors in one selector, all alternatives
inline constexpr std::size_t kMaxRulePackHosts = 32;
inline constexpr std::int64_t kRulePackFormat = 1;      // the only format this build reads

// One compound selector: every condition must hold on the same element.
struct SelectorCompound {
  enum class Combinator : std::uint8_t {
    kNone,        // the first compound of a chain
    kDescendant,  // "a b": below the previous compound's element, at any depth
    kChild,       // "a > b": directly below it
  };
  struct AttributeTest {
    std::string name;                  // lower case
    std::optional<std::string> value;  // [name=value]: exact, case-sensitive; nullopt: [name]
  };
  Combinator combinator = Combinator::kNone;  // relation to the previous compound of the chain
  std::string tag;                            // lower case; empty: any element ("*" or none written)
  std::string id;                             // #id; empty: none
  std::vector<std::string> classes;           // .a.b: each a whole word of the class attribute
  std::vector<AttributeTest> attributes;
};

// A parsed selector: one chain of compounds per ',' alternative.
struct Selector {
  std::string text;  // as written in the pack
  std::vector<std::vector<SelectorCompound>> alternatives;
};

// Errors: "invalid_selector" naming the byte and what is wrong there (an unsupported
// pseudo-class, combinator or attribute operator, an escape, an empty part), or the limit
// that was passed (kMaxSelectorBytes, kMaxSelectorParts).
Result<Selector> parse_selector(std::string_view text);

// The first element, in document order, that matches any alternative; html::kNoNode when
// none does. O(elements x compounds) time, two 32-bit masks per element of memory.
html::NodeId select_first(const html::Document& doc, const Selector& selector);

// How one field is read: a selector (what the element says) or a constant.
struct FieldRule {
  std::optional<Selector> selector;  // exactly one of `selector` and `value` is set
  std::optional<std::string> value;  // a constant ("EUR")
  std::string attribute;             // read this attribute (lower case); empty: the element's text
  char decimal_separator = 0;        // price and list_price: '.' or ','; 0: inferred
  // availability: phrases (lower case) and what each means, in the pack's order; the first
  // phrase that the text contains (ignoring ASCII case) gives the value. Empty: the text is
  // read as a schema.org availability ("InStock", "https://schema.org/OutOfStock").
  std::vector<std::pair<std::string, Availability>> map;
};

// The fields a pack may read (docs/rules.md). Unknown field names are refused.
enum class RuleField : std::uint8_t {
  kName,
  kBrand,
  kSku,
  kGtin,
  kMpn,
  kImage,
  kPrice,
  kListPrice,
  kCurrency,
  kAvailability,
  kCount_,
};
std::string_view rule_field_name(RuleField f);  // "name", ..., "list_price", "availability"

struct RulePack {
  std::int64_t format = kRulePackFormat;
  std::string retailer;            // the shop, as the offers feed names it ("shop.example")
  std::int64_t version = 0;        // >= 1; a newer pack of the same retailer replaces an older one
  std::vector<std::string> hosts;  // lower case, no trailing dot: the pages the pack is for
  // true ("prefer": "rules"): the pack's values win over JSON-LD and microdata too. Default
  // false: structured data the page carries stays preferred, the pack wins over everything
  // else (meta tags, shop data, heuristics) and fills gaps.
  bool prefer_rules = false;
  std::string locale;  // BCP 47 tag for reading the pack's prices ("de-DE"); empty: the page's
  std::optional<FieldRule> fields[static_cast<std::size_t>(RuleField::kCount_)];

  const FieldRule* field(RuleField f) const {
    const auto& r = fields[static_cast<std::size_t>(f)];
    return r ? &*r : nullptr;
  }
};

// Reads a pack's JSON text. Errors (the message names the field and, for selectors, the
// selector):
//   "rule_pack_too_large"          over kMaxRulePackBytes, kMaxRuleSelectors or kMaxRulePackHosts
//   "invalid_rule_pack"            not JSON, a missing/unknown key, a wrong type or value
//   "unsupported_rule_pack_format" "format" is not kRulePackFormat
//   "invalid_selector"             a selector outside the supported subset or over its limits
Result<RulePack> parse_rule_pack(std::string_view text);

// True when `host` ("WWW.Shop.Example.", any case, a trailing dot allowed) is one of the
// pack's hosts.
bool rule_pack_covers_host(const RulePack& pack, std::string_view host);

// What a pack's rules read on a page; empty/nullopt/Unknown where a rule matched nothing
// (or the pack has no rule for the field). Prices without a currency on the page take the
// pack's currency rule, when it gives an ISO 4217 code.
struct RuleReading {
  std::string name, brand, sku, gtin, mpn, image;  // gtin: validated digits; image: absolute
  std::optional<Price> price, list_price;
  Availability availability = Availability::Unknown;
};

// `base_url` resolves relative image links; `page_locale` reads prices when the pack names
// no locale.
RuleReading read_with_rules(const html::Document& doc, const RulePack& pack, std::string_view base_url,
                            std::string_view page_locale);

// The precedence of docs/rules.md, for the extractor: a value the pack read replaces the
// product's unless that came from JSON-LD or microdata and the pack doesn't prefer its
// rules; it fills a gap always. Replaced fields get the source "rules" (confidence 90). A
// list price left not above the price, or in another currency, is dropped.
// apply_rule_reading: every field but availability (moved out of `reading`);
// apply_rule_availability: availability, which the extractor settles last.
void apply_rule_reading(Product& product, RuleReading& reading, bool prefer_rules);
void apply_rule_availability(Product& product, const RuleReading& reading, bool prefer_rules);

}  // namespace dealstack
