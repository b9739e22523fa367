#include "sync/feeds.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "../http/loopback_server.hpp"
#include "../store/temp_dir.hpp"
#include "crypto/crypto.hpp"
#include "real_server.hpp"
#include "store/fault_vfs.hpp"
#include "sync/session.hpp"

// The agent's own feed reader. The sync library can't link the actions layer (which sits
// above it), so async_pull_offers takes the reader as a parameter; the test compiles the
// real one in (it needs only the core and protocol's JSON), as backend/CMakeLists.txt does.
#include "actions/offers_feed.cpp"

using namespace dealstack;
using namespace dealstack::sync;
using dealstack::store::testing::TempDir;
using dealstack::sync::testing::RealServer;
using Json = nlohmann::json;

namespace {

Json fixture_pack() {
  std::ifstream in(std::string(DEALSTACK_FIXTURES_DIR) + "/rules/financing-price.pack.json");
  REQUIRE(in.good());
  return Json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
}

// A valid pack's exact text (docs/rules.md), for `retailer` at `version` on `hosts`.
std::string pack_text(const std::string& retailer, std::int64_t version, std::vector<std::string> hosts) {
  Json p = fixture_pack();
  p["retailer"] = retailer;
  p["version"] = version;
  p["hosts"] = hosts;
  return p.dump();
}

struct Key {
  crypto::Ed25519KeyPair pair;
  std::string b64() const { return crypto::base64_encode(pair.public_key); }
  std::string id() const { return rule_key_id(pair.public_key); }
};
Key new_key() {
  auto k = crypto::ed25519_generate();
  REQUIRE(k.ok());
  return Key{std::move(k).value()};
}

// The envelope of the contract (section 4) as JSON, signed by `key`; the retailer and
// version are the pack's unless the test changes them afterwards.
Json envelope(const Key& key, const std::string& pack) {
  auto sig = crypto::ed25519_sign(key.pair.seed, pack);
  REQUIRE(sig.ok());
  const Json p = Json::parse(pack);
  return {{"format", 1},         {"retailer", p["retailer"]},
          {"version", p["version"]}, {"key_id", key.id()},
          {"pack", crypto::base64_encode(pack)}, {"signature", crypto::base64_encode(*sig)}};
}

std::string decoded(const Json& env, const char* field) {
  auto d = crypto::base64_decode(env[field].get<std::string>());
  REQUIRE(d.ok());
  return *d;
}

struct Agent {
  TempDir dir;
  std::int64_t now = 1'700'000'000'000LL;
  std::unique_ptr<store::Store> store;
  explicit Agent(const store::Database::Options& options = {}) {
    auto s = store::Store::open(dir.db(), options, [this] { return now; });
    REQUIRE_MESSAGE(s.ok(), s.error().message);
    store = std::make_unique<store::Store>(std::move(s).value());
  }
  std::int64_t count(const std::string& sql) {
    auto st = store->database().prepare(sql, "count");
    REQUIRE(st.ok());
    REQUIRE(*st->step());
    return st->int64(0);
  }
};

VerifiedPack verified(const Key& key, const std::string& pack) {
  auto v = verify_envelope(envelope(key, pack).dump(), {key.b64()});
  REQUIRE_MESSAGE(v.ok(), v.error().message);
  return *v;
}

}  // namespace

// --- verify_envelope ---------------------------------------------------------------------

TEST_CASE("verify_envelope accepts a pack signed by a trusted key and returns its exact bytes") {
  const Key key = new_key(), other = new_key();
  const std::string pack = pack_text("brewhaus.example", 3, {"brewhaus.example"});
  auto v = verify_envelope(envelope(key, pack).dump(), {other.b64(), key.b64()});
  REQUIRE_MESSAGE(v.ok(), v.error().message);
  CHECK(v->retailer == "brewhaus.example");
  CHECK(v->version == 3);
  CHECK(v->pack_text == pack);
  CHECK(v->key_id == key.id());
  CHECK(v->key_id.size() == 16);
}

