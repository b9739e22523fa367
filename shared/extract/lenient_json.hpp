// Reads JSON the way shops actually write it in <script type="application/ld+json">:
// HTML comments or CDATA around it, stray text before it, trailing commas, // and /* */
// comments, raw newlines and tabs inside strings, invalid escapes, several values one
// after another. Numbers keep their exact text: every non-integer number becomes a JSON
// string holding its digits as written ("12.90"), so prices never pass through a double.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace dealstack {

struct LenientJsonLimits {
  std::size_t max_bytes = std::size_t{4} << 20;  // larger blocks are not read at all
  std::size_t max_depth = 128;                   // deeper nesting: the block is refused
};

// Every JSON value that could be read from `text`, in order (empty when none could).
std::vector<nlohmann::json> parse_lenient_json(std::string_view text, const LenientJsonLimits& limits = {});

}  // namespace dealstack
