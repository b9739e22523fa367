// The vault over a real SQLite file: round trips, wrong passphrases, tampering with every
// byte that matters, passphrase changes, auto-lock with an injected clock, failures at the
// store seam, and a scan of the files for plaintext.
#include "vault/vault.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <string>

#include "native_host/store/temp_dir.hpp"
#include "store/fault_vfs.hpp"
#include "store/store.hpp"

using namespace dealstack;
using store::testing::TempDir;
using vault::Protection;
using vault::Vault;

namespace {

// Low scrypt cost so the suite stays fast; one test runs the defaults.
crypto::ScryptParams fast() {
  crypto::ScryptParams p;
  p.n = 1 << 10;
  return p;
}

crypto::SecretBytes secret(std::string_view s) { return crypto::SecretBytes(s); }

struct Fixture {
  explicit Fixture(const TempDir& dir, store::Database::Options o = {}) : db(open_db(dir, o)) {}
  static store::Database open_db(const TempDir& dir, const store::Database::Options& o) {
    auto d = store::Database::open(dir.db(), o);
    REQUIRE_MESSAGE(d.ok(), d.error().message);
    return std::move(d).value();
  }
  std::unique_ptr<Vault> vault(vault::VaultOptions o = {}) {
    if (o.scrypt.n == crypto::ScryptParams{}.n) o.scrypt = fast();
    o.wrong_passphrase_delay = std::chrono::milliseconds(0);
    if (!o.clock) o.clock = [this] { return now; };
    auto v = Vault::open(db, std::move(o));
    REQUIRE_MESSAGE(v.ok(), v.error().message);
    return std::move(v).value();
  }
  std::int64_t now = 1'700'000'000'000;
  store::Database db;
};

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void exec(store::Database& db, const std::string& sql) {
  auto ok = db.exec(sql, "test");
  REQUIRE_MESSAGE(ok.ok(), ok.error().message);
}

std::string text_of(store::Database& db, const std::string& sql) {
  auto st = db.prepare(sql, "test");
  REQUIRE(st.ok());
  auto row = st->step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return st->text(0);
}

}  // namespace

TEST_CASE("a passphrase vault round-trips entries, also after reopening with the passphrase") {
  TempDir dir;
  {
    Fixture f(dir);
    auto v = f.vault();
    CHECK(!v->initialized());
    CHECK(v->get("account/token").error().code == "vault_not_initialized");
    REQUIRE(v->init(Protection::passphrase, secret("correct horse")).ok());
    CHECK(v->initialized());
    CHECK(v->unlocked());
    REQUIRE(v->set("account/token", vault::kKindAccountToken, "backend", secret("tok-123")).ok());
    auto got = v->get("account/token");
    REQUIRE(got.ok());
    CHECK(got->view() == "tok-123");
    // Replacing keeps created_at, moves updated_at.
    f.now += 5000;
    REQUIRE(v->set("account/token", vault::kKindAccountToken, "backend 2", secret("tok-456")).ok());
    auto info = v->info("account/token");
    REQUIRE(info.ok());
    CHECK(info->label == "backend 2");
    CHECK(info->updated_at == info->created_at + 5000);
    CHECK(v->get("account/token")->view() == "tok-456");
  }
  Fixture f(dir);
  auto v = f.vault();
  CHECK(v->initialized());
  CHECK(!v->unlocked());
  CHECK(v->protection() == Protection::passphrase);
  CHECK(v->get("account/token").error().code == "vault_locked");
  // Metadata is readable while locked.
  auto list = v->list();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].id == "account/token");
  CHECK((*list)[0].kind == "account_token");
  REQUIRE(v->unlock(secret("correct horse")).ok());
  CHECK(v->get("account/token")->view() == "tok-456");
}