TEST_CASE("verify_envelope refuses every flipped byte of the pack, the signature and the key_id") {
  const Key key = new_key();
  const std::string pack = pack_text("brewhaus.example", 3, {"brewhaus.example"});
  const Json good = envelope(key, pack);
  const std::string sig = decoded(good, "signature");
  for (std::size_t i = 0; i < pack.size(); ++i) {
    std::string bad = pack;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    Json env = good;
    env["pack"] = crypto::base64_encode(bad);
    auto v = verify_envelope(env.dump(), {key.b64()});
    REQUIRE_FALSE(v.ok());
    CHECK_MESSAGE(v.error().code == "bad_signature", "pack byte ", i);
  }
  for (std::size_t i = 0; i < sig.size(); ++i) {
    std::string bad = sig;
    bad[i] = static_cast<char>(bad[i] ^ 0x80);
    Json env = good;
    env["signature"] = crypto::base64_encode(bad);
    auto v = verify_envelope(env.dump(), {key.b64()});
    REQUIRE_FALSE(v.ok());
    CHECK_MESSAGE(v.error().code == "bad_signature", "signature byte ", i);
  }
  const std::string kid = good["key_id"];
  for (std::size_t i = 0; i < kid.size(); ++i) {
    std::string bad = kid;
    bad[i] = bad[i] == '0' ? '1' : '0';
    Json env = good;
    env["key_id"] = bad;
    auto v = verify_envelope(env.dump(), {key.b64()});
    REQUIRE_FALSE(v.ok());
    CHECK_MESSAGE(v.error().code == "untrusted_key", "key_id digit ", i);
  }
}

TEST_CASE("verify_envelope refuses a key that isn't trusted, and a trusted key_id over another key's signature") {
  const Key trusted = new_key(), stranger = new_key();
  const std::string pack = pack_text("brewhaus.example", 3, {"brewhaus.example"});
  auto v = verify_envelope(envelope(stranger, pack).dump(), {trusted.b64()});
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code == "untrusted_key");
  CHECK(v.error().message.find(stranger.id()) != std::string::npos);

  Json forged = envelope(stranger, pack);
  forged["key_id"] = trusted.id();
  v = verify_envelope(forged.dump(), {trusted.b64()});
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code == "bad_signature");

  v = verify_envelope(envelope(trusted, pack).dump(), {});
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code == "untrusted_key");

  v = verify_envelope(envelope(trusted, pack).dump(), {trusted.b64(), "not a key"});
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code == "invalid_argument");
  CHECK(v.error().message.find("rule_keys[1]") != std::string::npos);
}

TEST_CASE("verify_envelope refuses a signed pack whose retailer or version differs from the envelope's") {
  const Key key = new_key();
  Json env = envelope(key, pack_text("brewhaus.example", 3, {"brewhaus.example"}));
  env["retailer"] = "other.example";
  auto v = verify_envelope(env.dump(), {key.b64()});
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code == "pack_mismatch");
  CHECK(v.error().message.find("other.example") != std::string::npos);

  env = envelope(key, pack_text("brewhaus.example", 3, {"brewhaus.example"}));
  env["version"] = 4;
  v = verify_envelope(env.dump(), {key.b64()});
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code == "pack_mismatch");
}

TEST_CASE("verify_envelope checks the signature before reading the pack") {
  const Key key = new_key();
  // A signed pack that isn't a valid rule pack: the core's reader refuses it after the signature.
  const std::string not_a_pack = R"({"retailer":"brewhaus.example","version":3,"format":1,"selectors":1})";
  auto v = verify_envelope(envelope(key, not_a_pack).dump(), {key.b64()});
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code == "invalid_rule_pack");
  // The same bytes unsigned (a foreign signature): refused for the signature, never parsed.
  Json env = envelope(key, not_a_pack);
  env["signature"] = envelope(key, pack_text("brewhaus.example", 3, {"brewhaus.example"}))["signature"];
  v = verify_envelope(env.dump(), {key.b64()});
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().code == "bad_signature");
}

