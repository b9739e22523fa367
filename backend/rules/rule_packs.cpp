#include "rules/rule_packs.hpp"

#include <nlohmann/json.hpp>

#include "actions/offers_feed.hpp"
#include "offers/etag.hpp"

namespace dealstack::backend::rules {

using Json = nlohmann::json;

std::string key_id(std::string_view public_key) { return crypto::hex_encode(crypto::sha256(public_key)).substr(0, 16); }

Result<crypto::SecretBytes> parse_seed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  auto bytes = crypto::base64_decode(text);
  if (!bytes || bytes->size() != crypto::kEd25519SeedBytes)
    return make_error("invalid_key", "the key file must hold the base64 of a 32-byte Ed25519 seed");
  crypto::SecretBytes seed(*bytes);
  crypto::wipe(*bytes);
  return seed;
}

Result<PackHeader> read_pack_header(std::string_view pack) {
  if (pack.size() > kMaxPackBytes)
    return make_error("invalid_pack", "the pack is over " + std::to_string(kMaxPackBytes >> 20) + " MiB");
  const Json j = Json::parse(pack.begin(), pack.end(), nullptr, false);
  if (j.is_discarded()) return make_error("invalid_pack", "the pack is not valid JSON");
  if (!j.is_object()) return make_error("invalid_pack", "the pack must be a JSON object");
  const auto r = j.find("retailer");
  if (r == j.end() || !r->is_string() || r->get_ref<const std::string&>().empty())
    return make_error("invalid_pack", "retailer: must be the shop's host name (a non-empty string)");
  if (!actions::retailer_key(r->get<std::string>()))
    return make_error("invalid_pack", "retailer: \"" + r->get<std::string>().substr(0, 100) + "\" is not a host name");
  const auto v = j.find("version");
  if (v == j.end() || !v->is_number_integer() || v->get<std::int64_t>() < 1)
    return make_error("invalid_pack", "version: must be an integer >= 1");
  return PackHeader{r->get<std::string>(), v->get<std::int64_t>()};
}

Result<std::string> sign_pack(const crypto::SecretBytes& seed, std::string_view pack) {
  auto header = read_pack_header(pack);
  if (!header) return header.error();
  auto pub = crypto::ed25519_public_key(seed);
  if (!pub) return pub.error();
  auto sig = crypto::ed25519_sign(seed, pack);
  if (!sig) return sig.error();
  Json env = {{"format", 1},
              {"retailer", header->retailer},
              {"version", header->version},
              {"key_id", key_id(*pub)},
              {"pack", crypto::base64_encode(pack)},
              {"signature", crypto::base64_encode(*sig)}};
  return env.dump();
}

Result<Envelope> check_envelope(std::string_view text, const std::vector<std::string>& keys) {
  auto bad = [](const std::string& why) { return make_error("invalid_envelope", why); };
  if (text.size() > kMaxPackBytes * 2) return bad("the envelope is over " + std::to_string(kMaxPackBytes >> 19) + " MiB");
  const Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("the envelope must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k != "format" && k != "retailer" && k != "version" && k != "key_id" && k != "pack" && k != "signature")
      return bad(k.substr(0, 50) + ": unknown field");
  }
  const auto format = j.find("format");
  if (format == j.end() || !format->is_number_integer() || format->get<std::int64_t>() != 1)
    return bad("format: must be 1");
  auto str = [&](const char* k) -> const std::string* {
    const auto it = j.find(k);
    return it != j.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
  };
  const std::string* retailer = str("retailer");
  if (retailer == nullptr || retailer->empty()) return bad("retailer: must be a non-empty string");
  const auto version = j.find("version");
  if (version == j.end() || !version->is_number_integer() || version->get<std::int64_t>() < 1)
    return bad("version: must be an integer >= 1");
  const std::string* kid = str("key_id");
  if (kid == nullptr || kid->size() != 16 || !crypto::hex_decode(*kid)) return bad("key_id: must be 16 hex digits");
  const std::string* pack_b64 = str("pack");
  if (pack_b64 == nullptr) return bad("pack: must be a base64 string");
  auto pack = crypto::base64_decode(*pack_b64);
  if (!pack) return bad("pack: is not base64");
  const std::string* sig_b64 = str("signature");
  if (sig_b64 == nullptr) return bad("signature: must be a base64 string");
  auto sig = crypto::base64_decode(*sig_b64);
  if (!sig || sig->size() != crypto::kEd25519SignatureBytes) return bad("signature: must be base64 of 64 bytes");

  bool verified = false;
  if (!keys.empty()) {
    const std::string* key = nullptr;
    for (const auto& k : keys)
      if (key_id(k) == *kid) key = &k;
    if (key == nullptr) return make_error("unknown_key", "key_id " + *kid + " is none of the configured rule_keys");
    // Before the pack is parsed: nothing unsigned is read.
    if (auto s = crypto::ed25519_verify(*key, *pack, *sig); !s) {
      if (s.error().code == "bad_signature")
        return make_error("bad_signature", "the signature does not match the pack (changed pack or wrong key)");
      return s.error();
    }
    verified = true;
  }
  auto header = read_pack_header(*pack);
  if (!header) return header.error();
  if (header->retailer != *retailer)
    return bad("retailer: \"" + retailer->substr(0, 100) + "\" but the pack says \"" + header->retailer.substr(0, 100) + "\"");
  if (header->version != version->get<std::int64_t>())
    return bad("version: " + std::to_string(version->get<std::int64_t>()) + " but the pack says " +
               std::to_string(header->version));
  auto normal = actions::retailer_key(*retailer);
  if (!normal) return bad("retailer: is not a host name");
  return Envelope{std::move(*normal), header->version, *kid, j.dump(), verified};
}

Status import_envelope(db::Db& db, const Envelope& e, std::int64_t now_ms) {
  auto txn = db.begin_write();
  if (!txn) return txn.error();
  auto cur = db.prepare("SELECT version FROM rule_packs WHERE retailer = ?1", "read a rule pack");
  if (!cur) return cur.error();
  cur->bind(1, e.retailer);
  auto row = cur->step();
  if (!row) return row.error();
  if (*row && cur->int64(0) > e.version)
    return make_error("invalid_envelope", "version " + std::to_string(e.version) + " is older than version " +
                                              std::to_string(cur->int64(0)) + " already served for " + e.retailer);
  cur = db::Stmt();
  auto put = db.prepare(
      "INSERT OR REPLACE INTO rule_packs (retailer, version, key_id, envelope, etag, imported_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      "store a rule pack");
  if (!put) return put.error();
  put->bind(1, e.retailer).bind(2, e.version).bind(3, e.key_id).bind(4, e.text).bind(5, strong_etag(e.text)).bind(6, now_ms);
  if (auto s = put->run(); !s) return s;
  return txn->commit();
}

Result<std::vector<PackInfo>> list_packs(db::Db& db) {
  auto st = db.cached("SELECT retailer, version, etag FROM rule_packs ORDER BY retailer", "list rule packs");
  if (!st) return st.error();
  std::vector<PackInfo> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({st->text(0), st->int64(1), st->text(2)});
  }
  return out;
}

Result<std::optional<Served>> find_pack(db::Db& db, std::string_view retailer) {
  auto normal = actions::retailer_key(retailer);
  if (!normal) return std::optional<Served>{};
  auto st = db.cached("SELECT envelope, etag FROM rule_packs WHERE retailer = ?1", "read a rule pack");
  if (!st) return st.error();
  st->bind(1, *normal);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<Served>{};
  return std::optional<Served>(Served{st->text(0), st->text(1)});
}

}  // namespace dealstack::backend::rules
