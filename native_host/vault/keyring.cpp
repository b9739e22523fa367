#include "vault/keyring.hpp"

#include <libsecret/secret.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace dealstack::vault {

namespace {

const SecretSchema* schema() {
  static const SecretSchema s = {
      "com.dealstack.Vault",
      SECRET_SCHEMA_NONE,
      {{"vault", SECRET_SCHEMA_ATTRIBUTE_STRING}, {nullptr, SECRET_SCHEMA_ATTRIBUTE_STRING}},
      0, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
  return &s;
}

// Cancels the call's GCancellable once the deadline passes (libsecret's sync calls wait on
// D-Bus, and on a prompt, without a deadline of their own).
class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds timeout) : cancellable_(g_cancellable_new()) {
    watcher_ = std::thread([this, timeout] {
      std::unique_lock lock(mutex_);
      if (!cv_.wait_for(lock, timeout, [this] { return done_; })) {
        expired_ = true;
        g_cancellable_cancel(cancellable_);
      }
    });
  }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;
  ~Deadline() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    watcher_.join();
    g_object_unref(cancellable_);
  }
  GCancellable* get() { return cancellable_; }
  bool expired() {
    std::lock_guard lock(mutex_);
    return expired_;
  }

 private:
  GCancellable* cancellable_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  bool expired_ = false;
  std::thread watcher_;
};

Error keyring_error(const char* what, GError* error, Deadline& deadline, std::chrono::milliseconds timeout) {
  std::string message = std::string("the keyring (Secret Service) couldn't ") + what + ": ";
  if (deadline.expired())
    message += "no answer within " + std::to_string(timeout.count()) + " ms (a locked keyring waiting for a prompt?)";
  else
    message += error != nullptr && error->message != nullptr ? error->message : "unknown error";
  if (error != nullptr) g_error_free(error);
  return make_error("keyring_unavailable", message);
}

class SecretServiceKeyring final : public Keyring {
 public:
  explicit SecretServiceKeyring(std::chrono::milliseconds timeout) : timeout_(timeout) {}

  Status store(std::string_view uuid, const crypto::SecretBytes& key) override {
    const std::string id(uuid);
    const std::string label = "dealstack vault key (" + id + ")";
    std::string text = crypto::base64_encode(key.view());
    Deadline deadline(timeout_);
    GError* error = nullptr;
    const gboolean ok = secret_password_store_sync(schema(), SECRET_COLLECTION_DEFAULT, label.c_str(),
                                                   text.c_str(), deadline.get(), &error, "vault",
                                                   id.c_str(), nullptr);
    crypto::wipe(text);
    if (!ok || error != nullptr) return keyring_error("store the vault's key", error, deadline, timeout_);
    return Unit{};
  }

  Result<crypto::SecretBytes> lookup(std::string_view uuid) override {
    const std::string id(uuid);
    Deadline deadline(timeout_);
    GError* error = nullptr;
    gchar* text = secret_password_lookup_sync(schema(), deadline.get(), &error, "vault", id.c_str(), nullptr);
    if (error != nullptr) {
      if (text != nullptr) secret_password_free(text);
      return keyring_error("look up the vault's key", error, deadline, timeout_);
    }
    if (text == nullptr) {
      if (deadline.expired()) return keyring_error("look up the vault's key", nullptr, deadline, timeout_);
      return make_error("not_found", "the keyring holds no key for vault " + id);
    }
    auto decoded = crypto::base64_decode(text);
    secret_password_free(text);  // wipes libsecret's copy
    if (!decoded) return make_error("keyring_unavailable", "the keyring's item for vault " + id + " is not a key");
    crypto::SecretBytes key(*decoded);
    crypto::wipe(*decoded);
    return key;
  }

  Status clear(std::string_view uuid) override {
    const std::string id(uuid);
    Deadline deadline(timeout_);
    GError* error = nullptr;
    secret_password_clear_sync(schema(), deadline.get(), &error, "vault", id.c_str(), nullptr);
    if (error != nullptr) return keyring_error("remove the vault's key", error, deadline, timeout_);
    return Unit{};
  }

 private:
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<Keyring> make_secret_service_keyring(std::chrono::milliseconds timeout) {
  return std::make_unique<SecretServiceKeyring>(timeout);
}

}  // namespace dealstack::vault