TEST_CASE("verify_envelope refuses envelopes that aren't the contract's shape, naming the field") {
  const Key key = new_key();
  const Json good = envelope(key, pack_text("brewhaus.example", 3, {"brewhaus.example"}));
  struct Case {
    const char* what;
    std::function<void(Json&)> change;
  };
  const std::vector<Case> cases = {
      {"format", [](Json& e) { e["format"] = 2; }},
      {"format", [](Json& e) { e.erase("format"); }},
      {"retailer", [](Json& e) { e["retailer"] = ""; }},
      {"version", [](Json& e) { e["version"] = "3"; }},
      {"version", [](Json& e) { e["version"] = 0; }},
      {"key_id", [](Json& e) { e["key_id"] = "ABCDEF0123456789"; }},
      {"key_id", [](Json& e) { e["key_id"] = "abc"; }},
      {"pack", [](Json& e) { e["pack"] = "***"; }},
      {"pack", [](Json& e) { e.erase("pack"); }},
      {"signature", [](Json& e) { e["signature"] = crypto::base64_encode("short"); }},
      {"extra", [](Json& e) { e["extra"] = true; }},
  };
  for (const Case& c : cases) {
    Json env = good;
    c.change(env);
    auto v = verify_envelope(env.dump(), {key.b64()});
    REQUIRE_FALSE(v.ok());
    CHECK_MESSAGE(v.error().code == "invalid_envelope", c.what);
    CHECK_MESSAGE(v.error().message.find(c.what) != std::string::npos, v.error().message);
  }
  for (const char* text : {"", "[]", "{", "null", "{\"format\":1}"}) {
    auto v = verify_envelope(text, {key.b64()});
    REQUIRE_FALSE(v.ok());
    CHECK(v.error().code == "invalid_envelope");
  }
  // Deep nesting is refused without recursion trouble (ASan build: no stack overflow).
  auto deep = verify_envelope(std::string(200'000, '[') + std::string(200'000, ']'), {key.b64()});
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error().code == "invalid_envelope");
  auto big = verify_envelope(std::string(kMaxEnvelopeBytes + 1, ' '), {key.b64()});
  REQUIRE_FALSE(big.ok());
  CHECK(big.error().code == "invalid_envelope");
}

// --- The store ---------------------------------------------------------------------------

TEST_CASE("save_rule_pack keeps the newest version and refuses a rollback") {
  Agent agent;
  const Key key = new_key();
  REQUIRE(save_rule_pack(*agent.store, verified(key, pack_text("brewhaus.example", 3, {"brewhaus.example"})),
                         "\"e3\"", 1000)
              .ok());
  auto older = save_rule_pack(*agent.store, verified(key, pack_text("brewhaus.example", 2, {"brewhaus.example"})),
                              "\"e2\"", 2000);
  REQUIRE_FALSE(older.ok());
  CHECK(older.error().code == "rule_pack_rollback");
  auto kept = stored_rule_pack(*agent.store, "brewhaus.example");
  REQUIRE(kept.ok());
  REQUIRE(kept->has_value());
  CHECK((*kept)->version == 3);
  CHECK((*kept)->etag == "\"e3\"");
  CHECK((*kept)->fetched_at == 1000);
  CHECK((*kept)->key_id == key.id());

  // The same version again (re-signed) and a newer one replace it.
  REQUIRE(save_rule_pack(*agent.store, verified(key, pack_text("brewhaus.example", 3, {"brewhaus.example"})),
                         "\"e3b\"", 3000)
              .ok());
  CHECK((*stored_rule_pack(*agent.store, "brewhaus.example"))->etag == "\"e3b\"");
  REQUIRE(save_rule_pack(*agent.store, verified(key, pack_text("Brewhaus.Example", 4, {"brewhaus.example"})),
                         std::nullopt, 4000)
              .ok());
  auto all = list_rule_packs(*agent.store);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);  // "Brewhaus.Example" is kept under the same name
  CHECK((*all)[0].retailer == "brewhaus.example");
  CHECK((*all)[0].version == 4);
  CHECK_FALSE((*all)[0].etag.has_value());
  CHECK(agent.count("SELECT count(*) FROM sync_outbox") == 0);
}

TEST_CASE("rule_pack_for_host finds the pack listing the host, ignoring case and a trailing dot, www. only if listed") {
  Agent agent;
  const Key key = new_key();
  const std::string brew = pack_text("brewhaus.example", 3, {"brewhaus.example", "www.brewhaus.example"});
  const std::string shop = pack_text("shop.example", 1, {"Shop.Example"});
  REQUIRE(save_rule_pack(*agent.store, verified(key, brew), std::nullopt, 1).ok());
  REQUIRE(save_rule_pack(*agent.store, verified(key, shop), std::nullopt, 1).ok());

  auto found = [&](const std::string& host) {
    auto r = rule_pack_for_host(*agent.store, host);
    REQUIRE_MESSAGE(r.ok(), r.error().message);
    return *r;
  };
  CHECK(found("brewhaus.example") == brew);
  CHECK(found("www.brewhaus.example") == brew);
  CHECK(found("WWW.Brewhaus.Example.") == brew);
  CHECK(found("shop.example") == shop);
  CHECK_FALSE(found("www.shop.example").has_value());  // not listed: no wildcard, no www. guess
  CHECK_FALSE(found("deals.brewhaus.example").has_value());
  CHECK_FALSE(found("example").has_value());
  CHECK_FALSE(found("").has_value());
  CHECK_FALSE(found("%").has_value());
}

