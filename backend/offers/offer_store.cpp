#include "offers/offer_store.hpp"

#include "actions/offers_feed.hpp"
#include "offers/etag.hpp"

namespace dealstack::backend::offers {

using Json = nlohmann::json;

Result<ImportSummary> import_feed(db::Db& db, std::string_view feed_text, std::int64_t now_ms) {
  auto parsed = actions::parse_feed_text(feed_text);
  if (!parsed) return parsed.error();
  auto feed = actions::read_feed(*parsed);
  if (!feed) return feed.error();

  // What is served: the feed's own entries (currency and all), each retailer under its normal name.
  const Json& entries = (*parsed)["retailers"];
  Json whole = {{"retailers", Json::array()}};
  auto txn = db.begin_write();
  if (!txn) return txn.error();
  if (auto s = db.exec("DELETE FROM offers", "drop the previous offers"); !s) return s.error();
  auto insert = db.prepare("INSERT INTO offers (retailer, body, etag, imported_at) VALUES (?1, ?2, ?3, ?4)",
                           "store a retailer's offers");
  if (!insert) return insert.error();
  for (std::size_t i = 0; i < feed->retailers.size(); ++i) {
    Json entry = entries[i];
    entry["retailer"] = feed->retailers[i].retailer;
    whole["retailers"].push_back(entry);
    const std::string body = Json{{"retailers", Json::array({entry})}}.dump();
    insert->bind(1, feed->retailers[i].retailer).bind(2, body).bind(3, strong_etag(body)).bind(4, now_ms);
    if (auto s = insert->run(); !s) return s.error();
    insert->reset();
  }
  const std::string body = whole.dump();
  insert->bind(1, std::string_view("")).bind(2, body).bind(3, strong_etag(body)).bind(4, now_ms);
  if (auto s = insert->run(); !s) return s.error();
  if (auto s = txn->commit(); !s) return s.error();
  return ImportSummary{feed->retailers.size(), feed->offers};
}

Result<std::optional<Document>> find(db::Db& db, std::string_view retailer) {
  std::string key;
  if (!retailer.empty()) {
    auto normal = actions::retailer_key(retailer);
    if (!normal) return std::optional<Document>{};
    key = std::move(*normal);
  }
  auto st = db.cached("SELECT body, etag FROM offers WHERE retailer = ?1", "read offers");
  if (!st) return st.error();
  st->bind(1, key);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) {
    if (!key.empty()) return std::optional<Document>{};
    const std::string empty = R"({"retailers":[]})";
    return std::optional<Document>(Document{empty, strong_etag(empty)});
  }
  return std::optional<Document>(Document{st->text(0), st->text(1)});
}

}  // namespace dealstack::backend::offers
