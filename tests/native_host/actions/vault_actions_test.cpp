// The vault's protocol methods through the dispatcher, over a real store and vault: what
// each answers, and that no reply ever carries a secret.
#include "actions/actions.hpp"

#include <doctest/doctest.h>

#include <string>

#include "native_host/store/temp_dir.hpp"
#include "protocol/dispatcher.hpp"
#include "vault/vault.hpp"

using namespace dealstack;
using protocol::Json;
using store::testing::TempDir;

namespace {

struct Agent {
  explicit Agent(const TempDir& dir) : store(open_store(dir)) {
    vault::VaultOptions o;
    o.scrypt.n = 1 << 10;
    o.wrong_passphrase_delay = std::chrono::milliseconds(0);
    auto v = vault::Vault::open(store.database(), o);
    REQUIRE(v.ok());
    secrets = std::move(v).value();
    services.store = &store;
    services.vault = secrets.get();
    services.vault_unlocked = [this] { ++unlocked_calls; };
    actions::add_all(dispatcher, services);
  }
  static store::Store open_store(const TempDir& dir) {
    auto s = store::Store::open(dir.db());
    REQUIRE_MESSAGE(s.ok(), s.error().message);
    return std::move(s).value();
  }
  Json call(const std::string& method, const Json& params = Json::object()) {
    const std::string reply = dispatcher.handle(Json{{"id", 1}, {"method", method}, {"params", params}}.dump());
    replies += reply;
    return Json::parse(reply);
  }
  store::Store store;
  std::unique_ptr<vault::Vault> secrets;
  actions::Services services;
  protocol::Dispatcher dispatcher;
  std::string replies;  // every reply, for the scan
  int unlocked_calls = 0;
};

std::string code(const Json& reply) { return reply.contains("error") ? reply["error"]["code"].get<std::string>() : "ok"; }

}  // namespace

TEST_CASE("vault methods: init, set, list, lock, unlock, passwd, delete; replies never hold a secret") {
  TempDir dir;
  Agent a(dir);
  const std::string pass = "PASS-a81c", pass2 = "PASS-77f0", token = "TOKEN-5d2e", cookie = "COOKIE-c3a9";
  CHECK(a.call("vault.status")["result"] ==
        Json::parse(R"({"initialized": false, "locked": true, "protection": null, "auto_lock_minutes": 15, "entries": 0})"));
  CHECK(code(a.call("vault.lock")) == "vault_not_initialized");
  CHECK(code(a.call("vault.init", {{"protection", "passphrase"}})) == "invalid_params");
  CHECK(code(a.call("vault.init", {{"protection", "other"}, {"passphrase", pass}})) == "invalid_params");
  CHECK(code(a.call("vault.init", {{"protection", "keyring"}})) == "keyring_unavailable");  // no keyring given
  const Json init = a.call("vault.init", {{"protection", "passphrase"}, {"passphrase", pass}});
  REQUIRE_MESSAGE(init.contains("result"), init.dump());
  CHECK(init["result"]["protection"] == "passphrase");
  CHECK(init["result"]["locked"] == false);

  const Json set = a.call("vault.set", {{"id", "account/token"}, {"kind", "account_token"}, {"label", "Backend"},
                                        {"secret", token}});
  REQUIRE_MESSAGE(set.contains("result"), set.dump());
  CHECK(set["result"]["entry"]["id"] == "account/token");
  CHECK(set["result"]["entry"]["label"] == "Backend");
  CHECK(set["result"]["entry"].size() == 5);
  REQUIRE(code(a.call("vault.set", {{"id", "shop/a.example"}, {"kind", "shop_session"},
                                    {"secret", Json{{"cookies", {{"sid", cookie}}}}.dump()}})) == "ok");
  CHECK(a.secrets->get("account/token")->view() == token);

  // Bad params name the field, never the secret.
  const Json bad_kind = a.call("vault.set", {{"id", "x"}, {"kind", "password"}, {"secret", token}});
  CHECK(code(bad_kind) == "invalid_params");
  CHECK(bad_kind["error"]["message"].get<std::string>().rfind("kind: ", 0) == 0);
  const Json bad_session = a.call("vault.set", {{"id", "shop/b"}, {"kind", "shop_session"}, {"secret", token}});
  CHECK(code(bad_session) == "invalid_params");
  CHECK(bad_session["error"]["message"].get<std::string>().rfind("secret: ", 0) == 0);
  CHECK(code(a.call("vault.set", {{"id", "x"}, {"kind", "account_token"}, {"secret", ""}})) == "invalid_params");
  CHECK(code(a.call("vault.set", {{"id", "x"}, {"kind", "account_token"}, {"secret", 5}})) == "invalid_params");
  CHECK(code(a.call("vault.set", {{"id", "a b"}, {"kind", "account_token"}, {"secret", "s"}})) == "invalid_params");

  const Json list = a.call("vault.list");
  REQUIRE(list["result"]["entries"].size() == 2);
  CHECK(list["result"]["entries"][0]["id"] == "account/token");
  CHECK(list["result"]["entries"][1]["kind"] == "shop_session");

  CHECK(a.call("vault.lock")["result"] == Json{{"locked", true}});
  CHECK(code(a.call("vault.set", {{"id", "notify/x"}, {"kind", "notify_secret"}, {"secret", "s"}})) == "vault_locked");
  CHECK(code(a.call("vault.unlock", Json::object())) == "invalid_params");  // a passphrase vault needs one
  CHECK(code(a.call("vault.unlock", {{"passphrase", pass2}})) == "wrong_passphrase");
  CHECK(a.unlocked_calls == 0);
  CHECK(a.call("vault.unlock", {{"passphrase", pass}})["result"]["locked"] == false);
  CHECK(a.unlocked_calls == 1);

  CHECK(code(a.call("vault.passwd", {{"old", pass2}, {"new", pass}})) == "wrong_passphrase");
  CHECK(code(a.call("vault.passwd", {{"old", pass}})) == "invalid_params");
  CHECK(code(a.call("vault.passwd", {{"old", pass}, {"new", pass2}})) == "ok");
  a.call("vault.lock");
  CHECK(code(a.call("vault.unlock", {{"passphrase", pass}})) == "wrong_passphrase");
  CHECK(code(a.call("vault.unlock", {{"passphrase", pass2}})) == "ok");
  CHECK(code(a.call("vault.init", {{"protection", "passphrase"}, {"passphrase", pass}})) == "vault_exists");

  CHECK(a.call("vault.delete", {{"id", "shop/a.example"}})["result"] == Json::object());
  CHECK(code(a.call("vault.delete", {{"id", "shop/a.example"}})) == "not_found");
  CHECK(a.call("vault.status")["result"]["entries"] == 1);

  for (const std::string& s : {pass, pass2, token, cookie}) {
    CAPTURE(s);
    CHECK(a.replies.find(s) == std::string::npos);
  }
}

TEST_CASE("vault methods without a vault answer internal_error, never crash") {
  TempDir dir;
  auto s = store::Store::open(dir.db());
  REQUIRE(s.ok());
  actions::Services services;
  services.store = &*s;
  protocol::Dispatcher d;
  actions::add_all(d, services);
  const Json r = Json::parse(d.handle(R"({"id": 1, "method": "vault.status"})"));
  CHECK(r["error"]["code"] == "internal_error");
}
