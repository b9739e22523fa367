#include "sync/keys.hpp"

#include <doctest/doctest.h>

using namespace dealstack;
using namespace dealstack::sync;

namespace {
// A small N: the contract's N = 2^17 is checked once, below.
const crypto::ScryptParams kFast{1024, 8, 1};
}  // namespace

TEST_CASE("keys depend on the password and the email, not on the email's case") {
  auto a = derive_account_keys("correct horse", "Shopper@Example.COM ", kFast);
  auto b = derive_account_keys("correct horse", "shopper@example.com", kFast);
  auto c = derive_account_keys("correct horsf", "shopper@example.com", kFast);
  auto d = derive_account_keys("correct horse", "other@example.com", kFast);
  REQUIRE((a.ok() && b.ok() && c.ok() && d.ok()));
  CHECK(a->auth_key.size() == 32);
  CHECK(a->sync_key.size() == 32);
  CHECK(a->auth_key.view() == b->auth_key.view());
  CHECK(a->sync_key.view() == b->sync_key.view());
  CHECK(a->auth_key.view() != a->sync_key.view());  // the server never learns the sync key
  CHECK(a->auth_key.view() != c->auth_key.view());
  CHECK(a->sync_key.view() != d->sync_key.view());
  CHECK(derive_account_keys("", "x@y", kFast).error().code == "invalid_argument");
  CHECK(derive_account_keys("pw", "  ", kFast).error().code == "invalid_argument");
}

TEST_CASE("the contract's parameters: master = scrypt(N=2^17, r=8, p=1) then HKDF with the two infos") {
  auto keys = derive_account_keys("pw", "A@B.c");
  REQUIRE(keys.ok());
  auto master = crypto::scrypt("pw", "dealstack/v1/a@b.c", crypto::ScryptParams{}, 32);
  REQUIRE(master.ok());
  CHECK(keys->auth_key.view() == crypto::hkdf_sha256(*master, "", "dealstack auth v1", 32)->view());
  CHECK(keys->sync_key.view() == crypto::hkdf_sha256(*master, "", "dealstack sync v1", 32)->view());
}

TEST_CASE("record ids are the same for the same thing on every machine, and reveal nothing") {
  crypto::SecretBytes key(std::string(32, 'k'));
  auto ids = derive_id_key(key);
  REQUIRE(ids.ok());
  const std::string id = record_id(*ids, "watch", "https://shop.example/kettle\nBlue");
  CHECK(id.size() == 43);
  CHECK(id == record_id(*derive_id_key(key), "watch", "https://shop.example/kettle\nBlue"));
  CHECK(id != record_id(*ids, "watch", "https://shop.example/kettle\nRed"));
  CHECK(id != record_id(*ids, "settings", "https://shop.example/kettle\nBlue"));
  CHECK(id.find("shop") == std::string::npos);
  for (char c : id) CHECK(((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'));
}

TEST_CASE("a blob opens only with its key and its own id; a changed byte is refused") {
  crypto::SecretBytes key(std::string(32, 'k'));
  auto blob = seal_blob(key, "id-1", "{\"kind\":\"watch\"}");
  REQUIRE(blob.ok());
  auto back = open_blob(key, "id-1", *blob);
  REQUIRE(back.ok());
  CHECK(back->view() == "{\"kind\":\"watch\"}");
  CHECK(open_blob(key, "id-2", *blob).error().code == "decrypt_failed");
  CHECK(open_blob(crypto::SecretBytes(std::string(32, 'j')), "id-1", *blob).error().code == "decrypt_failed");
  auto raw = *crypto::base64_decode(*blob);
  for (std::size_t i = 0; i < raw.size(); i += 7) {
    std::string changed = raw;
    changed[i] = static_cast<char>(changed[i] ^ 1);
    CHECK(open_blob(key, "id-1", crypto::base64_encode(changed)).error().code == "decrypt_failed");
  }
  CHECK(open_blob(key, "id-1", "not base64!").error().code == "invalid_encoding");
  CHECK(open_blob(key, "id-1", crypto::base64_encode("short")).error().code == "invalid_argument");
  CHECK(*seal_blob(key, "id-1", "same") != *seal_blob(key, "id-1", "same"));  // fresh nonce
}