TEST_CASE("a wrong passphrase is refused with wrong_passphrase and leaves the vault locked") {
  TempDir dir;
  Fixture f(dir);
  {
    auto v = f.vault();
    REQUIRE(v->init(Protection::passphrase, secret("right")).ok());
    REQUIRE(v->set("notify/ntfy", vault::kKindNotifySecret, "", secret("ntfy-token")).ok());
  }
  vault::VaultOptions o;
  auto v = f.vault(o);
  auto wrong = v->unlock(secret("wrong"));
  REQUIRE(!wrong.ok());
  CHECK(wrong.error().code == "wrong_passphrase");
  CHECK(wrong.error().message.find("wrong") != std::string::npos);
  CHECK(!v->unlocked());
  CHECK(v->get("notify/ntfy").error().code == "vault_locked");
  CHECK(v->unlock(secret("")).error().code == "invalid_argument");
  REQUIRE(v->unlock(secret("right")).ok());
  CHECK(v->get("notify/ntfy")->view() == "ntfy-token");
}

TEST_CASE("a wrong passphrase costs the configured delay") {
  TempDir dir;
  Fixture f(dir);
  auto v = f.vault();
  REQUIRE(v->init(Protection::passphrase, secret("right")).ok());
  vault::VaultOptions o;
  o.scrypt = fast();
  o.wrong_passphrase_delay = std::chrono::milliseconds(200);
  o.clock = [] { return std::int64_t{0}; };
  auto slow = Vault::open(f.db, o);
  REQUIRE(slow.ok());
  const auto t0 = std::chrono::steady_clock::now();
  CHECK((*slow)->unlock(secret("nope")).error().code == "wrong_passphrase");
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(200));
}

TEST_CASE("init twice is vault_exists; a keyring vault without a keyring is keyring_unavailable") {
  TempDir dir;
  Fixture f(dir);
  auto v = f.vault();
  CHECK(v->init(Protection::keyring, secret("")).error().code == "keyring_unavailable");
  CHECK(!v->initialized());
  CHECK(v->init(Protection::passphrase, secret("")).error().code == "invalid_argument");
  REQUIRE(v->init(Protection::passphrase, secret("p")).ok());
  CHECK(v->init(Protection::passphrase, secret("q")).error().code == "vault_exists");
}

TEST_CASE("a changed byte in the ciphertext, the nonce, or the id or kind it is bound to is decrypt_failed") {
  TempDir dir;
  Fixture f(dir);
  auto v = f.vault();
  REQUIRE(v->init(Protection::passphrase, secret("pw")).ok());
  REQUIRE(v->set("shop/a.example", vault::kKindShopSession, "", secret(R"({"cookies":{"sid":"abc"}})")).ok());
  REQUIRE(v->set("account/token", vault::kKindAccountToken, "", secret("tok")).ok());
  const std::string nonce = text_of(f.db, "SELECT nonce FROM vault_entries WHERE id = 'account/token'");
  const std::string ciphertext = text_of(f.db, "SELECT ciphertext FROM vault_entries WHERE id = 'account/token'");

  // Flip one bit of each decoded byte position in turn (a sample of positions, all fields).
  auto flip = [&](const char* column, const std::string& original, std::size_t index) {
    auto raw = crypto::base64_decode(original);
    REQUIRE(raw.ok());
    (*raw)[index % raw->size()] ^= 0x01;
    exec(f.db, std::string("UPDATE vault_entries SET ") + column + " = '" + crypto::base64_encode(*raw) +
                   "' WHERE id = 'account/token'");
    auto got = v->get("account/token");
    CHECK(got.error().code == "decrypt_failed");
    exec(f.db, std::string("UPDATE vault_entries SET ") + column + " = '" + original + "' WHERE id = 'account/token'");
  };
  for (std::size_t i = 0; i < 12; ++i) flip("nonce", nonce, i);
  const std::size_t n = crypto::base64_decode(ciphertext)->size();
  for (std::size_t i = 0; i < n; ++i) flip("ciphertext", ciphertext, i);
  CHECK(v->get("account/token")->view() == "tok");

  // Another kind: the associated data differs.
  exec(f.db, "UPDATE vault_entries SET kind = 'notify_secret' WHERE id = 'account/token'");
  CHECK(v->get("account/token").error().code == "decrypt_failed");
  exec(f.db, "UPDATE vault_entries SET kind = 'account_token' WHERE id = 'account/token'");
  // Renamed: another id in the associated data.
  exec(f.db, "UPDATE vault_entries SET id = 'account/other' WHERE id = 'account/token'");
  CHECK(v->get("account/other").error().code == "decrypt_failed");
  // One entry's ciphertext moved under another's id.
  exec(f.db, "UPDATE vault_entries SET id = 'account/token' WHERE id = 'account/other'");
  exec(f.db,
       "UPDATE vault_entries SET (nonce, ciphertext) = (SELECT nonce, ciphertext FROM vault_entries WHERE id = "
       "'shop/a.example') WHERE id = 'account/token'");
  CHECK(v->get("account/token").error().code == "decrypt_failed");
  // A truncated ciphertext (shorter than the tag) is decrypt_failed too, not another code.
  exec(f.db, "UPDATE vault_entries SET ciphertext = 'AAAA' WHERE id = 'account/token'");
  CHECK(v->get("account/token").error().code == "decrypt_failed");
  CHECK(v->get("shop/a.example").ok());
}

