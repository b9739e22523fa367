// The WebAssembly binding of the shared core: a plain C ABI, JSON in, JSON out.
//
// Every ds_* call that does work returns a pointer to a malloc'd buffer that the caller frees
// with ds_free:
//   bytes 0..3   the length N of the JSON text, unsigned 32-bit little-endian (wasm's order)
//   bytes 4..    N bytes of UTF-8 JSON, no terminator:
//                {"ok":true,"value":<value>}  or  {"ok":false,"error":{"code":..,"message":..}}
// The envelope is always written with exactly those bytes around <value>, so the JS loader can
// slice <value> out unchanged (extractProductJson compares byte for byte with the native CLI).
// A null return means the result could not be allocated (out of memory).
//
// No exception may cross this boundary: the module is built with -fno-exceptions, JSON is
// parsed with json::parse(s, nullptr, false) and every field's type is checked before use.
// Strings are serialized with error_handler_t::replace so that a stray invalid UTF-8 byte
// in a value can never abort the dump (the core is expected not to produce any).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "extract/product.hpp"
#include "extract/product_json.hpp"
#include "extract/rules.hpp"
#include "price/price_json.hpp"
#include "price/price_parser.hpp"
#include "stacking/stacker.hpp"

namespace {

using nlohmann::json;

// Bumped whenever a ds_* signature or the buffer layout changes; the loader refuses a .wasm
// whose version differs from the one it was written for.
// 2: ds_stack_deals. 3: ds_extract_product takes a rule pack.
constexpr int kAbiVersion = 3;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

char* make_buffer(std::string_view envelope_head, std::string_view body,
                  std::string_view envelope_tail) {
  const std::size_t n = envelope_head.size() + body.size() + envelope_tail.size();
  if (n > UINT32_MAX) return nullptr;
  auto* out = static_cast<char*>(std::malloc(4 + n));
  if (out == nullptr) return nullptr;
  const auto len = static_cast<std::uint32_t>(n);
  std::memcpy(out, &len, 4);  // wasm is little-endian
  char* p = out + 4;
  std::memcpy(p, envelope_head.data(), envelope_head.size());
  p += envelope_head.size();
  std::memcpy(p, body.data(), body.size());
  p += body.size();
  std::memcpy(p, envelope_tail.data(), envelope_tail.size());
  return out;
}

char* ok_result(const json& value) {
  return make_buffer(R"({"ok":true,"value":)", dump(value), "}");
}

// A value already written as JSON text.
char* ok_result_text(const std::string& value) {
  return make_buffer(R"({"ok":true,"value":)", value, "}");
}

char* error_result(const dealstack::Error& error) {
  // Built here rather than with to_json(Error), whose shape ({"error": {...}}) is the CLI's.
  const json e = {{"code", error.code}, {"message", error.message}};
  return make_buffer(R"({"ok":false,"error":)", dump(e), "}");
}

std::string_view view(const char* p, std::size_t n) {
  return (p == nullptr || n == 0) ? std::string_view{} : std::string_view{p, n};
}

// Reads an optional string member: absent or null -> empty; any other non-string -> false.
bool optional_string(const json& obj, const char* key, std::string& out) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  out = it->get_ref<const std::string&>();
  return true;
}

}  // namespace

extern "C" {

int ds_abi_version() { return kAbiVersion; }

// Allocation for the JS side to copy inputs in. ds_alloc(0) returns a valid, freeable pointer.
void* ds_alloc(std::size_t n) { return std::malloc(n == 0 ? 1 : n); }
void ds_free(void* p) { std::free(p); }

// options_json: {"currency_hint": string|null, "decimal_separator": "."|","|""|null,
//                "locale": string|null}; empty (olen 0) means no options.
// value: to_json(ParsedPrice) (shared/price/price_json.hpp).
char* ds_parse_price(const char* text, std::size_t len, const char* options_json,
                     std::size_t olen) {
  std::string hint, separator, locale;
  if (olen != 0) {
    const json opts = json::parse(view(options_json, olen), nullptr, false);
    if (opts.is_discarded() || !opts.is_object())
      return error_result({"invalid_options", "price options must be a JSON object"});
    if (!optional_string(opts, "currency_hint", hint))
      return error_result({"invalid_options", "currency_hint must be a string"});
    if (!optional_string(opts, "locale", locale))
      return error_result({"invalid_options", "locale must be a string"});
    if (!optional_string(opts, "decimal_separator", separator) ||
        !(separator.empty() || separator == "." || separator == ","))
      return error_result({"invalid_options", "decimal_separator must be \".\" or \",\""});
  }
  dealstack::PriceOptions options;
  options.currency_hint = hint;
  options.decimal_separator = separator.empty() ? 0 : separator[0];
  options.locale = locale;
  return ok_result(dealstack::to_json(dealstack::parse_price(view(text, len), options)));
}

// url: the page's URL (resolves relative links); may be empty. rules: a rule pack's JSON
// text (docs/rules.md); empty (rlen 0) means none. value: to_json(Product)
// (shared/extract/product_json.hpp), the same bytes `dealstack extract --url URL
// [--rules PACK]` prints. Errors: those of dealstack::parse_rule_pack ("invalid_rule_pack",
// "invalid_selector", ...) and of dealstack::extract_product ("empty_input",
// "input_too_large", "no_product").
char* ds_extract_product(const char* html, std::size_t len, const char* url, std::size_t ulen, const char* rules,
                         std::size_t rlen) {
  dealstack::ExtractOptions options;
  options.url = view(url, ulen);
  std::optional<dealstack::RulePack> pack;
  if (rlen != 0) {
    auto parsed = dealstack::parse_rule_pack(view(rules, rlen));
    if (!parsed) return error_result(parsed.error());
    pack = std::move(*parsed);
    options.rules = &*pack;
  }
  auto result = dealstack::extract_product(view(html, len), options);
  if (!result) return error_result(result.error());
  return ok_result(dealstack::to_json(*result));
}

// json: a stacking request (docs/stacking.md). value: the result document of
// dealstack::stacking::stack_deals_json, the same bytes `dealstack stack` prints (without its
// newline): both print the text stack_deals_json writes.
// Errors: those of stack_deals_json ("invalid_json", "input_too_large", "invalid_field",
// "currency_mismatch", "too_many_offers", "search_too_large", ...), with the CLI's message.
char* ds_stack_deals(const char* json_text, std::size_t len) {
  auto result = dealstack::stacking::stack_deals_json(view(json_text, len));
  if (!result) return error_result(result.error());
  return ok_result_text(*result);
}

}  // extern "C"