TEST_CASE("save_rule_pack on a disk that fails after N writes keeps the previous pack whole") {
  const Key key = new_key();
  const std::string v1 = pack_text("brewhaus.example", 1, {"brewhaus.example"});
  const std::string v2 = pack_text("brewhaus.example", 2, {"brewhaus.example", "www.brewhaus.example"});
  store::Database::Options options;
  options.vfs = store::fault_vfs::name();
  for (std::int64_t n = 0;; ++n) {
    REQUIRE(n < 100);
    Agent agent(options);
    REQUIRE(save_rule_pack(*agent.store, verified(key, v1), "\"1\"", 1).ok());
    store::fault_vfs::fail_after(n);
    auto saved = save_rule_pack(*agent.store, verified(key, v2), "\"2\"", 2);
    store::fault_vfs::disarm();
    auto now = stored_rule_pack(*agent.store, "brewhaus.example");
    REQUIRE_MESSAGE(now.ok(), now.error().message);
    REQUIRE(now->has_value());
    if (saved.ok()) {
      CHECK((*now)->version == 2);
      CHECK((*now)->pack == v2);
      break;
    }
    CHECK_MESSAGE(saved.error().code.rfind("db_", 0) == 0, saved.error().code);
    // Either the old pack whole or (a commit that reached the disk before the failure) the new.
    CHECK(((*now)->pack == v1 || (*now)->pack == v2));
    CHECK((*now)->pack == ((*now)->version == 1 ? v1 : v2));
  }
}

// --- Pulls from a real dealstack-server ---------------------------------------------------

namespace {

FeedReader agent_feed_reader() {
  return [](std::string_view text) -> Result<std::vector<store::RetailerOffers>> {
    auto json = actions::parse_feed_text(text);
    if (!json) return json.error();
    auto feed = actions::read_feed(*json);
    if (!feed) return feed.error();
    return std::move(feed->retailers);
  };
}

struct ServerFixture {
  TempDir dir;
  RealServer server{dir.path()};
  http::ClientOptions client() const {
    http::ClientOptions o;
    o.ca_file = server.ca_file();
    o.connect_timeout = std::chrono::milliseconds(5000);
    o.read_header_timeout = std::chrono::milliseconds(5000);
    return o;
  }
  void import_offers(const Json& feed) {
    const auto file = dir.path() / "feed.json";
    std::ofstream(file) << feed.dump();
    auto r = server.admin({"offers", "import", file.string()});
    REQUIRE_MESSAGE(r.exit_code == 0, server.logs());
  }
  // `admin rules sign` with a fresh key file; returns the public key (base64).
  std::string keygen(const std::string& name) {
    auto r = server.admin({"rules", "keygen", "--out", (dir.path() / name).string()});
    REQUIRE(r.exit_code == 0);
    std::string pub = r.out;
    while (!pub.empty() && (pub.back() == '\n' || pub.back() == ' ')) pub.pop_back();
    return pub;
  }
  std::string sign(const std::string& key_name, const std::string& pack) {
    const auto file = dir.path() / "pack.json";
    std::ofstream(file, std::ios::trunc) << pack;
    auto r = server.admin({"rules", "sign", "--key", (dir.path() / key_name).string(), file.string()});
    REQUIRE(r.exit_code == 0);
    return r.out;
  }
  void import_envelope(const std::string& env) {
    const auto file = dir.path() / "envelope.json";
    std::ofstream(file, std::ios::trunc) << env;
    auto r = server.admin({"rules", "import", file.string()});
    REQUIRE_MESSAGE(r.exit_code == 0, "admin rules import failed");
  }

