#include "vault/vault.hpp"

#include <chrono>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "text/utf8.hpp"
#include "vault/shop_session.hpp"

namespace dealstack::vault {

namespace {

constexpr const char* kEntryAdPrefix = "dealstack vault v1\n";
constexpr const char* kWrapAdPrefix = "dealstack vault v1 key\n";

std::int64_t system_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A version 4 UUID in its usual text form.
Result<std::string> new_uuid() {
  auto raw = crypto::random_bytes(16);
  if (!raw) return raw.error();
  std::string b = *raw;
  b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
  const std::string hex = crypto::hex_encode(b);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

bool valid_utf8_no_controls(std::string_view s) {
  if (!utf8::is_valid(s)) return false;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const char32_t cp = utf8::next(s, pos);
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return false;
  }
  return true;
}

Status check_passphrase(const crypto::SecretBytes& p, const char* which) {
  if (p.empty()) return make_error("invalid_argument", std::string(which) + " is empty");
  if (p.size() > kMaxPassphraseBytes)
    return make_error("invalid_argument",
                      std::string(which) + " is longer than " + std::to_string(kMaxPassphraseBytes) + " bytes");
  return Unit{};
}

// The key-encryption key for a passphrase wrap.
Result<crypto::SecretBytes> derive_kek(const crypto::SecretBytes& passphrase, std::string_view salt,
                                       const crypto::ScryptParams& params) {
  return crypto::scrypt(passphrase.view(), salt, params, crypto::kAeadKeyBytes);
}

}  // namespace

const char* protection_name(Protection p) { return p == Protection::keyring ? "keyring" : "passphrase"; }

std::string entry_ad(std::string_view id, std::string_view kind) {
  std::string ad = kEntryAdPrefix;
  ad.append(id);
  ad += '\n';
  ad.append(kind);
  return ad;
}

std::string wrap_ad(std::string_view uuid, Protection protection, const crypto::ScryptParams& params) {
  std::string ad = kWrapAdPrefix;
  ad.append(uuid);
  ad += '\n';
  if (protection == Protection::keyring)
    ad += "keyring";
  else
    ad += "scrypt n=" + std::to_string(params.n) + " r=" + std::to_string(params.r) + " p=" + std::to_string(params.p);
  return ad;
}

Status validate_id(std::string_view id) {
  if (id.empty()) return make_error("invalid_argument", "id is empty");
  if (id.size() > kMaxIdBytes)
    return make_error("invalid_argument", "id is longer than " + std::to_string(kMaxIdBytes) + " bytes");
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '/' || c == '@' || c == '+' || c == '-';
    if (!ok) return make_error("invalid_argument", "id may only hold letters, digits and . _ : / @ + -");
  }
  return Unit{};
}

Status validate_kind(std::string_view kind) {
  for (const char* k : {kKindAccountToken, kKindSyncKey, kKindShopSession, kKindNotifySecret})
    if (kind == k) return Unit{};
  return make_error("invalid_argument",
                    "kind must be account_token, sync_key, shop_session or notify_secret");
}

Status validate_label(std::string_view label) {
  if (label.size() > kMaxLabelBytes)
    return make_error("invalid_argument", "label is longer than " + std::to_string(kMaxLabelBytes) + " bytes");
  if (!valid_utf8_no_controls(label))
    return make_error("invalid_argument", "label must be UTF-8 text without control characters");
  return Unit{};
}

