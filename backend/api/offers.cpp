// GET /v1/offers and /v1/offers/{retailer}: the imported feed, public, with a strong ETag;
// If-None-Match with it -> 304 and no body.
#include "api/api.hpp"
#include "offers/etag.hpp"
#include "offers/offer_store.hpp"

namespace dealstack::backend::api {

void offers(ServerState& state, const Request& req, std::string_view retailer, const Reply& reply) {
  auto db = state.db();
  if (!db) return reply(error_response(db.error()));
  auto doc = offers::find(**db, retailer);
  if (!doc) return reply(error_response(doc.error()));
  if (!*doc) return reply(error_response("not_found", "no offers for " + std::string(retailer.substr(0, 200))));
  Response r;
  r.etag = (*doc)->etag;
  if (if_none_match(req.if_none_match, r.etag)) {
    r.status = 304;
  } else {
    r.body = std::move((*doc)->body);
  }
  reply(std::move(r));
}

}  // namespace dealstack::backend::api
