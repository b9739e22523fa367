#include "crypto/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <memory>

namespace dealstack::crypto {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct KdfFree {
  void operator()(EVP_KDF* k) const { EVP_KDF_free(k); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

Error openssl_error(std::string_view what) {
  return make_error("crypto_error", "OpenSSL refused to " + std::string(what));
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// EVP takes int lengths; everything we handle is far below INT_MAX, but say so rather than wrap.
bool fits_int(std::size_t n) { return n <= static_cast<std::size_t>(INT32_MAX); }

}  // namespace

void wipe(void* data, std::size_t size) {
  if (data != nullptr && size != 0) OPENSSL_cleanse(data, size);
}

void wipe(std::string& s) {
  wipe(s.data(), s.size());
  s.clear();
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {
  other.bytes_.clear();
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    wipe(bytes_.data(), bytes_.size());
    bytes_ = std::move(other.bytes_);
    other.bytes_.clear();
  }
  return *this;
}

SecretBytes::~SecretBytes() { wipe(bytes_.data(), bytes_.size()); }

Result<std::string> random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (n != 0 && (!fits_int(n) || RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                                             static_cast<int>(n)) != 1)) {
    return openssl_error("produce random bytes");
  }
  return out;
}

Result<SecretBytes> random_secret(std::size_t n) {
  SecretBytes out(n);
  if (n != 0 && (!fits_int(n) || RAND_bytes(out.data(), static_cast<int>(n)) != 1)) {
    return openssl_error("produce random bytes");
  }
  return out;
}

Result<Sealed> seal(const SecretBytes& key, std::string_view plaintext, std::string_view ad) {
  if (key.size() != kAeadKeyBytes) {
    return make_error("invalid_argument", "an AES-256-GCM key is 32 bytes, not " + std::to_string(key.size()));
  }
  if (!fits_int(plaintext.size()) || !fits_int(ad.size())) {
    return make_error("invalid_argument", "the data to encrypt is too large");
  }
  auto nonce = random_bytes(kAeadNonceBytes);
  if (!nonce.ok()) return nonce.error();
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kAeadNonceBytes), nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), bytes(*nonce)) != 1) {
    return openssl_error("start AES-256-GCM encryption");
  }
  int len = 0;
  if (!ad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(ad), static_cast<int>(ad.size())) != 1) {
    return openssl_error("authenticate associated data");
  }
  Sealed out;
  out.nonce = std::move(*nonce);
  out.ciphertext.resize(plaintext.size() + kAeadTagBytes);
  auto* dst = reinterpret_cast<unsigned char*>(out.ciphertext.data());
  int written = 0;
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), dst, &written, bytes(plaintext), static_cast<int>(plaintext.size())) != 1) {
    return openssl_error("encrypt");
  }
  int final_len = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), dst + written, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kAeadTagBytes),
                          dst + plaintext.size()) != 1) {
    return openssl_error("finish AES-256-GCM encryption");
  }
  return out;
}

Result<SecretBytes> open(const SecretBytes& key, std::string_view nonce, std::string_view ciphertext,
                         std::string_view ad) {
  if (key.size() != kAeadKeyBytes) {
    return make_error("invalid_argument", "an AES-256-GCM key is 32 bytes, not " + std::to_string(key.size()));
  }
  if (nonce.size() != kAeadNonceBytes) {
    return make_error("invalid_argument", "an AES-256-GCM nonce is 12 bytes, not " + std::to_string(nonce.size()));
  }
  if (ciphertext.size() < kAeadTagBytes) {
    return make_error("invalid_argument", "the ciphertext is shorter than its 16-byte tag");
  }
  if (!fits_int(ciphertext.size()) || !fits_int(ad.size())) {
    return make_error("invalid_argument", "the data to decrypt is too large");
  }
  const std::size_t body = ciphertext.size() - kAeadTagBytes;
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kAeadNonceBytes), nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), bytes(nonce)) != 1) {
    return openssl_error("start AES-256-GCM decryption");
  }
  int len = 0;
  if (!ad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(ad), static_cast<int>(ad.size())) != 1) {
    return openssl_error("authenticate associated data");
  }
  SecretBytes out(body);
  int written = 0;
  if (body != 0 && EVP_DecryptUpdate(ctx.get(), out.data(), &written, bytes(ciphertext), static_cast<int>(body)) != 1) {
    return openssl_error("decrypt");
  }
  // The tag is copied because EVP's ctrl takes a non-const pointer.
  std::array<unsigned char, kAeadTagBytes> tag{};
  std::copy_n(bytes(ciphertext) + body, kAeadTagBytes, tag.begin());
  int final_len = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kAeadTagBytes), tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out.data() + written, &final_len) != 1) {
    return make_error("decrypt_failed",
                      "the data did not authenticate (changed, or encrypted under another key or for another entry)");
  }
  return out;
}

