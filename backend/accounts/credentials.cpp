#include "accounts/credentials.hpp"

namespace dealstack::backend::accounts {

Result<std::string> normalize_email(std::string_view email) {
  auto bad = [](std::string why) { return make_error("invalid_request", "email: " + why); };
  if (email.size() < 3) return bad("must be an address such as name@example.org");
  if (email.size() > kMaxEmailBytes) return bad("is longer than " + std::to_string(kMaxEmailBytes) + " bytes");
  std::string out;
  out.reserve(email.size());
  std::size_t at = std::string::npos;
  for (std::size_t i = 0; i < email.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(email[i]);
    if (c <= 0x20 || c == 0x7f) return bad("must not contain spaces or control characters");
    if (c == '@') {
      if (at != std::string::npos) return bad("must contain exactly one '@'");
      at = i;
    }
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c));
  }
  if (at == std::string::npos) return bad("must contain an '@'");
  if (at == 0) return bad("needs a name before the '@'");
  if (at > 64) return bad("the part before the '@' is longer than 64 bytes");
  if (at + 1 == email.size()) return bad("needs a domain after the '@'");
  return out;
}

Result<crypto::SecretBytes> decode_auth_key(std::string_view text) {
  if (text.size() != 43)
    return make_error("invalid_request", "auth_key: must be 43 characters of base64url (32 bytes, no padding), got " +
                                             std::to_string(text.size()));
  auto bytes = crypto::base64url_decode(text);
  if (!bytes || bytes->size() != kAuthKeyBytes)
    return make_error("invalid_request", "auth_key: must be base64url (A-Z a-z 0-9 - _) of 32 bytes");
  crypto::SecretBytes key(*bytes);
  crypto::wipe(*bytes);
  return key;
}

Result<std::string> normalize_device(std::string_view device) {
  if (device.empty()) return std::string("unknown");
  if (device.size() > kMaxDeviceBytes)
    return make_error("invalid_request", "device: is longer than " + std::to_string(kMaxDeviceBytes) + " bytes");
  for (unsigned char c : device)
    if (c < 0x20 || c == 0x7f) return make_error("invalid_request", "device: must not contain control characters");
  return std::string(device);
}

Result<StoredHash> hash_auth_key(const crypto::SecretBytes& auth_key, const crypto::ScryptParams& params) {
  auto salt = crypto::random_bytes(kSaltBytes);
  if (!salt) return salt.error();
  auto hash = crypto::scrypt(auth_key.view(), *salt, params, kHashBytes);
  if (!hash) return hash.error();
  return StoredHash{std::move(*salt), std::string(hash->view()), params};
}

Result<bool> verify_auth_key(const crypto::SecretBytes& auth_key, const StoredHash& stored) {
  auto hash = crypto::scrypt(auth_key.view(), stored.salt, stored.params, kHashBytes);
  if (!hash) return hash.error();
  return crypto::equal_constant_time(hash->view(), stored.hash);
}

Result<std::string> new_token() {
  auto bytes = crypto::random_bytes(kTokenBytes);
  if (!bytes) return bytes.error();
  std::string token = crypto::base64url_encode(*bytes);
  crypto::wipe(*bytes);
  return token;
}

std::string token_hash(std::string_view token) { return crypto::sha256(token); }

}  // namespace dealstack::backend::accounts
