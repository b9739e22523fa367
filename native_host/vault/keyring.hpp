// The OS keyring seam of the vault: where the key-encryption key of a keyring-protected
// vault lives. The real one talks to the Secret Service (gnome-keyring, KWallet's bridge,
// KeePassXC...) over D-Bus through libsecret; the item is found by a schema
// ("com.dealstack.Vault") and one attribute, "vault" = the vault's random uuid, so two
// vaults (two users' homes, two test folders) never share a key.
//
// Errors: "keyring_unavailable" (no Secret Service answers, the collection is locked and
// can't be unlocked without a prompt, the call took longer than its deadline; the message
// says which, never the secret), "not_found" (lookup: no item for that vault).
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "core/result.hpp"
#include "crypto/crypto.hpp"

namespace dealstack::vault {

class Keyring {
 public:
  virtual ~Keyring() = default;
  // Stores (or replaces) the key of vault `uuid`.
  virtual Status store(std::string_view uuid, const crypto::SecretBytes& key) = 0;
  virtual Result<crypto::SecretBytes> lookup(std::string_view uuid) = 0;
  // Removes it; no item is not an error.
  virtual Status clear(std::string_view uuid) = 0;
};

// libsecret's synchronous calls, each cancelled after `timeout` (a Secret Service that wants
// to show an unlock prompt nobody can answer would otherwise block the agent). The key is
// kept in the item as base64 text (the Secret Service's password is text); libsecret's copy
// is freed with secret_password_free, which wipes it.
std::unique_ptr<Keyring> make_secret_service_keyring(
    std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000));

}  // namespace dealstack::vault
