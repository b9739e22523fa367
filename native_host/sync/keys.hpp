// The account's keys and the sealing of sync records (docs/sync.md, "Keys"). Nothing here
// does I/O; every secret stays in crypto::SecretBytes.
//
//   master   = scrypt(password, "dealstack/v1/" + lowercase(email), N=2^17, r=8, p=1, 32)
//   auth_key = HKDF-SHA256(master, "", "dealstack auth v1", 32)  sent to the server (base64url)
//   sync_key = HKDF-SHA256(master, "", "dealstack sync v1", 32)  the vault's "account/sync_key"
//   id_key   = HKDF-SHA256(sync_key, "", "dealstack ids v1", 32) derived again when needed
//
// A record's id is base64url(HMAC-SHA256(id_key, kind + "\n" + key)) (43 characters): the
// same thing (a watch's url and variant) gets the same id on every machine of the account, and
// the server learns neither the kind nor the key. A blob is base64(nonce || AES-256-GCM
// ciphertext + tag) with associated data "dealstack sync v1\n" + id, so a blob moved to
// another record's id no longer opens.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "crypto/crypto.hpp"

namespace dealstack::sync {

struct AccountKeys {
  crypto::SecretBytes auth_key;  // 32 bytes, proves the password to the server
  crypto::SecretBytes sync_key;  // 32 bytes, encrypts the records end to end
};

// The email as the salt uses it: ASCII letters lower-cased, surrounding spaces removed.
std::string normalize_email(std::string_view email);

// Errors: "invalid_argument" (empty password or email), the crypto's. `params` only for tests
// (a small N keeps them fast); the default is the contract's.
Result<AccountKeys> derive_account_keys(std::string_view password, std::string_view email,
                                        const crypto::ScryptParams& params = {});

Result<crypto::SecretBytes> derive_id_key(const crypto::SecretBytes& sync_key);
std::string record_id(const crypto::SecretBytes& id_key, std::string_view kind, std::string_view key);

// base64(nonce || ciphertext+tag). Errors: the crypto's.
Result<std::string> seal_blob(const crypto::SecretBytes& sync_key, std::string_view id,
                              std::string_view plaintext);
// Errors: "invalid_encoding" (not base64), "decrypt_failed" (wrong key, id or a changed byte),
// "invalid_argument" (too short).
Result<crypto::SecretBytes> open_blob(const crypto::SecretBytes& sync_key, std::string_view id,
                                      std::string_view blob);

}  // namespace dealstack::sync
