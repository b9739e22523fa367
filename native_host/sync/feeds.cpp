#include "sync/feeds.hpp"

#include <algorithm>
#include <memory>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "crypto/crypto.hpp"
#include "extract/rules.hpp"
#include "sync/session.hpp"

namespace dealstack::sync {

namespace {

using Json = nlohmann::json;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower_no_trailing_dots(std::string_view s) {
  while (!s.empty() && s.back() == '.') s.remove_suffix(1);
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

Error bad_envelope(const std::string& why) { return make_error("invalid_envelope", "rule pack envelope: " + why); }

// A printable, bounded piece of untrusted text for a message.
std::string shown(std::string_view s) {
  std::string out = "\"";
  for (char c : s.substr(0, 100)) out += (c >= 0x20 && c < 0x7f && c != '"') ? c : '?';
  if (s.size() > 100) out += "...";
  return out + "\"";
}

std::string join_url(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base) + std::string(path);
}

// An HTTP answer other than the ones a pull expects: the server's own error code, when its
// body has one, goes into the message.
Error status_error(const http::Response& r, std::string_view what) {
  std::string detail;
  const Json j = Json::parse(r.body, nullptr, false);
  if (j.is_object()) {
    const auto e = j.find("error");
    if (e != j.end() && e->is_object()) {
      const auto c = e->find("code");
      const auto m = e->find("message");
      if (c != e->end() && c->is_string()) detail += " " + shown(c->get<std::string>());
      if (m != e->end() && m->is_string()) detail += " " + shown(m->get<std::string>());
    }
  }
  std::string message = std::string(what) + ": the server answered HTTP " + std::to_string(r.status) + detail;
  if (r.status == 429) {
    if (r.retry_after_seconds) message += "; retry after " + std::to_string(*r.retry_after_seconds) + " s";
    return make_error("rate_limited", message);
  }
  return make_error("server_error", message);
}

bool is_db_error(const Error& e) { return e.code.rfind("db_", 0) == 0 || e.code == "constraint"; }

// A retailer name the server listed, safe to put in a URL path: 1..253 bytes of letters,
// digits, '.', '-', '_', ':' (docs/rules.md's retailer rule), not "." or "..".
bool safe_retailer(std::string_view r) {
  if (r.empty() || r.size() > 253 || r == "." || r == "..") return false;
  return std::all_of(r.begin(), r.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_' || c == ':';
  });
}

StoredRulePack read_pack_row(const store::Statement& st) {
  StoredRulePack p;
  p.retailer = st.text(0);
  p.version = st.int64(1);
  p.etag = st.optional_text(2);
  p.key_id = st.text(3);
  p.fetched_at = st.int64(4);
  p.pack = st.text(5);
  return p;
}

constexpr const char* kPackColumns = "retailer, version, etag, key_id, fetched_at, pack";

}  // namespace

std::string rule_key_id(std::string_view public_key) {
  return crypto::hex_encode(crypto::sha256(public_key)).substr(0, 16);
}

std::string rule_pack_retailer_key(std::string_view retailer) {
  std::string key = lower_no_trailing_dots(retailer);
  if (key.rfind("www.", 0) == 0 && key.size() > 4) key.erase(0, 4);
  return key;
}