TEST_CASE("a changed wrapped key or wrap parameters never unlock: wrong_passphrase") {
  TempDir dir;
  Fixture f(dir);
  {
    auto v = f.vault();
    REQUIRE(v->init(Protection::passphrase, secret("pw")).ok());
  }
  const std::string wrapped = text_of(f.db, "SELECT wrapped_key FROM vault_meta");
  auto raw = crypto::base64_decode(wrapped);
  REQUIRE(raw.ok());
  (*raw)[3] ^= 0x80;
  exec(f.db, "UPDATE vault_meta SET wrapped_key = '" + crypto::base64_encode(*raw) + "'");
  CHECK(f.vault()->unlock(secret("pw")).error().code == "wrong_passphrase");
  exec(f.db, "UPDATE vault_meta SET wrapped_key = '" + wrapped + "'");
  // The parameters are in the associated data as well as in the derivation.
  exec(f.db, "UPDATE vault_meta SET kdf_r = 9");
  CHECK(f.vault()->unlock(secret("pw")).error().code == "wrong_passphrase");
  exec(f.db, "UPDATE vault_meta SET kdf_r = 8");
  REQUIRE(f.vault()->unlock(secret("pw")).ok());
}

TEST_CASE("passwd re-wraps the key: entries stay readable with the new passphrase, not the old") {
  TempDir dir;
  Fixture f(dir);
  std::string nonce_before, ciphertext_before;
  {
    auto v = f.vault();
    REQUIRE(v->init(Protection::passphrase, secret("old pass")).ok());
    REQUIRE(v->set("account/sync_key", vault::kKindSyncKey, "", secret(std::string(32, '\x07'))).ok());
    nonce_before = text_of(f.db, "SELECT nonce FROM vault_entries");
    ciphertext_before = text_of(f.db, "SELECT ciphertext FROM vault_entries");
    const std::string salt_before = text_of(f.db, "SELECT kdf_salt FROM vault_meta");
    CHECK(v->change_passphrase(secret("not it"), secret("new pass")).error().code == "wrong_passphrase");
    CHECK(v->change_passphrase(secret("old pass"), secret("")).error().code == "invalid_argument");
    REQUIRE(v->change_passphrase(secret("old pass"), secret("new pass")).ok());
    CHECK(text_of(f.db, "SELECT kdf_salt FROM vault_meta") != salt_before);
  }
  // The entries were not rewritten.
  CHECK(text_of(f.db, "SELECT nonce FROM vault_entries") == nonce_before);
  CHECK(text_of(f.db, "SELECT ciphertext FROM vault_entries") == ciphertext_before);
  auto v = f.vault();
  CHECK(v->unlock(secret("old pass")).error().code == "wrong_passphrase");
  REQUIRE(v->unlock(secret("new pass")).ok());
  CHECK(v->get("account/sync_key")->view() == std::string(32, '\x07'));
}

