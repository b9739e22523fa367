// The shopper's secrets (the backend token, the sync key, shop sessions for member prices,
// notification tokens), kept in the agent's database encrypted, and only ever decrypted
// inside the agent. docs/vault.md has the threat model and the formats; in short:
//
// - Each entry: AES-256-GCM under the vault's random 32-byte data key, a fresh 12-byte nonce
//   on every write, associated data "dealstack vault v1\n" + id + "\n" + kind (a row renamed
//   or given another kind no longer decrypts).
// - The data key is stored only wrapped (AES-256-GCM, associated data naming the vault's uuid
//   and the wrap method) by a key-encryption key that is either a random 32-byte key kept in
//   the OS keyring (Keyring, Secret Service) or scrypt(passphrase, random 16-byte salt),
//   N = 2^17, r = 8, p = 1 by default, the parameters stored beside the wrapped key.
// - Locked = the data key is not in memory. Unlocking a passphrase vault needs the
//   passphrase; a keyring vault unlocks from the keyring. Auto-lock: once nothing unlocked
//   the vault or wrote an entry for `auto_lock_ms`, the key is dropped; a keyring vault
//   fetches it again on its next use, a passphrase vault waits for the passphrase. An
//   explicit lock() holds for both until unlock().
//
// Errors (stable): "vault_not_initialized", "vault_locked", "vault_exists",
// "wrong_passphrase", "keyring_unavailable", "not_found", "invalid_argument",
// "decrypt_failed" (an entry or the wrapped key was changed on disk, or the keyring's key is
// not this vault's), "crypto_error", and the store's db_* codes. No message ever holds a
// secret.
//
// One Vault per database connection; all calls from one thread at a time (the agent's event
// loop). A keyring call may block up to the keyring's timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "crypto/crypto.hpp"
#include "store/database.hpp"
#include "vault/keyring.hpp"

namespace dealstack::vault {

enum class Protection { keyring, passphrase };
// "keyring" / "passphrase".
const char* protection_name(Protection p);

// Entry kinds ("account_token", "sync_key", "shop_session", "notify_secret").
inline constexpr const char* kKindAccountToken = "account_token";
inline constexpr const char* kKindSyncKey = "sync_key";
inline constexpr const char* kKindShopSession = "shop_session";
inline constexpr const char* kKindNotifySecret = "notify_secret";

inline constexpr std::size_t kMaxIdBytes = 200;        // [A-Za-z0-9._:/@+-], 1..200 bytes
inline constexpr std::size_t kMaxLabelBytes = 200;     // UTF-8 without control characters
inline constexpr std::size_t kMaxSecretBytes = 64 * 1024;
inline constexpr std::size_t kMaxPassphraseBytes = 1024;
inline constexpr std::size_t kDataKeyBytes = 32;
inline constexpr std::size_t kSaltBytes = 16;

// Metadata of an entry: what vault.list shows. Never the secret.
struct EntryInfo {
  std::string id;
  std::string kind;
  std::string label;
  std::int64_t created_at = 0;  // unix ms
  std::int64_t updated_at = 0;  // unix ms, the latest set()
};

struct VaultStatus {
  bool initialized = false;
  bool locked = true;  // see unlocked()
  std::optional<Protection> protection;  // none until initialized
  std::int64_t auto_lock_minutes = 15;
  std::int64_t entries = 0;
};

struct VaultOptions {
  // The OS keyring; null = none (only passphrase protection then). Not owned.
  Keyring* keyring = nullptr;
  // scrypt's cost for new wraps (init, change_passphrase). Default N = 2^17, r = 8, p = 1
  // (OWASP's minimum for scrypt: 128 MiB, about 0.3 s). Tests lower it for speed.
  crypto::ScryptParams scrypt;
  // Idle time after which the data key is dropped, in milliseconds; 0 = never.
  // Default: 15 minutes (agent.json "vault": {"auto_lock_minutes": 15}).
  std::int64_t auto_lock_ms = 15 * 60'000;
  // How long a wrong passphrase makes the caller wait (on top of scrypt's own cost), to slow
  // guessing through the socket. Default 500 ms.
  std::chrono::milliseconds wrong_passphrase_delay{500};
  // Now, in unix ms (created_at, updated_at, and the idle time).
  std::function<std::int64_t()> clock;
};

// Checks an id, a kind, a label (invalid_argument naming which and why).
Status validate_id(std::string_view id);
Status validate_kind(std::string_view kind);
Status validate_label(std::string_view label);
// The entry's associated data: "dealstack vault v1\n" + id + "\n" + kind.
std::string entry_ad(std::string_view id, std::string_view kind);

class Vault {
 public:
  // Reads the vault's metadata from `db` (whose schema has the vault tables, version >= 4).
  // Doesn't unlock. `db` must outlive the vault.
  static Result<std::unique_ptr<Vault>> open(store::Database& db, VaultOptions options);
  ~Vault();
  Vault(const Vault&) = delete;
  Vault& operator=(const Vault&) = delete;

