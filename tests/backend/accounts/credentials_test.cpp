#include "accounts/credentials.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace dealstack;
using namespace dealstack::backend::accounts;

TEST_CASE("emails are lower-cased and checked for shape") {
  CHECK(*normalize_email("Alice@Example.ORG") == "alice@example.org");
  CHECK(*normalize_email("a@b") == "a@b");
  for (const char* bad : {"", "ab", "no-at-sign", "@example.org", "alice@", "a@b@c", "al ice@example.org",
                          "alice@exa\tmple.org"}) {
    auto r = normalize_email(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "invalid_request");
    CHECK(r.error().message.rfind("email: ", 0) == 0);
  }
  CHECK_FALSE(normalize_email(std::string(65, 'a') + "@example.org").ok());
  CHECK_FALSE(normalize_email("a@" + std::string(260, 'b')).ok());
}

TEST_CASE("an auth_key must be base64url of exactly 32 bytes") {
  const std::string raw(32, '\x07');
  const std::string good = crypto::base64url_encode(raw);
  REQUIRE(good.size() == 43);
  auto key = decode_auth_key(good);
  REQUIRE(key.ok());
  CHECK(key->view() == raw);
  CHECK_FALSE(decode_auth_key(crypto::base64url_encode(std::string(31, 'x'))).ok());
  CHECK_FALSE(decode_auth_key(good + "A").ok());
  std::string plus = good;
  plus[5] = '+';  // the standard alphabet, not base64url
  auto r = decode_auth_key(plus);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "invalid_request");
  CHECK(r.error().message.find("auth_key") != std::string::npos);
}

TEST_CASE("devices: empty reads as unknown, control characters and long names are refused") {
  CHECK(*normalize_device("") == "unknown");
  CHECK(*normalize_device("laptop (Debian)") == "laptop (Debian)");
  CHECK_FALSE(normalize_device("a\nb").ok());
  CHECK_FALSE(normalize_device(std::string(101, 'd')).ok());
}

TEST_CASE("tokens are 43 base64url characters, distinct, and stored only as their SHA-256") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto t = new_token();
    REQUIRE(t.ok());
    CHECK(t->size() == 43);
    CHECK(crypto::base64url_decode(*t)->size() == 32);
    CHECK(seen.insert(*t).second);
    CHECK(token_hash(*t) == crypto::sha256(*t));
    CHECK(token_hash(*t).size() == 32);
  }
}

TEST_CASE("an auth_key hash verifies the same key and no other, and salts differ") {
  crypto::ScryptParams fast;
  fast.n = 1024;  // the same code path as N = 2^17, in milliseconds
  const crypto::SecretBytes key(std::string(32, 'k'));
  const crypto::SecretBytes other(std::string(32, 'K'));
  auto a = hash_auth_key(key, fast);
  auto b = hash_auth_key(key, fast);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->salt.size() == kSaltBytes);
  CHECK(a->hash.size() == kHashBytes);
  CHECK(a->salt != b->salt);
  CHECK(a->hash != b->hash);
  CHECK(*verify_auth_key(key, *a) == true);
  CHECK(*verify_auth_key(other, *a) == false);
  auto tampered = *a;
  tampered.hash[0] = static_cast<char>(tampered.hash[0] ^ 1);
  CHECK(*verify_auth_key(key, tampered) == false);
}

TEST_CASE("the default hash parameters are the contract's: N = 2^17, r = 8, p = 1") {
  const crypto::ScryptParams p;
  CHECK(p.n == (std::uint64_t{1} << 17));
  CHECK(p.r == 8);
  CHECK(p.p == 1);
}
