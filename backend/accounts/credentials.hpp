// The pure parts of accounts: checking an email and an auth_key, hashing the auth_key for
// storage, making and hashing bearer tokens. No I/O besides the random generator.
//
// The client never sends its password: auth_key = HKDF(scrypt(password, email)) (contract
// section 5). The server hashes it again with scrypt under its own random salt, so a stolen
// database gives neither the password nor anything that logs in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "crypto/crypto.hpp"

namespace dealstack::backend::accounts {

inline constexpr std::size_t kMaxEmailBytes = 254;
inline constexpr std::size_t kAuthKeyBytes = 32;   // decoded
inline constexpr std::size_t kTokenBytes = 32;     // random bytes in a token
inline constexpr std::size_t kSaltBytes = 16;
inline constexpr std::size_t kHashBytes = 32;
inline constexpr std::size_t kMaxDeviceBytes = 100;

// Lower-cases ASCII letters and checks the shape: 3..254 bytes, one '@' with a non-empty
// part (at most 64 bytes) before it and a non-empty domain after it, no spaces or control
// characters. Errors "invalid_request" naming what is wrong.
Result<std::string> normalize_email(std::string_view email);

// base64url without padding of exactly kAuthKeyBytes bytes -> those bytes.
// Errors "invalid_request".
Result<crypto::SecretBytes> decode_auth_key(std::string_view text);

// 1..kMaxDeviceBytes printable bytes (UTF-8 allowed, no control characters); empty -> "unknown".
Result<std::string> normalize_device(std::string_view device);

struct StoredHash {
  std::string salt;   // kSaltBytes raw
  std::string hash;   // kHashBytes raw
  crypto::ScryptParams params;
};

// scrypt(auth_key, fresh salt, params). CPU and memory heavy (128 MiB at N = 2^17): run it on
// the hash pool (accounts/hash_pool.hpp), never on an I/O thread.
Result<StoredHash> hash_auth_key(const crypto::SecretBytes& auth_key, const crypto::ScryptParams& params);
// Recomputes with the stored salt and parameters and compares in constant time.
Result<bool> verify_auth_key(const crypto::SecretBytes& auth_key, const StoredHash& stored);

// A new bearer token: base64url of kTokenBytes random bytes (43 characters).
Result<std::string> new_token();
// What the database keeps of a token: SHA-256 of its text (32 raw bytes).
std::string token_hash(std::string_view token);

}  // namespace dealstack::backend::accounts
