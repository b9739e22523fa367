#include "sync/keys.hpp"

namespace dealstack::sync {

namespace {
constexpr std::string_view kBlobAd = "dealstack sync v1\n";
}

std::string normalize_email(std::string_view email) {
  while (!email.empty() && (email.front() == ' ' || email.front() == '\t')) email.remove_prefix(1);
  while (!email.empty() && (email.back() == ' ' || email.back() == '\t')) email.remove_suffix(1);
  std::string out(email);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

Result<AccountKeys> derive_account_keys(std::string_view password, std::string_view email,
                                        const crypto::ScryptParams& params) {
  if (password.empty()) return make_error("invalid_argument", "the password is empty");
  const std::string who = normalize_email(email);
  if (who.empty()) return make_error("invalid_argument", "the email is empty");
  auto master = crypto::scrypt(password, "dealstack/v1/" + who, params, 32);
  if (!master) return master.error();
  auto auth = crypto::hkdf_sha256(*master, "", "dealstack auth v1", 32);
  if (!auth) return auth.error();
  auto sync_key = crypto::hkdf_sha256(*master, "", "dealstack sync v1", 32);
  if (!sync_key) return sync_key.error();
  return AccountKeys{std::move(*auth), std::move(*sync_key)};  // master is wiped here
}

Result<crypto::SecretBytes> derive_id_key(const crypto::SecretBytes& sync_key) {
  return crypto::hkdf_sha256(sync_key, "", "dealstack ids v1", 32);
}

std::string record_id(const crypto::SecretBytes& id_key, std::string_view kind, std::string_view key) {
  std::string input(kind);
  input += '\n';
  input += key;
  return crypto::base64url_encode(crypto::hmac_sha256(id_key, input));
}

Result<std::string> seal_blob(const crypto::SecretBytes& sync_key, std::string_view id,
                              std::string_view plaintext) {
  auto sealed = crypto::seal(sync_key, plaintext, std::string(kBlobAd) + std::string(id));
  if (!sealed) return sealed.error();
  return crypto::base64_encode(sealed->nonce + sealed->ciphertext);
}

Result<crypto::SecretBytes> open_blob(const crypto::SecretBytes& sync_key, std::string_view id,
                                      std::string_view blob) {
  auto raw = crypto::base64_decode(blob);
  if (!raw) return raw.error();
  if (raw->size() < crypto::kAeadNonceBytes + crypto::kAeadTagBytes)
    return make_error("invalid_argument", "a sync blob is shorter than a nonce and a tag");
  const std::string_view all(*raw);
  return crypto::open(sync_key, all.substr(0, crypto::kAeadNonceBytes),
                      all.substr(crypto::kAeadNonceBytes), std::string(kBlobAd) + std::string(id));
}

}  // namespace dealstack::sync