TEST_CASE("passwd stores the current scrypt parameters, so they can be raised later") {
  TempDir dir;
  Fixture f(dir);
  auto v = f.vault();
  REQUIRE(v->init(Protection::passphrase, secret("a")).ok());
  CHECK(text_of(f.db, "SELECT kdf_n FROM vault_meta") == "1024");
  vault::VaultOptions raised;
  raised.scrypt.n = 1 << 11;
  raised.scrypt.r = 8;
  auto v2 = f.vault(raised);
  REQUIRE(v2->change_passphrase(secret("a"), secret("b")).ok());
  CHECK(text_of(f.db, "SELECT kdf_n FROM vault_meta") == "2048");
  auto v3 = f.vault();
  REQUIRE(v3->unlock(secret("b")).ok());
}

TEST_CASE("the default scrypt parameters are N=2^17 r=8 p=1 and are what init stores") {
  TempDir dir;
  Fixture f(dir);
  vault::VaultOptions o;
  o.scrypt = crypto::ScryptParams{};
  o.clock = [] { return std::int64_t{1}; };
  auto v = Vault::open(f.db, o);
  REQUIRE(v.ok());
  REQUIRE((*v)->init(Protection::passphrase, secret("slow and sure")).ok());
  CHECK(text_of(f.db, "SELECT kdf_n || ' ' || kdf_r || ' ' || kdf_p FROM vault_meta") == "131072 8 1");
  CHECK(crypto::base64_decode(text_of(f.db, "SELECT kdf_salt FROM vault_meta"))->size() == 16);
}

TEST_CASE("auto-lock: a passphrase vault drops its key after the idle time and needs the passphrase again") {
  TempDir dir;
  Fixture f(dir);
  vault::VaultOptions o;
  o.auto_lock_ms = 15 * 60'000;
  auto v = f.vault(o);
  REQUIRE(v->init(Protection::passphrase, secret("pw")).ok());
  REQUIRE(v->set("notify/x", vault::kKindNotifySecret, "", secret("s")).ok());
  f.now += 15 * 60'000 - 1;
  CHECK(!v->lock_if_idle());
  CHECK(v->get("notify/x").ok());  // a read doesn't count as activity...
  f.now += 1;
  CHECK(v->lock_if_idle());  // ...so it locks 15 minutes after the last write
  CHECK(!v->unlocked());
  CHECK(v->get("notify/x").error().code == "vault_locked");
  REQUIRE(v->unlock(secret("pw")).ok());
  f.now += 10 * 60'000;
  REQUIRE(v->set("notify/y", vault::kKindNotifySecret, "", secret("t")).ok());  // a write does
  f.now += 10 * 60'000;
  CHECK(!v->lock_if_idle());
  // get() checks the idle time itself, even without the agent's timer.
  f.now += 5 * 60'000;
  CHECK(v->get("notify/y").error().code == "vault_locked");
  // 0 = never.
  REQUIRE(v->unlock(secret("pw")).ok());
  v->set_auto_lock_ms(0);
  f.now += 365LL * 24 * 3600'000;
  CHECK(!v->lock_if_idle());
  CHECK(v->get("notify/y")->view() == "t");
  CHECK(v->status()->auto_lock_minutes == 0);
}

