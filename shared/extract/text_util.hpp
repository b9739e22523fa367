// Text clean-up shared by the extractor's sources.
#pragma once

#include <string>
#include <string_view>

namespace dealstack {

// White space collapsed and the few HTML character references that leak into structured
// data decoded ("&amp;", "&quot;", "&#39;", "&#x27;", "&nbsp;", "&lt;", "&gt;"). Invalid
// UTF-8 becomes U+FFFD.
std::string clean_text(std::string_view s);

// True when `haystack` contains `needle`, ASCII case-insensitively.
bool icontains(std::string_view haystack, std::string_view needle);

}  // namespace dealstack
