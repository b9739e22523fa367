// Keeps pathological nesting away from gumbo. gumbo 0.10.1 checks element scopes by
// scanning the whole stack of open elements, so a page nested N deep costs O(N^2)
// (100,000 nested <div>s: ~17 s). Elements deeper than the Document keeps are dropped
// anyway, so their tags can go before parsing: this pass tracks an approximate open-element
// stack with a small tokenizer and removes start tags (and their end tags) past the limit.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dealstack::html {

// The HTML with every element opened deeper than `max_depth` removed (its text is kept), or
// nullopt when no element is that deep (the common case: no copy is made). Linear time.
std::optional<std::string> limit_nesting(std::string_view html, std::size_t max_depth);

}  // namespace dealstack::html