Result<std::unique_ptr<Vault>> Vault::open(store::Database& db, VaultOptions options) {
  auto st = db.prepare(
      "SELECT uuid, protection, kdf_salt, kdf_n, kdf_r, kdf_p, wrap_nonce, wrapped_key FROM vault_meta WHERE id = 1",
      "read the vault");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  std::optional<Meta> meta;
  if (*row) {
    Meta m;
    m.uuid = st->text(0);
    const std::string protection = st->text(1);
    if (protection == "keyring") {
      m.protection = Protection::keyring;
    } else if (protection == "passphrase") {
      m.protection = Protection::passphrase;
      auto salt = crypto::base64_decode(st->text(2));
      const auto n = st->optional_int64(3), r = st->optional_int64(4), p = st->optional_int64(5);
      if (!salt || !n || !r || !p || *n < 2 || *r < 1 || *p < 1 || *r > 1'000'000 || *p > 1'000'000)
        return make_error("db_corrupt", "the vault's passphrase parameters are damaged");
      m.salt = *salt;
      m.params.n = static_cast<std::uint64_t>(*n);
      m.params.r = static_cast<std::uint32_t>(*r);
      m.params.p = static_cast<std::uint32_t>(*p);
    } else {
      return make_error("db_corrupt", "the vault's protection '" + protection + "' is unknown");
    }
    auto nonce = crypto::base64_decode(st->text(6));
    auto wrapped = crypto::base64_decode(st->text(7));
    if (!nonce || !wrapped) return make_error("db_corrupt", "the vault's wrapped key is damaged");
    m.wrap_nonce = *nonce;
    m.wrapped_key = *wrapped;
    meta = std::move(m);
  }
  if (!options.clock) options.clock = system_ms;
  return std::unique_ptr<Vault>(new Vault(db, std::move(options), std::move(meta)));
}

Vault::Vault(store::Database& db, VaultOptions options, std::optional<Meta> meta)
    : db_(db), options_(std::move(options)), meta_(std::move(meta)) {
  // A keyring vault needs nobody to unlock it: its first use fetches the key.
  user_locked_ = !(meta_ && meta_->protection == Protection::keyring);
}

Vault::~Vault() = default;

std::int64_t Vault::now() const { return options_.clock(); }

bool Vault::initialized() const { return meta_.has_value(); }

bool Vault::unlocked() const {
  return meta_ && (!key_.empty() || (meta_->protection == Protection::keyring && !user_locked_));
}

std::optional<Protection> Vault::protection() const {
  if (!meta_) return std::nullopt;
  return meta_->protection;
}

Result<VaultStatus> Vault::status() {
  lock_if_idle();
  VaultStatus s;
  s.initialized = initialized();
  s.locked = !unlocked();
  s.protection = protection();
  s.auto_lock_minutes = options_.auto_lock_ms / 60'000;
  auto st = db_.prepare("SELECT count(*) FROM vault_entries", "count vault entries");
  if (!st) return st.error();
  auto row = st->step();
  if (!row) return row.error();
  s.entries = *row ? st->int64(0) : 0;
  return s;
}

Status Vault::write_meta(const Meta& m, bool insert) {
  const char* sql = insert ? "INSERT INTO vault_meta (uuid, protection, kdf_salt, kdf_n, kdf_r, kdf_p, wrap_nonce, "
                             "wrapped_key, created_at, updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
                           // ?9 (created_at) stays unused: an update keeps the creation time.
                           : "UPDATE vault_meta SET uuid = ?1, protection = ?2, kdf_salt = ?3, kdf_n = ?4, "
                             "kdf_r = ?5, kdf_p = ?6, wrap_nonce = ?7, wrapped_key = ?8, updated_at = ?10 WHERE id = 1";
  auto st = db_.prepare(sql, insert ? "create the vault" : "store the vault's new key wrap");
  if (!st) return st.error();
  const bool pass = m.protection == Protection::passphrase;
  const std::int64_t t = now();
  st->bind(1, std::string_view(m.uuid)).bind(2, std::string_view(protection_name(m.protection)));
  if (pass) {
    st->bind(3, std::string_view(crypto::base64_encode(m.salt)))
        .bind(4, static_cast<std::int64_t>(m.params.n))
        .bind(5, static_cast<std::int64_t>(m.params.r))
        .bind(6, static_cast<std::int64_t>(m.params.p));
  } else {
    st->bind_null(3).bind_null(4).bind_null(5).bind_null(6);
  }
  st->bind(7, std::string_view(crypto::base64_encode(m.wrap_nonce)))
      .bind(8, std::string_view(crypto::base64_encode(m.wrapped_key)))
      .bind(9, t)
      .bind(10, t);
  if (auto ran = st->run(); !ran) return ran.error();
  if (!insert && db_.changes() != 1) return make_error("vault_not_initialized", "the vault is gone from the database");
  return Unit{};
}