Result<VerifiedPack> verify_envelope(std::string_view text, const std::vector<std::string>& trusted_public_keys) {
  if (text.size() > kMaxEnvelopeBytes)
    return bad_envelope("over " + std::to_string(kMaxEnvelopeBytes >> 10) + " KiB (" + std::to_string(text.size()) +
                        " bytes)");
  const Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad_envelope("not a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    if (k != "format" && k != "retailer" && k != "version" && k != "key_id" && k != "pack" && k != "signature")
      return bad_envelope(shown(k) + ": unknown field");
  }
  auto field = [&](const char* name) -> const Json* {
    const auto it = j.find(name);
    return it == j.end() ? nullptr : &*it;
  };
  const Json* format = field("format");
  if (format == nullptr || !format->is_number_integer() || format->get<std::int64_t>() != 1)
    return bad_envelope("format: must be 1");
  const Json* retailer = field("retailer");
  if (retailer == nullptr || !retailer->is_string() || retailer->get_ref<const std::string&>().empty() ||
      retailer->get_ref<const std::string&>().size() > 253)
    return bad_envelope("retailer: must be a string of 1 to 253 bytes");
  const Json* version = field("version");
  if (version == nullptr || !version->is_number_integer() || version->get<std::int64_t>() < 1)
    return bad_envelope("version: must be an integer >= 1");
  const Json* kid = field("key_id");
  if (kid == nullptr || !kid->is_string() || kid->get_ref<const std::string&>().size() != 16 ||
      !std::all_of(kid->get_ref<const std::string&>().begin(), kid->get_ref<const std::string&>().end(),
                   [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
    return bad_envelope("key_id: must be 16 lower-case hex digits");
  const Json* pack_b64 = field("pack");
  if (pack_b64 == nullptr || !pack_b64->is_string()) return bad_envelope("pack: must be a base64 string");
  auto pack = crypto::base64_decode(pack_b64->get_ref<const std::string&>());
  if (!pack) return bad_envelope("pack: is not base64");
  const Json* sig_b64 = field("signature");
  if (sig_b64 == nullptr || !sig_b64->is_string()) return bad_envelope("signature: must be a base64 string");
  auto sig = crypto::base64_decode(sig_b64->get_ref<const std::string&>());
  if (!sig || sig->size() != crypto::kEd25519SignatureBytes)
    return bad_envelope("signature: must be base64 of " + std::to_string(crypto::kEd25519SignatureBytes) + " bytes");

  const std::string& key_id = kid->get_ref<const std::string&>();
  if (trusted_public_keys.empty())
    return make_error("untrusted_key", "rule pack signed by key " + key_id +
                                           ", but no rule keys are trusted (agent.json \"sync\": {\"rule_keys\"})");
  std::optional<std::string> key;
  for (std::size_t i = 0; i < trusted_public_keys.size(); ++i) {
    auto raw = crypto::base64_decode(trusted_public_keys[i]);
    if (!raw || raw->size() != crypto::kEd25519PublicBytes)
      return make_error("invalid_argument", "rule_keys[" + std::to_string(i) +
                                                "]: must be base64 of a 32-byte Ed25519 public key");
    if (!key && rule_key_id(*raw) == key_id) key = std::move(*raw);
  }
  if (!key) return make_error("untrusted_key", "rule pack signed by key " + key_id + ", which is none of the trusted rule keys");
  // Before the pack is parsed: nothing unsigned is read.
  if (auto ok = crypto::ed25519_verify(*key, *pack, *sig); !ok) {
    if (ok.error().code == "bad_signature")
      return make_error("bad_signature", "rule pack for " + shown(retailer->get<std::string>()) +
                                             ": the signature does not match the pack (changed in transit or signed "
                                             "by another key with the same key_id)");
    return ok.error();
  }
  auto parsed = parse_rule_pack(*pack);
  if (!parsed) return parsed.error();
  if (parsed->retailer != retailer->get_ref<const std::string&>())
    return make_error("pack_mismatch", "the envelope is for retailer " + shown(retailer->get<std::string>()) +
                                           " but its pack says " + shown(parsed->retailer));
  if (parsed->version != version->get<std::int64_t>())
    return make_error("pack_mismatch", "the envelope is version " + std::to_string(version->get<std::int64_t>()) +
                                           " but its pack says " + std::to_string(parsed->version));
  return VerifiedPack{parsed->retailer, parsed->version, std::move(*pack), key_id};
}

Status save_rule_pack(store::Store& store, const VerifiedPack& pack, const std::optional<std::string>& etag,
                      std::int64_t now_ms) {
  store::Database& db = store.database();
  const std::string key = rule_pack_retailer_key(pack.retailer);
  auto tx = db.begin();
  if (!tx) return tx.error();
  {
    auto cur = db.prepare("SELECT version FROM sync_rule_packs WHERE retailer = ?", "read a rule pack");
    if (!cur) return cur.error();
    cur->bind(1, std::string_view(key));
    auto row = cur->step();
    if (!row) return row.error();
    if (*row && cur->int64(0) > pack.version)
      return make_error("rule_pack_rollback", "rule pack for " + shown(key) + ": version " +
                                                  std::to_string(pack.version) + " is older than the stored version " +
                                                  std::to_string(cur->int64(0)));
  }
  auto put = db.prepare(
      "INSERT OR REPLACE INTO sync_rule_packs (retailer, version, etag, key_id, pack, fetched_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      "store a rule pack");
  if (!put) return put.error();
  if (auto ok = put->bind(1, std::string_view(key))
                    .bind(2, pack.version)
                    .bind(3, etag)
                    .bind(4, std::string_view(pack.key_id))
                    .bind(5, std::string_view(pack.pack_text))
                    .bind(6, now_ms)
                    .run();
      !ok)
    return ok.error();
  put = store::Statement();
  return tx->commit();
}

Result<std::optional<std::string>> rule_pack_for_host(store::Store& store, std::string_view host) {
  const std::string wanted = lower_no_trailing_dots(host);
  if (wanted.empty()) return std::optional<std::string>{};
  auto st = store.database().prepare(
      "SELECT p.pack FROM sync_rule_packs AS p, json_each(p.pack, '$.hosts') AS h "
      "WHERE h.type = 'text' AND lower(rtrim(h.value, '.')) = ? ORDER BY p.retailer LIMIT 1",
      "find the rule pack for a host");
  if (!st) return st.error();
  st->bind(1, std::string_view(wanted));
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>{};
  return std::optional<std::string>(st->text(0));
}

Result<std::vector<StoredRulePack>> list_rule_packs(store::Store& store) {
  auto st = store.database().prepare(std::string("SELECT ") + kPackColumns + " FROM sync_rule_packs ORDER BY retailer",
                                     "list rule packs");
  if (!st) return st.error();
  std::vector<StoredRulePack> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_pack_row(*st));
  }
  return out;
}

Result<std::optional<StoredRulePack>> stored_rule_pack(store::Store& store, std::string_view retailer) {
  auto st = store.database().prepare(
      std::string("SELECT ") + kPackColumns + " FROM sync_rule_packs WHERE retailer = ?", "read a rule pack");
  if (!st) return st.error();
  const std::string key = rule_pack_retailer_key(retailer);
  st->bind(1, std::string_view(key));
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return std::optional<StoredRulePack>{};
  return std::optional<StoredRulePack>(read_pack_row(*st));
}

// --- Offers -----------------------------------------------------------------------------

namespace {

// After a 200 (`etag`: the new one, none when the server sent none) or a 304 (etag unset:
// only the time moves). Only these two columns: the sync loop may hold the rest of the row.
Status save_offers_state(store::Store& store, const std::optional<std::optional<std::string>>& etag,
                         std::int64_t now_ms) {
  if (auto state = load_state(store); !state) return state.error();  // makes the row when missing
  if (!etag) {
    auto st = store.database().prepare("UPDATE sync_state SET offers_synced_at = ? WHERE id = 1",
                                       "note the offers feed unchanged");
    if (!st) return st.error();
    return st->bind(1, now_ms).run();
  }
  auto st = store.database().prepare("UPDATE sync_state SET offers_etag = ?, offers_synced_at = ? WHERE id = 1",
                                     "keep the offers feed's ETag");
  if (!st) return st.error();
  return st->bind(1, *etag).bind(2, now_ms).run();
}

Result<std::size_t> stored_retailer_count(store::Store& store) {
  auto summary = store.offer_summary();
  if (!summary) return summary.error();
  return summary->retailers.size();
}

}  // namespace

void async_pull_offers(boost::asio::io_context& io, http::ClientOptions options, std::string base_url,
                       store::Store& store, FeedReader read_feed, std::function<void(Result<OffersPulled>)> done,
                       store::Clock clock) {
  auto state = load_state(store);
  if (!state) {
    boost::asio::post(io, [done = std::move(done), e = state.error()] { done(e); });
    return;
  }
  http::Request req;
  req.url = join_url(base_url, "/v1/offers");
  req.headers["Accept"] = "application/json";
  req.etag = state->offers_etag;
  http::async_fetch(
      io, std::move(req), std::move(options),
      [&store, read_feed = std::move(read_feed), done = std::move(done),
       clock = std::move(clock)](Result<http::Response> response) {
        if (!response) return done(response.error());
        const std::int64_t now = clock();
        if (response->not_modified || response->status == 304) {
          if (auto ok = save_offers_state(store, std::nullopt, now); !ok) return done(ok.error());
          auto count = stored_retailer_count(store);
          if (!count) return done(count.error());
          return done(OffersPulled{false, *count});
        }
        if (response->status != 200) return done(status_error(*response, "GET /v1/offers"));
        if (!read_feed) return done(make_error("invalid_argument", "async_pull_offers: no feed reader"));
        auto retailers = read_feed(response->body);
        if (!retailers) return done(retailers.error());
        if (auto replaced = store.replace_offers(*retailers); !replaced) return done(replaced.error());
        if (auto ok = save_offers_state(store, std::optional<std::optional<std::string>>(response->etag), now); !ok) return done(ok.error());
        done(OffersPulled{true, retailers->size()});
      });
}

// --- Rule packs -------------------------------------------------------------------------

namespace {

struct Listed {
  std::string retailer;
  std::int64_t version = 0;
  std::optional<std::string> etag;
};

Result<std::vector<Listed>> read_rules_list(const std::string& body) {
  auto bad = [](const std::string& why) { return make_error("invalid_response", "GET /v1/rules: " + why); };
  const Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  const auto packs = j.find("packs");
  if (packs == j.end() || !packs->is_array()) return bad("packs: must be an array");
  std::vector<Listed> out;
  for (std::size_t i = 0; i < packs->size() && out.size() < kMaxRulePacksListed; ++i) {
    const Json& p = (*packs)[i];
    const std::string at = "packs[" + std::to_string(i) + "]";
    if (!p.is_object()) return bad(at + ": must be an object");
    const auto r = p.find("retailer");
    if (r == p.end() || !r->is_string()) return bad(at + ".retailer: must be a string");
    const auto v = p.find("version");
    if (v == p.end() || !v->is_number_integer()) return bad(at + ".version: must be an integer");
    Listed l{r->get<std::string>(), v->get<std::int64_t>(), std::nullopt};
    const auto e = p.find("etag");
    if (e != p.end() && e->is_string()) l.etag = e->get<std::string>();
    out.push_back(std::move(l));
  }
  return out;
}

// One pull of the rules: the list, then each retailer in turn.
struct RulesPull : std::enable_shared_from_this<RulesPull> {
  boost::asio::io_context& io;
  http::ClientOptions options;
  std::string base_url;
  store::Store& store;
  std::vector<std::string> keys;
  std::function<void(Result<RulesPulled>)> done;
  store::Clock clock;
  std::vector<Listed> listed;
  std::size_t next = 0;
  RulesPulled result;

  RulesPull(boost::asio::io_context& io_, http::ClientOptions o, std::string base, store::Store& s,
            std::vector<std::string> k, std::function<void(Result<RulesPulled>)> d, store::Clock c)
      : io(io_), options(std::move(o)), base_url(std::move(base)), store(s), keys(std::move(k)), done(std::move(d)),
        clock(std::move(c)) {}

  void start() {
    http::Request req;
    req.url = join_url(base_url, "/v1/rules");
    req.headers["Accept"] = "application/json";
    http::async_fetch(io, std::move(req), options, [self = shared_from_this()](Result<http::Response> r) {
      if (!r) return self->done(r.error());
      if (r->status != 200) return self->done(status_error(*r, "GET /v1/rules"));
      auto list = read_rules_list(r->body);
      if (!list) return self->done(list.error());
      self->listed = std::move(*list);
      self->step();
    });
  }

  void refuse(const Listed& l, const Error& e) { result.refused.push_back({l.retailer, e.code, e.message}); }

  // The next listed retailer whose pack may have changed, or the end.
  void step() {
    while (next < listed.size()) {
      const Listed& l = listed[next];
      if (!safe_retailer(l.retailer)) {
        refuse(l, make_error("invalid_response", "GET /v1/rules lists " + shown(l.retailer) +
                                                     ", which is not a retailer name"));
        ++next;
        continue;
      }
      auto stored = stored_rule_pack(store, l.retailer);
      if (!stored) return done(stored.error());
      if (*stored && l.etag && (*stored)->etag == l.etag && (*stored)->version == l.version) {
        ++result.unchanged;
        ++next;
        continue;
      }
      http::Request req;
      req.url = join_url(base_url, "/v1/rules/" + l.retailer);
      req.headers["Accept"] = "application/json";
      if (*stored) req.etag = (*stored)->etag;
      http::async_fetch(io, std::move(req), options,
                        [self = shared_from_this()](Result<http::Response> r) { self->fetched(std::move(r)); });
      return;
    }
    done(std::move(result));
  }

  void fetched(Result<http::Response> r) {
    const Listed& l = listed[next++];
    if (!r) {
      refuse(l, r.error());
    } else if (r->not_modified || r->status == 304) {
      ++result.unchanged;
    } else if (r->status != 200) {
      refuse(l, status_error(*r, "GET /v1/rules/" + l.retailer));
    } else if (auto pack = verify_envelope(r->body, keys); !pack) {
      if (pack.error().code == "invalid_argument") return done(pack.error());  // our own keys are wrong
      refuse(l, pack.error());
    } else if (rule_pack_retailer_key(pack->retailer) != rule_pack_retailer_key(l.retailer)) {
      refuse(l, make_error("pack_mismatch", "the server listed " + shown(l.retailer) + " but sent the pack for " +
                                                shown(pack->retailer)));
    } else if (auto saved = save_rule_pack(store, *pack, r->etag, clock()); !saved) {
      if (is_db_error(saved.error())) return done(saved.error());
      refuse(l, saved.error());
    } else {
      result.updated.push_back(l.retailer);
    }
    step();
  }
};

}  // namespace

void async_pull_rules(boost::asio::io_context& io, http::ClientOptions options, std::string base_url,
                      store::Store& store, std::vector<std::string> trusted_public_keys,
                      std::function<void(Result<RulesPulled>)> done, store::Clock clock) {
  std::make_shared<RulesPull>(io, std::move(options), std::move(base_url), store, std::move(trusted_public_keys),
                              std::move(done), std::move(clock))
      ->start();
}

}  // namespace dealstack::sync
