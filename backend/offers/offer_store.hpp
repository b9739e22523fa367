// The offers feed the server serves (docs/stacking.md "Offer feed files"). An import checks
// the whole feed with the agent's own reader (actions::read_feed, which runs the stacker's
// request reader on every retailer's offers), then replaces what was served before in one
// transaction: one row per retailer ({"retailers":[that one]}) and one for the whole feed
// (retailer ""), each with its strong ETag.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "db/sqlite.hpp"

namespace dealstack::backend::offers {

struct ImportSummary {
  std::size_t retailers = 0;
  std::size_t offers = 0;
};
// Errors "invalid_feed" (the path of what is wrong), db_* codes.
Result<ImportSummary> import_feed(db::Db& db, std::string_view feed_text, std::int64_t now_ms);

struct Document {
  std::string body;
  std::string etag;
};
// retailer "" = the whole feed (an empty feed {"retailers":[]} when nothing was imported).
// A retailer is looked up by its normal form (actions::retailer_key). none = not served.
Result<std::optional<Document>> find(db::Db& db, std::string_view retailer);

}  // namespace dealstack::backend::offers