  Result<OffersPulled> pull_offers(Agent& agent) {
    boost::asio::io_context io;
    std::optional<Result<OffersPulled>> got;
    async_pull_offers(io, client(), server.base_url() + "/", *agent.store, agent_feed_reader(),
                      [&](Result<OffersPulled> r) { got = std::move(r); }, [&] { return agent.now; });
    io.run();
    REQUIRE(got.has_value());
    return std::move(*got);
  }
  Result<RulesPulled> pull_rules(Agent& agent, const std::vector<std::string>& keys) {
    boost::asio::io_context io;
    std::optional<Result<RulesPulled>> got;
    async_pull_rules(io, client(), server.base_url(), *agent.store, keys,
                     [&](Result<RulesPulled> r) { got = std::move(r); }, [&] { return agent.now; });
    io.run();
    REQUIRE(got.has_value());
    return std::move(*got);
  }
};

Json feed_with_code(const std::string& code) {
  return {{"retailers",
           {{{"retailer", "WWW.Outdoors.example"},
             {"currency", "USD"},
             {"offers", {{{"id", "spring"}, {"kind", "code"}, {"code", code},
                          {"discount", {{"type", "percent"}, {"percent", "20"}}}}}}},
            {{"retailer", "books.example"},
             {"offers", {{{"id", "b5"}, {"kind", "promotion"}, {"discount", {{"type", "amount"}, {"amount", "5.00"}}}}}}}}}};
}

}  // namespace

TEST_CASE("offers: 200 stores the feed and its ETag, then 304 with that ETag changes nothing; no outbox rows") {
  ServerFixture fx;
  Agent agent;
  fx.import_offers(feed_with_code("SPRING20"));

  auto first = fx.pull_offers(agent);
  REQUIRE_MESSAGE(first.ok(), first.error().message);
  CHECK(first->changed);
  CHECK(first->retailers == 2);
  auto offers = agent.store->retailer_offers("outdoors.example");
  REQUIRE(offers.ok());
  REQUIRE(offers->has_value());
  REQUIRE((*offers)->offers.size() == 1);
  CHECK((*offers)->offers[0].find("SPRING20") != std::string::npos);
  auto state = load_state(*agent.store);
  REQUIRE(state.ok());
  REQUIRE(state->offers_etag.has_value());
  CHECK(state->offers_etag->front() == '"');
  CHECK(state->offers_synced_at == agent.now);
  const std::string etag = *state->offers_etag;
  auto imported_at = agent.store->offers_imported_at();
  REQUIRE(imported_at.ok());

  agent.now += 60'000;
  auto second = fx.pull_offers(agent);
  REQUIRE_MESSAGE(second.ok(), second.error().message);
  CHECK_FALSE(second->changed);
  CHECK(second->retailers == 2);
  state = load_state(*agent.store);
  CHECK(state->offers_etag == etag);
  CHECK(state->offers_synced_at == agent.now);
  CHECK(*agent.store->offers_imported_at() == *imported_at);  // not replaced again

  // A new feed on the server: a new ETag, the offers replaced.
  fx.import_offers(feed_with_code("SPRING25"));
  agent.now += 60'000;
  auto third = fx.pull_offers(agent);
  REQUIRE_MESSAGE(third.ok(), third.error().message);
  CHECK(third->changed);
  CHECK((*agent.store->retailer_offers("outdoors.example"))->offers[0].find("SPRING25") != std::string::npos);
  CHECK(load_state(*agent.store)->offers_etag != etag);

  CHECK(agent.count("SELECT count(*) FROM sync_outbox") == 0);
  CHECK(*pending_count(*agent.store) == 0);
}

TEST_CASE("offers: a feed the agent's reader refuses changes nothing and keeps the old ETag") {
  ServerFixture fx;
  Agent agent;
  fx.import_offers(feed_with_code("SPRING20"));
  REQUIRE(fx.pull_offers(agent).ok());
  const auto etag = load_state(*agent.store)->offers_etag;
  fx.import_offers(feed_with_code("SPRING25"));
  // The same server, read by a reader that refuses everything (as read_feed does a bad feed).
  boost::asio::io_context io;
  std::optional<Result<OffersPulled>> got;
  async_pull_offers(io, fx.client(), fx.server.base_url(), *agent.store,
                    [](std::string_view) -> Result<std::vector<store::RetailerOffers>> {
                      return make_error("invalid_feed", "retailers[0]: refused by the test");
                    },
                    [&](Result<OffersPulled> r) { got = std::move(r); });
  io.run();
  REQUIRE(got.has_value());
  REQUIRE_FALSE(got->ok());
  CHECK(got->error().code == "invalid_feed");
  CHECK(load_state(*agent.store)->offers_etag == etag);
  CHECK((*agent.store->retailer_offers("outdoors.example"))->offers[0].find("SPRING20") != std::string::npos);
}