  bool initialized() const;
  // The data key is in memory, or (a keyring vault that auto-locked, not lock()ed) can be
  // fetched from the keyring without the shopper.
  bool unlocked() const;
  std::optional<Protection> protection() const;
  Result<VaultStatus> status();

  // Creates the vault with a fresh data key and uuid, protected by the keyring or by
  // `passphrase` (1..kMaxPassphraseBytes bytes; ignored for the keyring), and leaves it
  // unlocked. Errors: "vault_exists", "keyring_unavailable", "invalid_argument", db_*.
  Status init(Protection protection, const crypto::SecretBytes& passphrase);
  // Passphrase vault: derives the key and unwraps the data key ("wrong_passphrase" after the
  // delay). Keyring vault: fetches the key from the keyring (the passphrase is ignored).
  Status unlock(const crypto::SecretBytes& passphrase);
  // Drops the data key from memory (wiped). Holds until unlock().
  void lock();
  // Re-wraps the data key under `new_passphrase` with a fresh salt and the current scrypt
  // parameters; entries are not touched. Needs `old_passphrase` to be right
  // ("wrong_passphrase"), a passphrase vault ("invalid_argument" for a keyring one).
  Status change_passphrase(const crypto::SecretBytes& old_passphrase,
                           const crypto::SecretBytes& new_passphrase);

  // Encrypts and stores the entry (replacing one with that id; created_at stays). Needs the
  // vault unlocked. Errors: "vault_not_initialized", "vault_locked", "invalid_argument"
  // (id, kind, label; a secret empty or over kMaxSecretBytes; a shop_session secret that is
  // not {"cookies":{name:value}, "headers":{name:value}}), db_*.
  Status set(std::string_view id, std::string_view kind, std::string_view label,
             const crypto::SecretBytes& secret);
  // Decrypts an entry. Only inside the agent: never send it anywhere but where it is used.
  // Errors: "vault_not_initialized", "vault_locked", "not_found", "decrypt_failed", db_*.
  Result<crypto::SecretBytes> get(std::string_view id);
  // Works locked too. Errors: "not_found", db_*.
  Status remove(std::string_view id);
  // Metadata only, by id; works locked.
  Result<std::vector<EntryInfo>> list();
  Result<EntryInfo> info(std::string_view id);

  // Drops the key when the vault has been idle for auto_lock_ms; true when it did.
  // The agent calls it from a timer (get() and set() check it too).
  bool lock_if_idle();
  void set_auto_lock_ms(std::int64_t ms);
  std::int64_t auto_lock_ms() const { return options_.auto_lock_ms; }

 private:
  struct Meta {
    std::string uuid;
    Protection protection = Protection::passphrase;
    std::string salt;  // raw bytes
    crypto::ScryptParams params;
    std::string wrap_nonce;   // raw
    std::string wrapped_key;  // raw, with tag
  };
  Vault(store::Database& db, VaultOptions options, std::optional<Meta> meta);
  Status ensure_key();  // unlocked, fetching from the keyring after an auto-lock
  Status write_meta(const Meta& meta, bool insert);
  std::int64_t now() const;

  store::Database& db_;
  VaultOptions options_;
  std::optional<Meta> meta_;
  crypto::SecretBytes key_;  // empty when locked
  bool user_locked_ = true;  // lock() or never unlocked: a keyring vault doesn't refetch
  std::int64_t last_activity_ = 0;
};

// The wrap's associated data: "dealstack vault v1 key\n" + uuid + "\n" + method, where method
// is "keyring" or "scrypt n=N r=R p=P".
std::string wrap_ad(std::string_view uuid, Protection protection, const crypto::ScryptParams& params);

}  // namespace dealstack::vault