TEST_CASE("lock() drops the key at once; remove and list work while locked") {
  TempDir dir;
  Fixture f(dir);
  auto v = f.vault();
  REQUIRE(v->init(Protection::passphrase, secret("pw")).ok());
  REQUIRE(v->set("notify/a", vault::kKindNotifySecret, "A", secret("1")).ok());
  REQUIRE(v->set("notify/b", vault::kKindNotifySecret, "B", secret("2")).ok());
  v->lock();
  CHECK(!v->unlocked());
  CHECK(v->set("notify/c", vault::kKindNotifySecret, "", secret("3")).error().code == "vault_locked");
  REQUIRE(v->remove("notify/a").ok());
  CHECK(v->remove("notify/a").error().code == "not_found");
  auto list = v->list();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].label == "B");
  auto st = v->status();
  REQUIRE(st.ok());
  CHECK(st->initialized);
  CHECK(st->locked);
  CHECK(st->entries == 1);
}

TEST_CASE("set checks the id, kind, label, size and a shop session's shape, naming the field and never the value") {
  TempDir dir;
  Fixture f(dir);
  auto v = f.vault();
  REQUIRE(v->init(Protection::passphrase, secret("pw")).ok());
  const auto code = [&](std::string_view id, std::string_view kind, std::string_view label, std::string_view s) {
    auto r = v->set(id, kind, label, secret(s));
    if (r.ok()) return std::string("ok");
    CHECK(r.error().message.find("SECRETVALUE") == std::string::npos);
    return r.error().code;
  };
  CHECK(code("", "account_token", "", "x") == "invalid_argument");
  CHECK(code("a b", "account_token", "", "x") == "invalid_argument");
  CHECK(code(std::string(201, 'a'), "account_token", "", "x") == "invalid_argument");
  CHECK(code("a", "password", "", "x") == "invalid_argument");
  CHECK(code("a", "account_token", "tab\there", "x") == "invalid_argument");
  CHECK(code("a", "account_token", "\xff", "x") == "invalid_argument");
  CHECK(code("a", "account_token", "", "") == "invalid_argument");
  CHECK(code("a", "account_token", "", std::string(vault::kMaxSecretBytes + 1, 'x')) == "invalid_argument");
  CHECK(code("a", "account_token", "Étiquette ✓", std::string(vault::kMaxSecretBytes, 'x')) == "ok");
  CHECK(code("shop/s", "shop_session", "", "SECRETVALUE") == "invalid_argument");
  CHECK(code("shop/s", "shop_session", "", R"({"cookies":{"sid":"SECRETVALUE\r\n"}})") == "invalid_argument");
  CHECK(code("shop/s", "shop_session", "", R"({"cookies":{"sid":"SECRETVALUE;x=1"}})") == "invalid_argument");
  CHECK(code("shop/s", "shop_session", "", R"({"headers":{"bad name":"SECRETVALUE"}})") == "invalid_argument");
  CHECK(code("shop/s", "shop_session", "", R"({"cookies":{"sid":1}})") == "invalid_argument");
  CHECK(code("shop/s", "shop_session", "", R"({"cookies":{},"other":{}})") == "invalid_argument");
  CHECK(code("shop/s", "shop_session", "", R"({"cookies":{"sid":"SECRETVALUE"},"headers":{"X-Member":"gold"}})") ==
        "ok");
  CHECK(v->list()->size() == 2);
}

