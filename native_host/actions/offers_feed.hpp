// Offer feed files: the offers the agent serves per retailer until the sync service brings
// them (docs/stacking.md, "Offer feed files"; docs/schemas/offer-feed.schema.json):
//
//   {"retailers": [{"retailer": "shop.example", "currency": "USD", "rules": {...}, "offers": [...]}]}
//
// read_feed checks a feed whole, with the stacker's own reader (shared/stacking/request_json),
// so every offer it accepts is one `dealstack stack` accepts in a request for that retailer.
// Used by `dealstack offers import` (before anything is sent) and by offers.import (again:
// the agent trusts no client).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "protocol/message.hpp"
#include "store/model.hpp"

namespace dealstack::actions {

inline constexpr std::size_t kMaxFeedBytes = 16u << 20;   // a feed file, as text
inline constexpr std::size_t kMaxFeedRetailers = 10'000;
inline constexpr std::size_t kMaxFeedOffers = 100'000;    // all retailers together
inline constexpr std::size_t kMaxFeedDepth = 64;          // nesting of arrays and objects
inline constexpr std::size_t kMaxMembershipBytes = 200;   // a requires_membership / program name

// The name a shop is kept and looked up under: its host name (an optional :port kept) in
// ASCII lower case, without one leading "www." or a trailing ".". "WWW.Shop.Example" ->
// "shop.example". Errors "invalid_params" (message without a field name): empty, too long,
// or not a host name (letters, digits, '-', '_', '.' in non-empty labels, or an [IPv6]).
Result<std::string> retailer_key(std::string_view name);

struct Feed {
  std::vector<store::RetailerOffers> retailers;  // in the feed's order, names as retailer_key gives
  std::size_t offers = 0;                        // all retailers together
};

// Checks a parsed feed and returns what the store keeps: each retailer's rules and offers as
// compact JSON text, the offers as given (requires_membership included). Errors
// "invalid_feed"; the message starts with the path of what is wrong, relative to the feed
// ("retailers[0].offers[3].discount.percent: must be a percentage from 0 to 100").
Result<Feed> read_feed(const protocol::Json& feed);

// A feed file's text as JSON: at most kMaxFeedBytes, valid JSON. Errors "invalid_feed".
Result<protocol::Json> parse_feed_text(std::string_view text);

}  // namespace dealstack::actions
