// GET /v1/rules -> {"packs":[{"retailer","version","etag"}]}; GET /v1/rules/{retailer} -> the
// signed envelope with its ETag (304 on If-None-Match). Public: the agents verify signatures.
#include "api/api.hpp"
#include "offers/etag.hpp"
#include "rules/rule_packs.hpp"

namespace dealstack::backend::api {

void rules_index(ServerState& state, const Request& req, const Reply& reply) {
  auto db = state.db();
  if (!db) return reply(error_response(db.error()));
  auto packs = rules::list_packs(**db);
  if (!packs) return reply(error_response(packs.error()));
  Json list = Json::array();
  for (const auto& p : *packs) list.push_back({{"retailer", p.retailer}, {"version", p.version}, {"etag", p.etag}});
  Response r = json_response(200, Json{{"packs", std::move(list)}});
  r.etag = strong_etag(r.body);
  if (if_none_match(req.if_none_match, r.etag)) {
    r.status = 304;
    r.body.clear();
  }
  reply(std::move(r));
}

void rules_pack(ServerState& state, const Request& req, std::string_view retailer, const Reply& reply) {
  auto db = state.db();
  if (!db) return reply(error_response(db.error()));
  auto pack = rules::find_pack(**db, retailer);
  if (!pack) return reply(error_response(pack.error()));
  if (!*pack) return reply(error_response("not_found", "no rule pack for " + std::string(retailer.substr(0, 200))));
  Response r;
  r.etag = (*pack)->etag;
  if (if_none_match(req.if_none_match, r.etag)) r.status = 304;
  else r.body = std::move((*pack)->envelope);
  reply(std::move(r));
}

}  // namespace dealstack::backend::api
