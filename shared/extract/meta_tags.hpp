// <meta> tags (OpenGraph og:*, product:*, twitter:*, itemprop on meta), <link
// rel=canonical> and <title>.
#pragma once

#include <map>
#include <string>

#include "html/document.hpp"

namespace dealstack {

struct MetaTags {
  std::map<std::string, std::string> values;  // lower-cased property/name -> first content
  std::string canonical;                      // <link rel="canonical" href>, absolute
  std::string title;                          // <title> text

  // The first non-empty value among `keys`, or "".
  std::string first(std::initializer_list<const char*> keys) const;
};

MetaTags read_meta_tags(const html::Document& doc, std::string_view base_url);

}  // namespace dealstack