Status Vault::init(Protection protection, const crypto::SecretBytes& passphrase) {
  if (meta_) return make_error("vault_exists", "the vault is already set up (use unlock, or passwd to change the passphrase)");
  if (protection == Protection::passphrase) {
    if (auto ok = check_passphrase(passphrase, "the passphrase"); !ok) return ok.error();
  } else if (options_.keyring == nullptr) {
    return make_error("keyring_unavailable", "no OS keyring is available to this agent");
  }
  auto uuid = new_uuid();
  if (!uuid) return uuid.error();
  auto data_key = crypto::random_secret(kDataKeyBytes);
  if (!data_key) return data_key.error();
  Meta m;
  m.uuid = *uuid;
  m.protection = protection;
  crypto::SecretBytes kek;
  if (protection == Protection::keyring) {
    auto k = crypto::random_secret(crypto::kAeadKeyBytes);
    if (!k) return k.error();
    kek = std::move(*k);
  } else {
    auto salt = crypto::random_bytes(kSaltBytes);
    if (!salt) return salt.error();
    m.salt = *salt;
    m.params = options_.scrypt;
    auto k = derive_kek(passphrase, m.salt, m.params);
    if (!k) return k.error();
    kek = std::move(*k);
  }
  auto wrapped = crypto::seal(kek, data_key->view(), wrap_ad(m.uuid, protection, m.params));
  if (!wrapped) return wrapped.error();
  m.wrap_nonce = wrapped->nonce;
  m.wrapped_key = wrapped->ciphertext;
  // The key goes to the keyring before the row is written: a vault row whose key never
  // reached the keyring could not be opened again.
  if (protection == Protection::keyring)
    if (auto stored = options_.keyring->store(m.uuid, kek); !stored) return stored.error();
  if (auto written = write_meta(m, true); !written) {
    if (protection == Protection::keyring) (void)options_.keyring->clear(m.uuid);
    return written.error();
  }
  meta_ = std::move(m);
  key_ = std::move(*data_key);
  user_locked_ = false;
  last_activity_ = now();
  return Unit{};
}

Status Vault::unlock(const crypto::SecretBytes& passphrase) {
  if (!meta_) return make_error("vault_not_initialized", "there is no vault yet (dealstack vault init)");
  crypto::SecretBytes kek;
  if (meta_->protection == Protection::keyring) {
    if (options_.keyring == nullptr) return make_error("keyring_unavailable", "no OS keyring is available to this agent");
    auto k = options_.keyring->lookup(meta_->uuid);
    if (!k) {
      if (k.error().code == "not_found")
        return make_error("keyring_unavailable", "the keyring holds no key for this vault (it was removed, or this is another keyring)");
      return k.error();
    }
    kek = std::move(*k);
  } else {
    if (auto ok = check_passphrase(passphrase, "the passphrase"); !ok) return ok.error();
    auto k = derive_kek(passphrase, meta_->salt, meta_->params);
    if (!k) return k.error();
    kek = std::move(*k);
  }
  auto key = crypto::open(kek, meta_->wrap_nonce, meta_->wrapped_key,
                          wrap_ad(meta_->uuid, meta_->protection, meta_->params));
  if (!key) {
    if (key.error().code == "decrypt_failed" && meta_->protection == Protection::passphrase) {
      std::this_thread::sleep_for(options_.wrong_passphrase_delay);
      return make_error("wrong_passphrase", "the passphrase is wrong");
    }
    if (key.error().code == "decrypt_failed")
      return make_error("decrypt_failed", "the keyring's key doesn't open this vault (the vault's key record was changed?)");
    return key.error();
  }
  if (key->size() != kDataKeyBytes) return make_error("decrypt_failed", "the vault's data key has the wrong size");
  key_ = std::move(*key);
  user_locked_ = false;
  last_activity_ = now();
  return Unit{};
}

