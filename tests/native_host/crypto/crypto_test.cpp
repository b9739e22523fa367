#include "crypto/crypto.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

using namespace dealstack;
using namespace dealstack::crypto;

namespace {

std::string unhex(std::string_view h) {
  auto r = hex_decode(h);
  REQUIRE(r.ok());
  return *r;
}

SecretBytes key_of(std::string_view bytes) { return SecretBytes(bytes); }

}  // namespace

TEST_CASE("sha256 and hmac_sha256 match the published vectors (FIPS 180-2, RFC 4231 case 1)") {
  CHECK(hex_encode(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const auto key = key_of(std::string(20, '\x0b'));
  CHECK(hex_encode(hmac_sha256(key, "Hi There")) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST_CASE("hkdf_sha256 matches RFC 5869 test case 1") {
  const auto ikm = key_of(std::string(22, '\x0b'));
  auto okm = hkdf_sha256(ikm, unhex("000102030405060708090a0b0c"), unhex("f0f1f2f3f4f5f6f7f8f9"), 42);
  REQUIRE(okm.ok());
  CHECK(hex_encode(okm->view()) ==
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  CHECK(hkdf_sha256(ikm, "", "x", 0).error().code == "invalid_argument");
}

TEST_CASE("scrypt matches RFC 7914 and refuses parameters out of range") {
  auto out = scrypt("password", "NaCl", ScryptParams{1024, 8, 16}, 64);
  REQUIRE(out.ok());
  CHECK(hex_encode(out->view()) ==
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb9"
        "4a83ee6d8360cbdfa2cc0640");
  CHECK(scrypt("pw", "salt", ScryptParams{1000, 8, 1}, 32).error().code == "invalid_argument");  // not 2^k
  CHECK(scrypt("pw", "salt", ScryptParams{kScryptMaxN * 2, 8, 1}, 32).error().code == "invalid_argument");
  CHECK(scrypt("pw", "salt", ScryptParams{1024, 0, 1}, 32).error().code == "invalid_argument");
  CHECK(scrypt("pw", "salt", ScryptParams{1024, 8, 1}, 0).error().code == "invalid_argument");
}

TEST_CASE("AES-256-GCM round trip with a fresh nonce each time") {
  auto key = random_secret(kAeadKeyBytes);
  REQUIRE(key.ok());
  std::set<std::string> nonces;
  for (int i = 0; i < 50; ++i) {
    auto sealed = seal(*key, "member cookie=abc123", "id\nkind");
    REQUIRE(sealed.ok());
    CHECK(sealed->nonce.size() == kAeadNonceBytes);
    CHECK(sealed->ciphertext.size() == 20 + kAeadTagBytes);
    CHECK(sealed->ciphertext.find("abc123") == std::string::npos);
    nonces.insert(sealed->nonce);
    auto opened = open(*key, sealed->nonce, sealed->ciphertext, "id\nkind");
    REQUIRE(opened.ok());
    CHECK(opened->view() == "member cookie=abc123");
  }
  CHECK(nonces.size() == 50);
  auto empty = seal(*key, "", "");
  REQUIRE(empty.ok());
  auto opened = open(*key, empty->nonce, empty->ciphertext, "");
  REQUIRE(opened.ok());
  CHECK(opened->empty());
}

TEST_CASE("AES-256-GCM rejects any changed byte of ciphertext, tag or nonce, other associated data or key") {
  auto key = random_secret(kAeadKeyBytes);
  REQUIRE(key.ok());
  auto sealed = seal(*key, "secret token value", "entry-1\naccount_token");
  REQUIRE(sealed.ok());
  for (std::size_t i = 0; i < sealed->ciphertext.size(); ++i) {
    std::string changed = sealed->ciphertext;
    changed[i] = static_cast<char>(changed[i] ^ 0x01);
    CHECK(open(*key, sealed->nonce, changed, "entry-1\naccount_token").error().code == "decrypt_failed");
  }
  for (std::size_t i = 0; i < sealed->nonce.size(); ++i) {
    std::string changed = sealed->nonce;
    changed[i] = static_cast<char>(changed[i] ^ 0x80);
    CHECK(open(*key, changed, sealed->ciphertext, "entry-1\naccount_token").error().code == "decrypt_failed");
  }
  CHECK(open(*key, sealed->nonce, sealed->ciphertext, "entry-2\naccount_token").error().code == "decrypt_failed");
  CHECK(open(*key, sealed->nonce, sealed->ciphertext, "entry-1\nshop_session").error().code == "decrypt_failed");
  auto other = random_secret(kAeadKeyBytes);
  REQUIRE(other.ok());
  CHECK(open(*other, sealed->nonce, sealed->ciphertext, "entry-1\naccount_token").error().code == "decrypt_failed");
  CHECK(open(*key, sealed->nonce, sealed->ciphertext.substr(0, 10), "x").error().code == "invalid_argument");
  CHECK(open(*key, "short", sealed->ciphertext, "x").error().code == "invalid_argument");
  CHECK(seal(key_of("too short"), "x", "").error().code == "invalid_argument");
}

TEST_CASE("Ed25519 matches RFC 8032 test 1 and refuses changed messages, signatures and keys") {
  const auto seed = key_of(unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
  auto pub = ed25519_public_key(seed);
  REQUIRE(pub.ok());
  CHECK(hex_encode(*pub) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto sig = ed25519_sign(seed, "");
  REQUIRE(sig.ok());
  CHECK(hex_encode(*sig) ==
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bb"
        "e24655141438e7a100b");
  CHECK(ed25519_verify(*pub, "", *sig).ok());

  auto pair = ed25519_generate();
  REQUIRE(pair.ok());
  const std::string pack = R"({"retailer":"shop.example","version":3})";
  auto signature = ed25519_sign(pair->seed, pack);
  REQUIRE(signature.ok());
  CHECK(ed25519_verify(pair->public_key, pack, *signature).ok());
  std::string tampered = pack;
  tampered[5] = 'X';
  CHECK(ed25519_verify(pair->public_key, tampered, *signature).error().code == "bad_signature");
  std::string bad_sig = *signature;
  bad_sig[0] = static_cast<char>(bad_sig[0] ^ 1);
  CHECK(ed25519_verify(pair->public_key, pack, bad_sig).error().code == "bad_signature");
  CHECK(ed25519_verify(*pub, pack, *signature).error().code == "bad_signature");  // another key
  CHECK(ed25519_verify(pair->public_key, pack, signature->substr(1)).error().code == "bad_signature");
  CHECK(ed25519_verify("short", pack, *signature).error().code == "invalid_argument");
}

TEST_CASE("base64, base64url and hex match RFC 4648 and refuse foreign characters") {
  const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
  const char* padded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (int i = 0; i < 7; ++i) {
    CHECK(base64_encode(plain[i]) == padded[i]);
    auto back = base64_decode(padded[i]);
    REQUIRE(back.ok());
    CHECK(*back == plain[i]);
  }
  const std::string raw("\xfb\xff\xfe", 3);
  CHECK(base64_encode(raw) == "+//+");
  CHECK(base64url_encode(raw) == "-__-");
  CHECK(*base64url_decode("-__-") == raw);
  CHECK(base64url_decode("+//+").error().code == "invalid_encoding");
  CHECK(base64_decode("-__-").error().code == "invalid_encoding");
  CHECK(base64_decode("Zm9v!").error().code == "invalid_encoding");
  CHECK(base64_decode("Zh==").error().code == "invalid_encoding");  // non-zero trailing bits
  CHECK(base64_decode("Z").error().code == "invalid_encoding");
  CHECK(hex_encode(std::string("\x00\xff", 2)) == "00ff");
  CHECK(*hex_decode("00FF") == std::string("\x00\xff", 2));
  CHECK(hex_decode("0").error().code == "invalid_encoding");
  CHECK(hex_decode("zz").error().code == "invalid_encoding");
}

TEST_CASE("equal_constant_time and SecretBytes") {
  CHECK(equal_constant_time("abc", "abc"));
  CHECK_FALSE(equal_constant_time("abc", "abd"));
  CHECK_FALSE(equal_constant_time("abc", "ab"));
  CHECK(equal_constant_time("", ""));
  SecretBytes a(std::string_view("secret"));
  SecretBytes b = std::move(a);
  CHECK(a.empty());
  CHECK(b.view() == "secret");
  auto c = b.clone();
  CHECK(c.view() == "secret");
  std::string s = "wipe me";
  wipe(s);
  CHECK(s.empty());
}