Result<SecretBytes> scrypt(std::string_view password, std::string_view salt, const ScryptParams& params,
                           std::size_t out_bytes) {
  if (params.n < 2 || (params.n & (params.n - 1)) != 0 || params.n > kScryptMaxN) {
    return make_error("invalid_argument", "scrypt N must be a power of two from 2 to 2^22, not " +
                                              std::to_string(params.n));
  }
  if (params.r == 0 || params.r > 32 || params.p == 0 || params.p > 16) {
    return make_error("invalid_argument", "scrypt r must be 1..32 and p 1..16");
  }
  if (out_bytes == 0 || out_bytes > 1024) {
    return make_error("invalid_argument", "scrypt output must be 1..1024 bytes");
  }
  // Memory is 128 * r * N * p bytes; allow it plus slack (OpenSSL refuses above maxmem).
  const std::uint64_t maxmem = 128ull * params.r * params.n * params.p + (16ull << 20);
  SecretBytes out(out_bytes);
  if (EVP_PBE_scrypt(password.data(), password.size(), bytes(salt), salt.size(), params.n, params.r, params.p,
                     maxmem, out.data(), out_bytes) != 1) {
    return openssl_error("derive a key with scrypt (out of memory?)");
  }
  return out;
}

Result<SecretBytes> hkdf_sha256(const SecretBytes& input_key, std::string_view salt, std::string_view info,
                                std::size_t out_bytes) {
  if (out_bytes == 0 || out_bytes > 255 * 32) {
    return make_error("invalid_argument", "HKDF-SHA256 output must be 1..8160 bytes");
  }
  std::unique_ptr<EVP_KDF, KdfFree> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
  if (!kdf) return openssl_error("load HKDF");
  std::unique_ptr<EVP_KDF_CTX, KdfCtxFree> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (!ctx) return openssl_error("start HKDF");
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  int n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string("digest", digest, 0);
  params[n++] = OSSL_PARAM_construct_octet_string("key", const_cast<unsigned char*>(input_key.data()),
                                                  input_key.size());
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string("salt", const_cast<char*>(salt.data()), salt.size());
  }
  params[n++] = OSSL_PARAM_construct_octet_string("info", const_cast<char*>(info.data()), info.size());
  params[n] = OSSL_PARAM_construct_end();
  SecretBytes out(out_bytes);
  if (EVP_KDF_derive(ctx.get(), out.data(), out_bytes, params) != 1) return openssl_error("derive a key with HKDF");
  return out;
}

std::string sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(bytes(data), data.size(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string hmac_sha256(const SecretBytes& key, std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &len);
  out.resize(len);
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> ed25519_public_key(const SecretBytes& seed) {
  if (seed.size() != kEd25519SeedBytes) {
    return make_error("invalid_argument", "an Ed25519 private key is 32 bytes, not " + std::to_string(seed.size()));
  }
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!key) return openssl_error("load an Ed25519 private key");
  std::string pub(kEd25519PublicBytes, '\0');
  std::size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), reinterpret_cast<unsigned char*>(pub.data()), &len) != 1 ||
      len != kEd25519PublicBytes) {
    return openssl_error("read an Ed25519 public key");
  }
  return pub;
}

