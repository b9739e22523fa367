#include "rules/rule_packs.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "backend/temp_dir.hpp"

using namespace dealstack;
using namespace dealstack::backend;
using Json = nlohmann::json;

namespace {
struct Key {
  crypto::SecretBytes seed;
  std::string pub;
};
Key make_key() {
  auto k = crypto::ed25519_generate();
  REQUIRE(k.ok());
  return {std::move(k->seed), k->public_key};
}
const std::string kPack = R"({"retailer":"shop.example","version":3,"selectors":{"price":".price"}})";
}  // namespace

TEST_CASE("a signed envelope carries the exact pack bytes and verifies with its key") {
  const Key key = make_key();
  auto env = rules::sign_pack(key.seed, kPack);
  REQUIRE(env.ok());
  const Json j = Json::parse(*env);
  CHECK(j["format"] == 1);
  CHECK(j["retailer"] == "shop.example");
  CHECK(j["version"] == 3);
  CHECK(j["key_id"] == rules::key_id(key.pub));
  CHECK(j["key_id"].get<std::string>().size() == 16);
  CHECK(*crypto::base64_decode(j["pack"].get<std::string>()) == kPack);
  auto checked = rules::check_envelope(*env, {key.pub});
  REQUIRE_MESSAGE(checked.ok(), checked.error().message);
  CHECK(checked->verified);
  CHECK(checked->retailer == "shop.example");
  CHECK(checked->version == 3);
}

TEST_CASE("a changed pack, signature, or an unknown key is refused") {
  const Key key = make_key();
  const Key other = make_key();
  Json env = Json::parse(*rules::sign_pack(key.seed, kPack));

  Json tampered = env;
  std::string pack = kPack;
  pack.replace(pack.find(".price"), 6, ".cheap");
  tampered["pack"] = crypto::base64_encode(pack);
  auto r = rules::check_envelope(tampered.dump(), {key.pub});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "bad_signature");

  Json bad_sig = env;
  std::string sig = *crypto::base64_decode(env["signature"].get<std::string>());
  sig[10] = static_cast<char>(sig[10] ^ 0x01);
  bad_sig["signature"] = crypto::base64_encode(sig);
  CHECK(rules::check_envelope(bad_sig.dump(), {key.pub}).error().code == "bad_signature");

  CHECK(rules::check_envelope(env.dump(), {other.pub}).error().code == "unknown_key");
  // The right key among others is found by its id.
  CHECK(rules::check_envelope(env.dump(), {other.pub, key.pub}).ok());
}

TEST_CASE("the envelope's retailer and version must be its pack's") {
  const Key key = make_key();
  Json env = Json::parse(*rules::sign_pack(key.seed, kPack));
  Json moved = env;
  moved["version"] = 4;
  auto r = rules::check_envelope(moved.dump(), {key.pub});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "invalid_envelope");
  CHECK(r.error().message.find("version") != std::string::npos);
  Json other_shop = env;
  other_shop["retailer"] = "other.example";
  CHECK(rules::check_envelope(other_shop.dump(), {key.pub}).error().code == "invalid_envelope");
  // Without configured keys the shape and the pack are still checked.
  CHECK(rules::check_envelope(moved.dump(), {}).error().code == "invalid_envelope");
  auto unverified = rules::check_envelope(env.dump(), {});
  REQUIRE(unverified.ok());
  CHECK_FALSE(unverified->verified);
}

TEST_CASE("packs that are not JSON objects with a retailer and a version are not signed") {
  const Key key = make_key();
  for (const char* bad : {"not json", "[1]", R"({"version":1})", R"({"retailer":"shop.example"})",
                          R"({"retailer":"shop.example","version":0})", R"({"retailer":"no spaces allowed","version":1})"}) {
    auto r = rules::sign_pack(key.seed, bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "invalid_pack");
  }
}

TEST_CASE("seed files: base64 of 32 bytes, a trailing newline allowed") {
  const Key key = make_key();
  auto seed = rules::parse_seed(crypto::base64_encode(key.seed.view()) + "\n");
  REQUIRE(seed.ok());
  CHECK(*crypto::ed25519_public_key(*seed) == key.pub);
  CHECK(rules::parse_seed("short").error().code == "invalid_key");
}

TEST_CASE("imported packs are served by retailer with an ETag; an older version is refused") {
  testing::TempDir dir;
  auto db = db::Db::open(dir.path / "s.sqlite3");
  REQUIRE(db.ok());
  const Key key = make_key();
  auto v3 = rules::check_envelope(*rules::sign_pack(key.seed, kPack), {key.pub});
  REQUIRE(v3.ok());
  REQUIRE(rules::import_envelope(*db, *v3, 1).ok());
  auto served = rules::find_pack(*db, "WWW.Shop.Example");
  REQUIRE(served.ok());
  REQUIRE(served->has_value());
  CHECK((*served)->envelope == v3->text);
  CHECK((*served)->etag.size() == 34);
  CHECK_FALSE(rules::find_pack(*db, "other.example")->has_value());

  const std::string pack2 = R"({"retailer":"shop.example","version":2})";
  auto v2 = rules::check_envelope(*rules::sign_pack(key.seed, pack2), {key.pub});
  REQUIRE(v2.ok());
  auto r = rules::import_envelope(*db, *v2, 2);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "invalid_envelope");
  auto list = rules::list_packs(*db);
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].version == 3);
}
