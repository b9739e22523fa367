#include <string>

#include "extract/product.hpp"
#include "text/utf8.hpp"

namespace dealstack {

std::string_view to_string(Availability a) {
  switch (a) {
    case Availability::InStock: return "InStock";
    case Availability::OutOfStock: return "OutOfStock";
    case Availability::PreOrder: return "PreOrder";
    case Availability::BackOrder: return "BackOrder";
    case Availability::LimitedAvailability: return "LimitedAvailability";
    case Availability::Discontinued: return "Discontinued";
    case Availability::SoldOut: return "SoldOut";
    case Availability::Unknown: break;
  }
  return "Unknown";
}

Availability parse_availability(std::string_view text) {
  // Keep only letters, lower-cased, after the last '/' or ':' ("https://schema.org/InStock",
  // "schema:InStock", "in_stock", "In Stock").
  // A trailing slash or white space ("https://schema.org/InStock/ ") is not the value.
  while (!text.empty() && (text.back() == '/' || text.back() == ' ' || text.back() == '\t' || text.back() == '\n' ||
                           text.back() == '\r'))
    text.remove_suffix(1);
  const auto cut = text.find_last_of("/:");
  if (cut != std::string_view::npos) text.remove_prefix(cut + 1);
  std::string key;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') key.push_back(static_cast<char>(c - 'A' + 'a'));
    else if (c >= 'a' && c <= 'z') key.push_back(c);
  }
  if (key == "instock" || key == "instoreonly" || key == "onlineonly" || key == "available") return Availability::InStock;
  if (key == "outofstock" || key == "unavailable" || key == "oos") return Availability::OutOfStock;
  if (key == "preorder" || key == "presale") return Availability::PreOrder;
  if (key == "backorder") return Availability::BackOrder;
  if (key == "limitedavailability") return Availability::LimitedAvailability;
  if (key == "discontinued") return Availability::Discontinued;
  if (key == "soldout") return Availability::SoldOut;
  return Availability::Unknown;
}

}  // namespace dealstack
