// Microdata (itemscope/itemtype/itemprop) and RDFa Lite (typeof/property) read into the
// same JSON shape as JSON-LD, so schema_org.hpp interprets all three the same way.
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "html/document.hpp"

namespace dealstack {

struct MicrodataResult {
  std::vector<nlohmann::json> items;  // top-level items, nested items inside them
  // itemprops outside any itemscope (broken markup is common): {"price": "12.99", ...},
  // first value of each name.
  nlohmann::json orphans = nlohmann::json::object();
};

MicrodataResult read_microdata(const html::Document& doc, std::string_view base_url);

}  // namespace dealstack
