// The cryptographic primitives the vault, sync and dealstack-server share, over OpenSSL 3's
// EVP interface. Nothing here chooses policy (which key wraps what, which parameters): the
// callers document that (docs/vault.md, docs/sync.md). No function throws, logs or keeps
// state; secrets live in SecretBytes, which wipes its memory when it goes away.
//
// Error codes: "crypto_error" (OpenSSL refused: the message names the operation; never a
// secret), "invalid_argument" (a wrong key or nonce size, parameters out of range),
// "decrypt_failed" (authentication failed: a changed ciphertext, nonce, tag or associated
// data, or the wrong key: deliberately one code, so a caller can't tell which),
// "bad_signature" (Ed25519 verification failed), "invalid_encoding" (bad base64/hex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace dealstack::crypto {

// Overwrites the bytes in a way the compiler can't drop (OPENSSL_cleanse).
void wipe(void* data, std::size_t size);
void wipe(std::string& s);  // wipes the whole capacity's used part, then clears

// Bytes of a secret (keys, passphrases, tokens): move-only, wiped when destroyed or
// reassigned. view() gives them as a string_view for the functions below.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size) : bytes_(size) {}
  // Copies `data` (the caller wipes its own copy).
  explicit SecretBytes(std::string_view data) : bytes_(data.begin(), data.end()) {}
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  unsigned char* data() { return bytes_.data(); }
  const unsigned char* data() const { return bytes_.data(); }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes_.data()), bytes_.size()};
  }
  SecretBytes clone() const { return SecretBytes(view()); }

 private:
  std::vector<unsigned char> bytes_;
};

// Cryptographically secure random bytes (RAND_bytes).
Result<std::string> random_bytes(std::size_t n);
Result<SecretBytes> random_secret(std::size_t n);

// --- AES-256-GCM -------------------------------------------------------------------------
inline constexpr std::size_t kAeadKeyBytes = 32;
inline constexpr std::size_t kAeadNonceBytes = 12;
inline constexpr std::size_t kAeadTagBytes = 16;

struct Sealed {
  std::string nonce;       // kAeadNonceBytes, fresh random for every seal
  std::string ciphertext;  // the encrypted bytes followed by the kAeadTagBytes tag
};

// Encrypts `plaintext` under `key` (kAeadKeyBytes) with a fresh random nonce; `ad` is
// authenticated but not encrypted (callers bind the ciphertext to its id and kind with it).
Result<Sealed> seal(const SecretBytes& key, std::string_view plaintext, std::string_view ad);
// Decrypts and authenticates. Errors: "decrypt_failed" for any mismatch, "invalid_argument"
// for a wrong key/nonce size or a ciphertext shorter than the tag.
Result<SecretBytes> open(const SecretBytes& key, std::string_view nonce,
                         std::string_view ciphertext, std::string_view ad);

// --- Key derivation ----------------------------------------------------------------------
// scrypt (RFC 7914). Defaults: OWASP's minimum for scrypt, N = 2^17, r = 8, p = 1
// (128 MiB of memory, about 0.3 s on the dev VM). `n` must be a power of two > 1.
struct ScryptParams {
  std::uint64_t n = std::uint64_t{1} << 17;
  std::uint32_t r = 8;
  std::uint32_t p = 1;
};
inline constexpr std::uint64_t kScryptMaxN = std::uint64_t{1} << 22;  // refuse more (memory bound)
Result<SecretBytes> scrypt(std::string_view password, std::string_view salt,
                           const ScryptParams& params, std::size_t out_bytes);

// HKDF-SHA256 (RFC 5869).
Result<SecretBytes> hkdf_sha256(const SecretBytes& input_key, std::string_view salt,
                                std::string_view info, std::size_t out_bytes);

// --- Hashes and comparison ----------------------------------------------------------------
std::string sha256(std::string_view data);  // 32 raw bytes
std::string hmac_sha256(const SecretBytes& key, std::string_view data);  // 32 raw bytes
// Equal size and bytes, in time that depends only on the size.
bool equal_constant_time(std::string_view a, std::string_view b);

// --- Ed25519 (signatures on rule packs) ---------------------------------------------------
inline constexpr std::size_t kEd25519PublicBytes = 32;
inline constexpr std::size_t kEd25519SeedBytes = 32;  // the private key, as RFC 8032's seed
inline constexpr std::size_t kEd25519SignatureBytes = 64;

struct Ed25519KeyPair {
  SecretBytes seed;        // kEd25519SeedBytes
  std::string public_key;  // kEd25519PublicBytes
};
Result<Ed25519KeyPair> ed25519_generate();
// The public key of a seed.
Result<std::string> ed25519_public_key(const SecretBytes& seed);
Result<std::string> ed25519_sign(const SecretBytes& seed, std::string_view message);
// Errors: "bad_signature" (any mismatch), "invalid_argument" (sizes).
Status ed25519_verify(std::string_view public_key, std::string_view message,
                      std::string_view signature);

// --- Encodings ---------------------------------------------------------------------------
std::string base64_encode(std::string_view data);     // RFC 4648 with padding
std::string base64url_encode(std::string_view data);  // RFC 4648 §5, no padding
// Accept exactly their own alphabet (padding optional for both). Errors: "invalid_encoding".
Result<std::string> base64_decode(std::string_view text);
Result<std::string> base64url_decode(std::string_view text);
std::string hex_encode(std::string_view data);  // lower case
Result<std::string> hex_decode(std::string_view text);

}  // namespace dealstack::crypto