void Vault::lock() {
  key_ = crypto::SecretBytes();
  user_locked_ = true;
}

Status Vault::change_passphrase(const crypto::SecretBytes& old_passphrase,
                                const crypto::SecretBytes& new_passphrase) {
  if (!meta_) return make_error("vault_not_initialized", "there is no vault yet (dealstack vault init)");
  if (meta_->protection != Protection::passphrase)
    return make_error("invalid_argument", "the vault is protected by the OS keyring, not a passphrase");
  if (auto ok = check_passphrase(new_passphrase, "the new passphrase"); !ok) return ok.error();
  if (auto ok = check_passphrase(old_passphrase, "the old passphrase"); !ok) return ok.error();
  auto old_kek = derive_kek(old_passphrase, meta_->salt, meta_->params);
  if (!old_kek) return old_kek.error();
  auto key = crypto::open(*old_kek, meta_->wrap_nonce, meta_->wrapped_key,
                          wrap_ad(meta_->uuid, meta_->protection, meta_->params));
  if (!key) {
    if (key.error().code != "decrypt_failed") return key.error();
    std::this_thread::sleep_for(options_.wrong_passphrase_delay);
    return make_error("wrong_passphrase", "the old passphrase is wrong");
  }
  Meta m = *meta_;
  auto salt = crypto::random_bytes(kSaltBytes);
  if (!salt) return salt.error();
  m.salt = *salt;
  m.params = options_.scrypt;
  auto new_kek = derive_kek(new_passphrase, m.salt, m.params);
  if (!new_kek) return new_kek.error();
  auto wrapped = crypto::seal(*new_kek, key->view(), wrap_ad(m.uuid, m.protection, m.params));
  if (!wrapped) return wrapped.error();
  m.wrap_nonce = wrapped->nonce;
  m.wrapped_key = wrapped->ciphertext;
  if (auto written = write_meta(m, false); !written) return written.error();
  meta_ = std::move(m);
  key_ = std::move(*key);
  user_locked_ = false;
  last_activity_ = now();
  return Unit{};
}

bool Vault::lock_if_idle() {
  if (key_.empty() || options_.auto_lock_ms <= 0) return false;
  if (now() - last_activity_ < options_.auto_lock_ms) return false;
  // Not lock(): a keyring vault may fetch its key again; a passphrase vault can't anyway.
  key_ = crypto::SecretBytes();
  return true;
}

void Vault::set_auto_lock_ms(std::int64_t ms) { options_.auto_lock_ms = ms < 0 ? 0 : ms; }

Status Vault::ensure_key() {
  if (!meta_) return make_error("vault_not_initialized", "there is no vault yet (dealstack vault init)");
  lock_if_idle();
  if (!key_.empty()) return Unit{};
  if (meta_->protection == Protection::keyring && !user_locked_) {
    auto ok = unlock(crypto::SecretBytes());
    if (!ok) return ok.error();
    return Unit{};
  }
  return make_error("vault_locked", "the vault is locked (dealstack vault unlock)");
}

