// Text clean-up shared by the extractor's sources.
#pragma once

#include <string>
#include <string_view>

namespace dealstack {

// White space collapsed and the few HTML character references that leak into structured
// data decoded ("&amp;", "&quot;", "&#39;", "&#x27;", "&nbsp;", "&lt;", "&gt;"). Invalid
// UTF-8 becomes U+FFFD.
std::string clean_text(std::string_view s);

// How much of `a` is in `b`: the share (0..100) of a's words of at least `min_word_bytes`
// bytes that occur in b, case-insensitively (Latin, Greek, Cyrillic); 100 when the two are
// equal, 0 when either is empty.
int word_overlap(std::string_view a, std::string_view b, std::size_t min_word_bytes);

// True when `haystack` contains `needle`, ASCII case-insensitively.
bool icontains(std::string_view haystack, std::string_view needle);

}  // namespace dealstack