TEST_CASE("rules: packs signed with `admin rules sign` are pulled, stored and found by host; unchanged ones are not fetched again") {
  ServerFixture fx;
  Agent agent;
  const std::string pub = fx.keygen("ops.key");
  const std::string brew = pack_text("brewhaus.example", 3, {"brewhaus.example", "www.brewhaus.example"});
  fx.import_envelope(fx.sign("ops.key", brew));
  fx.import_envelope(fx.sign("ops.key", pack_text("shop.example", 1, {"shop.example"})));

  auto first = fx.pull_rules(agent, {pub});
  REQUIRE_MESSAGE(first.ok(), first.error().message);
  CHECK(first->updated == std::vector<std::string>{"brewhaus.example", "shop.example"});
  CHECK(first->refused.empty());
  auto found = rule_pack_for_host(*agent.store, "www.brewhaus.example");
  REQUIRE(found.ok());
  CHECK(*found == brew);
  auto stored = stored_rule_pack(*agent.store, "brewhaus.example");
  REQUIRE((*stored)->etag.has_value());

  auto second = fx.pull_rules(agent, {pub});
  REQUIRE(second.ok());
  CHECK(second->updated.empty());
  CHECK(second->refused.empty());
  CHECK(second->unchanged == 2);
  CHECK(agent.count("SELECT count(*) FROM sync_outbox") == 0);
}

TEST_CASE("rules: a tampered or foreign-signed pack served is refused, the previous pack kept, the others stored") {
  ServerFixture fx;
  Agent agent;
  const std::string pub = fx.keygen("ops.key");
  fx.keygen("stranger.key");
  const std::string v1 = pack_text("brewhaus.example", 1, {"brewhaus.example"});
  fx.import_envelope(fx.sign("ops.key", v1));
  REQUIRE(fx.pull_rules(agent, {pub})->updated.size() == 1);

  // v2 with its pack changed after signing (the server has no rule_keys: it serves it).
  Json tampered = Json::parse(fx.sign("ops.key", pack_text("brewhaus.example", 2, {"brewhaus.example"})));
  std::string bytes = decoded(tampered, "pack");
  const auto at = bytes.find("brewhaus.example\"]");
  REQUIRE(at != std::string::npos);
  bytes.replace(at, 16, "evilhaus.example");
  tampered["pack"] = crypto::base64_encode(bytes);
  fx.import_envelope(tampered.dump());
  // Another retailer signed by a key the agent doesn't trust, and one signed properly.
  fx.import_envelope(fx.sign("stranger.key", pack_text("stranger.example", 1, {"stranger.example"})));
  const std::string shop = pack_text("shop.example", 1, {"shop.example"});
  fx.import_envelope(fx.sign("ops.key", shop));

  agent.now += 1000;
  auto pulled = fx.pull_rules(agent, {pub});
  REQUIRE_MESSAGE(pulled.ok(), pulled.error().message);
  CHECK(pulled->updated == std::vector<std::string>{"shop.example"});
  REQUIRE(pulled->refused.size() == 2);
  CHECK(pulled->refused[0].retailer == "brewhaus.example");
  CHECK(pulled->refused[0].code == "bad_signature");
  CHECK(pulled->refused[1].retailer == "stranger.example");
  CHECK(pulled->refused[1].code == "untrusted_key");

  auto kept = stored_rule_pack(*agent.store, "brewhaus.example");
  REQUIRE(kept.ok());
  CHECK((*kept)->version == 1);
  CHECK((*kept)->pack == v1);
  CHECK(*rule_pack_for_host(*agent.store, "brewhaus.example") == v1);
  CHECK_FALSE(rule_pack_for_host(*agent.store, "evilhaus.example")->has_value());
  CHECK_FALSE(stored_rule_pack(*agent.store, "stranger.example")->has_value());
  CHECK(*rule_pack_for_host(*agent.store, "shop.example") == shop);
}