TEST_CASE("failure injection: a write that fails at the store leaves the vault as it was, for every N") {
  TempDir dir;
  store::Database::Options o;
  o.vfs = store::fault_vfs::name();
  Fixture f(dir, o);
  auto v = f.vault();
  // init: either no vault or a whole one, never a half-written row.
  bool done = false;
  for (std::int64_t n = 0; n < 50 && !done; ++n) {
    CAPTURE(n);
    store::fault_vfs::fail_after(n);
    auto r = v->init(Protection::passphrase, secret("pw"));
    store::fault_vfs::disarm();
    done = r.ok();
    if (!done) {
      CHECK(r.error().code.rfind("db_", 0) == 0);
      CHECK(!v->initialized());
      CHECK(!v->unlocked());
      v = f.vault();  // a fresh view of the file
      CHECK(!v->initialized());
    }
  }
  REQUIRE(done);
  REQUIRE(v->set("account/token", vault::kKindAccountToken, "", secret("first")).ok());
  // set: either the old secret or the new, never a broken entry.
  done = false;
  for (std::int64_t n = 0; n < 50 && !done; ++n) {
    CAPTURE(n);
    store::fault_vfs::fail_after(n);
    auto r = v->set("account/token", vault::kKindAccountToken, "", secret("second"));
    store::fault_vfs::disarm();
    done = r.ok();
    auto got = v->get("account/token");
    REQUIRE_MESSAGE(got.ok(), got.error().message);
    CHECK(got->view() == (done ? "second" : "first"));
  }
  REQUIRE(done);
  // passwd: either passphrase opens the vault afterwards, never neither.
  done = false;
  for (std::int64_t n = 0; n < 50 && !done; ++n) {
    CAPTURE(n);
    store::fault_vfs::fail_after(n);
    auto r = v->change_passphrase(secret("pw"), secret("pw2"));
    store::fault_vfs::disarm();
    done = r.ok();
    auto again = f.vault();
    auto opened = again->unlock(secret(done ? "pw2" : "pw"));
    CHECK_MESSAGE(opened.ok(), opened.error().message);
    CHECK(again->get("account/token")->view() == "second");
  }
  REQUIRE(done);
  // delete.
  done = false;
  for (std::int64_t n = 0; n < 50 && !done; ++n) {
    store::fault_vfs::fail_after(n);
    auto r = v->remove("account/token");
    store::fault_vfs::disarm();
    done = r.ok();
    if (!done) CHECK(v->get("account/token").ok());
  }
  REQUIRE(done);
  CHECK(v->get("account/token").error().code == "not_found");
}

TEST_CASE("the database file and its WAL hold no plaintext secret, and are private (0600)") {
  TempDir dir;
  const std::string token = "PLAINTEXT-TOKEN-4f2a9c";
  const std::string pass = "PLAINTEXT-PASSPHRASE-77c1";
  const std::string cookie = "PLAINTEXT-COOKIE-e81b";
  {
    Fixture f(dir);
    auto v = f.vault();
    REQUIRE(v->init(Protection::passphrase, secret(pass)).ok());
    REQUIRE(v->set("account/token", vault::kKindAccountToken, "label shows", secret(token)).ok());
    REQUIRE(v->set("shop/a.example", vault::kKindShopSession, "", secret(R"({"cookies":{"sid":")" + cookie + "\"}}")).ok());
    REQUIRE(v->change_passphrase(secret(pass), secret(pass + "-2")).ok());
    // Scan while open (the WAL holds the latest writes) and after closing.
    for (const char* suffix : {"", "-wal"}) {
      const auto path = dir.db().string() + suffix;
      const std::string bytes = file_bytes(path);
      const bool label_seen = bytes.find("label shows") != std::string::npos;
      if (!std::string(suffix).empty()) CHECK(label_seen);
      for (const std::string& s : {token, pass, cookie, crypto::base64_encode(token)}) {
        CAPTURE(path);
        CAPTURE(s);
        CHECK(bytes.find(s) == std::string::npos);
      }
      struct stat st{};
      REQUIRE(::stat(path.c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
    }
  }
  const std::string bytes = file_bytes(dir.db());
  CHECK(bytes.find("label shows") != std::string::npos);  // the scan can see what is there
  for (const std::string& s : {token, pass, cookie}) CHECK(bytes.find(s) == std::string::npos);
}

TEST_CASE("entry associated data and wrap associated data are as documented") {
  CHECK(vault::entry_ad("shop/a.example", "shop_session") == "dealstack vault v1\nshop/a.example\nshop_session");
  crypto::ScryptParams p;
  CHECK(vault::wrap_ad("u-1", Protection::passphrase, p) == "dealstack vault v1 key\nu-1\nscrypt n=131072 r=8 p=1");
  CHECK(vault::wrap_ad("u-1", Protection::keyring, p) == "dealstack vault v1 key\nu-1\nkeyring");
}
