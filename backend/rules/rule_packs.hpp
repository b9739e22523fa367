// Signed rule packs (contract section 4): the envelope
//   {"format":1,"retailer":"shop.example","version":3,"key_id":"<16 hex>",
//    "pack":"<base64 of the pack's exact bytes>","signature":"<base64 Ed25519 over those bytes>"}
// The pack itself is opaque to the server (docs/rules.md is its format); it only has to be a
// JSON object whose "retailer" and "version" are the envelope's.
//
// Errors: "invalid_pack" (the pack is not such a JSON object), "invalid_envelope" (the
// envelope's shape, a retailer/version that doesn't match its pack, an older version than the
// one served), "unknown_key" (no configured key has the envelope's key_id), "bad_signature",
// "invalid_key" (a seed file that is not a base64 32-byte seed), db_* codes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "crypto/crypto.hpp"
#include "db/sqlite.hpp"

namespace dealstack::backend::rules {

inline constexpr std::size_t kMaxPackBytes = 4u << 20;

// hex(SHA-256(public key)), first 16 digits.
std::string key_id(std::string_view public_key);

// A seed file's text: base64 of the 32-byte seed, optional trailing newline.
Result<crypto::SecretBytes> parse_seed(std::string_view text);

struct PackHeader {
  std::string retailer;  // as the pack spells it
  std::int64_t version = 0;
};
Result<PackHeader> read_pack_header(std::string_view pack_bytes);

// The envelope for a pack, as JSON text (one line).
Result<std::string> sign_pack(const crypto::SecretBytes& seed, std::string_view pack_bytes);

struct Envelope {
  std::string retailer;  // the normal form (actions::retailer_key) it is served under
  std::int64_t version = 0;
  std::string key_id;
  std::string text;      // the envelope as served (compact JSON)
  bool verified = false; // checked against a configured key
};
// Checks the shape, the pack against the envelope, and, when `keys` (raw public keys) is not
// empty, the signature with the key whose key_id the envelope names.
Result<Envelope> check_envelope(std::string_view envelope_text, const std::vector<std::string>& keys);

// Stores (replacing an older or equal version; refusing an older one).
Status import_envelope(db::Db& db, const Envelope& envelope, std::int64_t now_ms);

struct PackInfo {
  std::string retailer;
  std::int64_t version = 0;
  std::string etag;
};
Result<std::vector<PackInfo>> list_packs(db::Db& db);
struct Served {
  std::string envelope;
  std::string etag;
};
Result<std::optional<Served>> find_pack(db::Db& db, std::string_view retailer);

}  // namespace dealstack::backend::rules
