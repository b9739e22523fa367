// The public data the agent pulls from dealstack-server at the end of each sync round
// (docs/sync.md, "Offers and rule packs"): the offers feed and the signed extraction rule
// packs. Neither needs an account: they are the same for everyone.
//
// Rule packs are trusted only when signed: verify_envelope checks the envelope's Ed25519
// signature with the keys the agent trusts (agent.json "sync": {"rule_keys": [...]}) over
// the exact bytes of the pack BEFORE the pack is parsed, then parses it with the core's
// parse_rule_pack and checks that it says what the envelope says. Only such packs are
// stored (table sync_rule_packs), and never an older version over a newer one (rollback).
//
// Threads: the async pulls run on `io` and use `store` from its run() thread; `store` must
// outlive them and be used by nothing on another thread meanwhile (the agent's single event
// loop). `done` is called exactly once, from io.run().
//
// Errors (stable codes, docs/errors.md "Sync"):
//   "invalid_envelope"    the envelope isn't the contract's shape (named field), or over kMaxEnvelopeBytes
//   "untrusted_key"       its key_id is none of the trusted keys (or none are trusted)
//   "bad_signature"       the signature doesn't match the pack's bytes under that key
//   "pack_mismatch"       the pack's retailer or version differs from the envelope's (or,
//                         in a pull, from the retailer the server listed it under)
//   "rule_pack_rollback"  a lower version than the one stored
//   "invalid_argument"    a trusted key that is not base64 of a 32-byte Ed25519 public key
//   the core's pack errors ("invalid_rule_pack", "rule_pack_too_large", ...), passed on
//   "invalid_response"    GET /v1/rules' list isn't the API's shape
//   "rate_limited"        the server answered 429 (the message gives Retry-After)
//   "server_error"        any other unexpected HTTP status (the message names it and the
//                         server's own error code)
//   the HTTP client's codes (timeout, tls_failed, ...), the store's db_* codes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "http/client.hpp"
#include "store/model.hpp"
#include "store/store.hpp"

namespace boost::asio {
class io_context;
}

namespace dealstack::sync {

// An envelope's text, at most: a pack of the core's maximum (256 KiB) in base64 and the rest.
inline constexpr std::size_t kMaxEnvelopeBytes = std::size_t{512} << 10;
// Retailers read from one GET /v1/rules answer; any beyond are left for a later version.
inline constexpr std::size_t kMaxRulePacksListed = 1000;

// hex(SHA-256(public key)), the first 16 digits: how an envelope names its key.
std::string rule_key_id(std::string_view public_key);

struct VerifiedPack {
  std::string retailer;   // as the envelope and the pack spell it
  std::int64_t version = 0;
  std::string pack_text;  // the exact signed bytes: the rule pack's JSON (docs/rules.md)
  std::string key_id;     // the trusted key that signed it
};

// `trusted_public_keys`: base64 of raw 32-byte Ed25519 public keys, as agent.json lists them.
// Pure (no I/O).
Result<VerifiedPack> verify_envelope(std::string_view envelope_json,
                                     const std::vector<std::string>& trusted_public_keys);

// What the store holds for one retailer.
struct StoredRulePack {
  std::string retailer;  // the key it is kept under: rule_pack_retailer_key(pack's retailer)
  std::int64_t version = 0;
  std::optional<std::string> etag;  // the server's ETag of its envelope, sent as If-None-Match
  std::string key_id;
  std::int64_t fetched_at = 0;      // unix ms it was stored (or last confirmed unchanged)
  std::string pack;                 // the pack's JSON text
};

// The name packs are kept under: ASCII lower case, without one leading "www." or trailing
// dots ("WWW.Shop.Example." -> "shop.example"), as the server's GET /v1/rules lists them.
std::string rule_pack_retailer_key(std::string_view retailer);

// Stores a verified pack, replacing the retailer's older one, in one transaction. The same
// version again replaces it too (the operator re-signed it). Errors: "rule_pack_rollback"
// (a lower version than stored: nothing changes), the store's.
Status save_rule_pack(store::Store& store, const VerifiedPack& pack, const std::optional<std::string>& etag,
                      std::int64_t now_ms = store::system_clock_ms());

// The text of the stored pack whose "hosts" list `host` (compared in ASCII lower case
// without trailing dots; no port, no wildcard: "www." hosts are listed on their own, as
// docs/rules.md says). When several packs list it, the one of the first retailer by name.
// nullopt: none. Cost: one query reading each stored pack's hosts (SQLite's json_each).
Result<std::optional<std::string>> rule_pack_for_host(store::Store& store, std::string_view host);

// Every stored pack, by retailer (with its text).
Result<std::vector<StoredRulePack>> list_rule_packs(store::Store& store);
// The pack kept under rule_pack_retailer_key(retailer), if any.
Result<std::optional<StoredRulePack>> stored_rule_pack(store::Store& store, std::string_view retailer);

// The offers feed's reader: the response body -> what Store::replace_offers takes, or
// "invalid_feed". The agent passes actions::parse_feed_text + actions::read_feed (the sync
// library can't link the actions layer, which sits above it).
using FeedReader = std::function<Result<std::vector<store::RetailerOffers>>(std::string_view feed_text)>;

struct OffersPulled {
  bool changed = false;       // 200: the stored offers were replaced (publish offers.updated)
  std::size_t retailers = 0;  // retailers stored now (after a 304: as before)
};

// GET {base_url}/v1/offers with the stored ETag (sync_state.offers_etag) as If-None-Match.
// 304: nothing changes but sync_state.offers_synced_at. 200: the body is read whole by
// `read_feed`, then replace_offers (one transaction), then the new ETag and offers_synced_at
// are kept (a second transaction: a crash between the two only makes the next pull fetch
// the feed again). Writes no sync_outbox rows: offers are the server's, never pushed.
// `base_url`: "https://host:port" (a trailing "/" is fine).
void async_pull_offers(boost::asio::io_context& io, http::ClientOptions options, std::string base_url,
                       store::Store& store, FeedReader read_feed, std::function<void(Result<OffersPulled>)> done,
                       store::Clock clock = store::system_clock_ms);

struct RefusedPack {
  std::string retailer;  // as the server listed it
  std::string code;      // why (the codes above, or the HTTP client's)
  std::string message;
};
struct RulesPulled {
  std::vector<std::string> updated;  // retailers whose pack was stored (new or newer)
  std::vector<RefusedPack> refused;  // each keeps its previous pack, if any
  std::size_t unchanged = 0;         // listed with the stored ETag, or answered 304
};

// GET {base_url}/v1/rules, then, one at a time, GET /v1/rules/{retailer} for each listed
// retailer whose ETag differs from the stored one (with the stored ETag as If-None-Match):
// verify_envelope, check it is that retailer's, save_rule_pack. A pack refused for any
// reason (signature, rollback, a failed fetch of that one envelope) is reported in
// `refused` and the others go on. Errors (the whole pull): the list's fetch or shape, the
// store's db_* codes. Packs the server no longer lists are kept (the API has no deletion).
void async_pull_rules(boost::asio::io_context& io, http::ClientOptions options, std::string base_url,
                      store::Store& store, std::vector<std::string> trusted_public_keys,
                      std::function<void(Result<RulesPulled>)> done, store::Clock clock = store::system_clock_ms);

}  // namespace dealstack::sync