Status Vault::set(std::string_view id, std::string_view kind, std::string_view label,
                  const crypto::SecretBytes& secret) {
  if (auto ok = validate_id(id); !ok) return ok.error();
  if (auto ok = validate_kind(kind); !ok) return ok.error();
  if (auto ok = validate_label(label); !ok) return ok.error();
  if (secret.empty()) return make_error("invalid_argument", "the secret is empty");
  if (secret.size() > kMaxSecretBytes)
    return make_error("invalid_argument", "the secret is longer than " + std::to_string(kMaxSecretBytes) + " bytes");
  if (kind == kKindShopSession)
    if (auto ok = parse_shop_session(secret); !ok) return ok.error();
  if (auto ok = ensure_key(); !ok) return ok.error();
  auto sealed = crypto::seal(key_, secret.view(), entry_ad(id, kind));
  if (!sealed) return sealed.error();
  auto st = db_.prepare(
      "INSERT INTO vault_entries (id, kind, label, nonce, ciphertext, created_at, updated_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, "
      "label = excluded.label, nonce = excluded.nonce, ciphertext = excluded.ciphertext, "
      "updated_at = excluded.updated_at",
      "store a vault entry");
  if (!st) return st.error();
  const std::string nonce = crypto::base64_encode(sealed->nonce);
  const std::string ciphertext = crypto::base64_encode(sealed->ciphertext);
  if (auto ran = st->bind(1, id).bind(2, kind).bind(3, label).bind(4, std::string_view(nonce))
                     .bind(5, std::string_view(ciphertext)).bind(6, now()).run();
      !ran)
    return ran.error();
  last_activity_ = now();
  return Unit{};
}

Result<crypto::SecretBytes> Vault::get(std::string_view id) {
  if (!meta_) return make_error("vault_not_initialized", "there is no vault yet (dealstack vault init)");
  auto st = db_.prepare("SELECT kind, nonce, ciphertext FROM vault_entries WHERE id = ?", "read a vault entry");
  if (!st) return st.error();
  st->bind(1, id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return make_error("not_found", "the vault has no entry '" + std::string(id) + "'");
  const std::string kind = st->text(0);
  auto nonce = crypto::base64_decode(st->text(1));
  auto ciphertext = crypto::base64_decode(st->text(2));
  if (!nonce || !ciphertext)
    return make_error("decrypt_failed", "the vault entry '" + std::string(id) + "' is damaged");
  if (auto ok = ensure_key(); !ok) return ok.error();
  auto plain = crypto::open(key_, *nonce, *ciphertext, entry_ad(id, kind));
  if (!plain) {
    if (plain.error().code == "decrypt_failed" || plain.error().code == "invalid_argument")
      return make_error("decrypt_failed",
                        "the vault entry '" + std::string(id) + "' doesn't decrypt (changed on disk?)");
    return plain.error();
  }
  return std::move(*plain);
}

Status Vault::remove(std::string_view id) {
  auto st = db_.prepare("DELETE FROM vault_entries WHERE id = ?", "delete a vault entry");
  if (!st) return st.error();
  if (auto ran = st->bind(1, id).run(); !ran) return ran.error();
  if (db_.changes() == 0) return make_error("not_found", "the vault has no entry '" + std::string(id) + "'");
  return Unit{};
}

Result<std::vector<EntryInfo>> Vault::list() {
  auto st = db_.prepare("SELECT id, kind, label, created_at, updated_at FROM vault_entries ORDER BY id",
                        "list vault entries");
  if (!st) return st.error();
  std::vector<EntryInfo> out;
  for (;;) {
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({st->text(0), st->text(1), st->text(2), st->int64(3), st->int64(4)});
  }
  return out;
}

Result<EntryInfo> Vault::info(std::string_view id) {
  auto st = db_.prepare("SELECT id, kind, label, created_at, updated_at FROM vault_entries WHERE id = ?",
                        "read a vault entry");
  if (!st) return st.error();
  st->bind(1, id);
  auto row = st->step();
  if (!row) return row.error();
  if (!*row) return make_error("not_found", "the vault has no entry '" + std::string(id) + "'");
  return EntryInfo{st->text(0), st->text(1), st->text(2), st->int64(3), st->int64(4)};
}

}  // namespace dealstack::vault