TEST_CASE("rules and offers: a server that isn't there is an error, nothing stored") {
  Agent agent;
  boost::asio::io_context io;
  http::ClientOptions o;
  o.connect_timeout = std::chrono::milliseconds(2000);
  std::optional<Result<RulesPulled>> rules;
  std::optional<Result<OffersPulled>> offers;
  // Port 9 on loopback (discard): nothing listens there in the test environment.
  async_pull_rules(io, o, "https://127.0.0.1:9", *agent.store, {}, [&](Result<RulesPulled> r) { rules = std::move(r); });
  async_pull_offers(io, o, "https://127.0.0.1:9", *agent.store, agent_feed_reader(),
                    [&](Result<OffersPulled> r) { offers = std::move(r); });
  io.run();
  REQUIRE(rules.has_value());
  REQUIRE(offers.has_value());
  CHECK_FALSE(rules->ok());
  CHECK_FALSE(offers->ok());
  CHECK(list_rule_packs(*agent.store)->empty());
  CHECK_FALSE(load_state(*agent.store)->offers_etag.has_value());
}

TEST_CASE("rules: a server's odd answers are reported per retailer or as the pull's error, never stored") {
  using dealstack::http::testing::http_response;
  using dealstack::http::testing::LoopbackServer;
  using dealstack::http::testing::Reply;
  using dealstack::http::testing::Seen;
  const Key key = new_key();
  const std::string good = envelope(key, pack_text("shop.example", 2, {"shop.example"})).dump();
  const std::string other = envelope(key, pack_text("other.example", 1, {"other.example"})).dump();
  std::string list = R"({"packs":[{"retailer":"../admin","version":1,"etag":"\"a\""},)"
                     R"({"retailer":"busy.example","version":1,"etag":"\"b\""},)"
                     R"({"retailer":"gone.example","version":1,"etag":"\"c\""},)"
                     R"({"retailer":"swapped.example","version":1,"etag":"\"d\""},)"
                     R"({"retailer":"shop.example","version":2,"etag":"\"e\""}]})";
  std::mutex mutex;  // `list` changes on the test's thread, is read on the server's
  LoopbackServer server([&](const Seen& s) {
    if (s.target == "/v1/rules") {
      std::lock_guard lock(mutex);
      return Reply{http_response(200, list)};
    }
    if (s.target == "/v1/rules/busy.example")
      return Reply{http_response(429, R"({"error":{"code":"rate_limited","message":"slow down"}})", {{"Retry-After", "7"}})};
    if (s.target == "/v1/rules/swapped.example") return Reply{http_response(200, other)};
    if (s.target == "/v1/rules/shop.example") return Reply{http_response(200, good, {{"ETag", "\"e\""}})};
    return Reply{http_response(404, R"({"error":{"code":"not_found","message":"no such pack"}})")};
  });
  Agent agent;
  auto pull = [&]() {
    boost::asio::io_context io;
    std::optional<Result<RulesPulled>> got;
    async_pull_rules(io, http::ClientOptions{}, server.url("/"), *agent.store, {key.b64()},
                     [&](Result<RulesPulled> r) { got = std::move(r); });
    io.run();
    REQUIRE(got.has_value());
    return std::move(*got);
  };
  auto r = pull();
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(r->updated == std::vector<std::string>{"shop.example"});
  REQUIRE(r->refused.size() == 4);
  CHECK(r->refused[0].code == "invalid_response");  // "../admin" never reaches a URL
  CHECK(r->refused[1].code == "rate_limited");
  CHECK(r->refused[1].message.find("7 s") != std::string::npos);
  CHECK(r->refused[2].code == "server_error");
  CHECK(r->refused[2].message.find("404") != std::string::npos);
  CHECK(r->refused[3].code == "pack_mismatch");  // other.example's pack served as swapped.example's
  for (const Seen& s : server.seen()) CHECK(s.target.find("..") == std::string::npos);
  auto all = list_rule_packs(*agent.store);
  REQUIRE(all->size() == 1);
  CHECK((*all)[0].etag == "\"e\"");

  // Pulled again: shop.example is listed with the stored ETag and not fetched.
  const std::size_t before = server.seen().size();
  r = pull();
  REQUIRE(r.ok());
  CHECK(r->unchanged == 1);
  std::size_t shop_fetches = 0;
  const auto seen = server.seen();
  for (std::size_t i = before; i < seen.size(); ++i) shop_fetches += seen[i].target == "/v1/rules/shop.example";
  CHECK(shop_fetches == 0);

  // A list that isn't the API's shape fails the whole pull.
  {
    std::lock_guard lock(mutex);
    list = R"({"rules":[]})";
  }
  r = pull();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "invalid_response");
}
