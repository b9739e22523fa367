// The Secret Service keyring against a real gnome-keyring: the test starts a private D-Bus
// session (dbus-run-session) with a fresh keyring unlocked in a temporary HOME, and runs
// itself inside it for the part that talks to the keyring.
#include "vault/keyring.hpp"

#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "native_host/store/temp_dir.hpp"
#include "store/database.hpp"
#include "vault/vault.hpp"

using namespace dealstack;
using store::testing::TempDir;

namespace {

constexpr const char* kChildVar = "DEALSTACK_KEYRING_TEST_DIR";

bool have(const char* program) {
  const std::string cmd = std::string("command -v ") + program + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

// Runs only inside the session the next test starts (skipped when run alone).
TEST_CASE("keyring (inside a D-Bus session): a keyring vault stores its key there and reopens without a passphrase"
          * doctest::skip(std::getenv(kChildVar) == nullptr)) {
  const std::filesystem::path dir = std::getenv(kChildVar);
  auto keyring = vault::make_secret_service_keyring(std::chrono::milliseconds(10'000));
  std::string uuid;
  {
    auto db = store::Database::open(dir / "vault.sqlite3");
    REQUIRE_MESSAGE(db.ok(), db.error().message);
    vault::VaultOptions o;
    o.keyring = keyring.get();
    auto v = vault::Vault::open(*db, o);
    REQUIRE(v.ok());
    auto made = (*v)->init(vault::Protection::keyring, crypto::SecretBytes());
    REQUIRE_MESSAGE(made.ok(), made.error().message);
    REQUIRE((*v)->set("account/token", vault::kKindAccountToken, "", crypto::SecretBytes("KEYRING-SECRET-1")).ok());
    auto st = db->prepare("SELECT uuid, protection, kdf_salt IS NULL FROM vault_meta", "read");
    REQUIRE(st.ok());
    REQUIRE(*st->step());
    uuid = st->text(0);
    CHECK(st->text(1) == "keyring");
    CHECK(st->int64(2) == 1);
  }
  // The key is in the keyring, under this vault's uuid, 32 bytes.
  auto key = keyring->lookup(uuid);
  REQUIRE_MESSAGE(key.ok(), key.error().message);
  CHECK(key->size() == 32);
  CHECK(keyring->lookup("00000000-0000-4000-8000-000000000000").error().code == "not_found");
  {
    // A new process's view: no passphrase, the first use fetches the key.
    auto db = store::Database::open(dir / "vault.sqlite3");
    REQUIRE(db.ok());
    vault::VaultOptions o;
    o.keyring = keyring.get();
    auto v = vault::Vault::open(*db, o);
    REQUIRE(v.ok());
    CHECK((*v)->unlocked());
    auto got = (*v)->get("account/token");
    REQUIRE_MESSAGE(got.ok(), got.error().message);
    CHECK(got->view() == "KEYRING-SECRET-1");
    // An explicit lock holds; unlock needs no passphrase.
    (*v)->lock();
    CHECK((*v)->get("account/token").error().code == "vault_locked");
    REQUIRE((*v)->unlock(crypto::SecretBytes()).ok());
    // A keyring vault can't change a passphrase it doesn't have.
    CHECK((*v)->change_passphrase(crypto::SecretBytes("a"), crypto::SecretBytes("b")).error().code ==
          "invalid_argument");
  }
  // Another key in the keyring under this uuid: decrypt_failed, never the data.
  REQUIRE(keyring->store(uuid, crypto::SecretBytes(std::string(32, 'k'))).ok());
  {
    auto db = store::Database::open(dir / "vault.sqlite3");
    REQUIRE(db.ok());
    vault::VaultOptions o;
    o.keyring = keyring.get();
    auto v = vault::Vault::open(*db, o);
    REQUIRE(v.ok());
    CHECK((*v)->unlock(crypto::SecretBytes()).error().code == "decrypt_failed");
  }
  // No item: keyring_unavailable, naming the cause.
  REQUIRE(keyring->clear(uuid).ok());
  CHECK(keyring->lookup(uuid).error().code == "not_found");
  {
    auto db = store::Database::open(dir / "vault.sqlite3");
    REQUIRE(db.ok());
    vault::VaultOptions o;
    o.keyring = keyring.get();
    auto v = vault::Vault::open(*db, o);
    REQUIRE(v.ok());
    auto r = (*v)->get("account/token");
    CHECK(r.error().code == "keyring_unavailable");
    CHECK(r.error().message.find("no key") != std::string::npos);
  }
  // Put the real key back so the parent can check the keyring file holds the item.
  REQUIRE(keyring->store(uuid, *key).ok());
}

TEST_CASE("keyring: against a real gnome-keyring in a D-Bus session the test starts") {
  if (std::getenv(kChildVar) != nullptr) return;  // we are the child
  if (!have("dbus-run-session") || !have("gnome-keyring-daemon")) {
    MESSAGE("dbus-run-session or gnome-keyring-daemon missing (scripts/setup.sh installs them): skipped");
    return;
  }
  TempDir dir;
  const auto home = dir.path() / "home";
  const auto data = home / "data";
  std::filesystem::create_directories(data);
  char self[4096];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  REQUIRE(n > 0);
  self[n] = '\0';
  const auto script = dir.path() / "run.sh";
  {
    std::ofstream s(script);
    s << "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 90\n"
      << "exec \"$1\" --no-version -tc='keyring (inside*' >\"$2\" 2>&1\n";
  }
  const std::string cmd = "cd / && env -u DBUS_SESSION_BUS_ADDRESS HOME='" + home.string() + "' XDG_DATA_HOME='" +
                          data.string() + "' " + kChildVar + "='" + dir.path().string() +
                          "' timeout 120 dbus-run-session -- sh '" + script.string() + "' '" + self + "' '" +
                          (dir.path() / "child.log").string() + "' 2>/dev/null";
  const int status = std::system(cmd.c_str());
  const std::string log = read_all(dir.path() / "child.log");
  INFO(log);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(log.find("Status: SUCCESS") != std::string::npos);
  CHECK(log.find("1 passed") != std::string::npos);
  // gnome-keyring really stored the item: its file in the temporary home holds our schema's
  // item (the attributes are hashed in the file, the label is encrypted with the rest: the
  // file grew past an empty keyring and was written after the daemon's own first write).
  const auto file = data / "keyrings" / "login.keyring";
  REQUIRE(std::filesystem::exists(file));
  CHECK(std::filesystem::file_size(file) > 200);
  // Never the key or the entry's secret in the clear.
  CHECK(read_all(file).find("KEYRING-SECRET-1") == std::string::npos);
  CHECK(read_all(dir.path() / "vault.sqlite3").find("KEYRING-SECRET-1") == std::string::npos);
}