Result<Ed25519KeyPair> ed25519_generate() {
  auto seed = random_secret(kEd25519SeedBytes);
  if (!seed.ok()) return seed.error();
  auto pub = ed25519_public_key(*seed);
  if (!pub.ok()) return pub.error();
  return Ed25519KeyPair{std::move(*seed), std::move(*pub)};
}

Result<std::string> ed25519_sign(const SecretBytes& seed, std::string_view message) {
  if (seed.size() != kEd25519SeedBytes) {
    return make_error("invalid_argument", "an Ed25519 private key is 32 bytes, not " + std::to_string(seed.size()));
  }
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!key || !ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return openssl_error("start an Ed25519 signature");
  }
  std::string sig(kEd25519SignatureBytes, '\0');
  std::size_t len = sig.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, bytes(message),
                     message.size()) != 1 ||
      len != kEd25519SignatureBytes) {
    return openssl_error("sign with Ed25519");
  }
  return sig;
}

Status ed25519_verify(std::string_view public_key, std::string_view message, std::string_view signature) {
  if (public_key.size() != kEd25519PublicBytes) {
    return make_error("invalid_argument", "an Ed25519 public key is 32 bytes, not " + std::to_string(public_key.size()));
  }
  if (signature.size() != kEd25519SignatureBytes) {
    return make_error("bad_signature", "an Ed25519 signature is 64 bytes, not " + std::to_string(signature.size()));
  }
  Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes(public_key), public_key.size()));
  MdCtx ctx(EVP_MD_CTX_new());
  if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return openssl_error("start an Ed25519 verification");
  }
  if (EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(message), message.size()) != 1) {
    return make_error("bad_signature", "the Ed25519 signature does not match the data and key");
  }
  return Unit{};
}

namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode64(std::string_view data, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t(std::uint8_t(data[i])) << 16) |
                            (std::uint32_t(std::uint8_t(data[i + 1])) << 8) | std::uint8_t(data[i + 2]);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = data.size() - i;
  if (rest != 0) {
    std::uint32_t v = std::uint32_t(std::uint8_t(data[i])) << 16;
    if (rest == 2) v |= std::uint32_t(std::uint8_t(data[i + 1])) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (rest == 2) out += alphabet[(v >> 6) & 63];
    if (pad) out.append(rest == 1 ? 2 : 1, '=');
  }
  return out;
}

Result<std::string> decode64(std::string_view text, const char* alphabet, const char* name) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (int i = 0; i < 64; ++i) value[static_cast<unsigned char>(alphabet[i])] = i;
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) {
    return make_error("invalid_encoding", std::string("not ") + name + ": wrong length");
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const int v = value[static_cast<unsigned char>(text[i])];
    if (v < 0) {
      return make_error("invalid_encoding",
                        std::string("not ") + name + ": unexpected character at offset " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Leftover bits must be zero, or two encodings would decode to the same bytes.
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
    return make_error("invalid_encoding", std::string("not ") + name + ": non-zero trailing bits");
  }
  return out;
}

}  // namespace

std::string base64_encode(std::string_view data) { return encode64(data, kB64, true); }
std::string base64url_encode(std::string_view data) { return encode64(data, kB64Url, false); }
Result<std::string> base64_decode(std::string_view text) { return decode64(text, kB64, "base64"); }
Result<std::string> base64url_decode(std::string_view text) { return decode64(text, kB64Url, "base64url"); }

std::string hex_encode(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (unsigned char c : data) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

Result<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) return make_error("invalid_encoding", "not hex: odd length");
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]);
    const int lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) {
      return make_error("invalid_encoding", "not hex: unexpected character at offset " + std::to_string(i));
    }
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace dealstack::crypto
