// wallet.get and wallet.set through the dispatcher, over a real store.
#include "actions/actions.hpp"

#include <doctest/doctest.h>

#include <string>

#include "actions/wallet_json.hpp"
#include "native_host/store/temp_dir.hpp"
#include "protocol/dispatcher.hpp"
#include "store/fault_vfs.hpp"

using namespace dealstack;
using protocol::Json;
using store::testing::TempDir;

namespace {

store::Store opened(Result<store::Store> s) {
  REQUIRE_MESSAGE(s.ok(), s.error().message);
  return std::move(s).value();
}

struct Agent {
  explicit Agent(const TempDir& dir, const store::Database::Options& o = {})
      : store(opened(store::Store::open(dir.db(), o))) {
    services.store = &store;
    actions::add_all(dispatcher, services);
  }
  Json call(const std::string& method, const Json& params = Json::object()) {
    return Json::parse(dispatcher.handle(Json{{"id", 1}, {"method", method}, {"params", params}}.dump()));
  }
  store::Store store;
  actions::Services services;
  protocol::Dispatcher dispatcher;
};

const Json kWallet = Json::parse(R"({"cards": [{"id": "blue", "name": "Blue Cash", "earn_percent": 1}],
  "memberships": ["Shop Club"], "gift_cards": "avoid", "cashback_value_percent": "50", "payment_path": "paypal"})");

}  // namespace

TEST_CASE("wallet.get gives the defaults until wallet.set; then the wallet as stored, also after reopening") {
  TempDir dir;
  {
    Agent a(dir);
    CHECK(a.call("wallet.get")["result"] == actions::default_wallet());
    const Json set = a.call("wallet.set", {{"wallet", kWallet}});
    REQUIRE_MESSAGE(set.contains("result"), set.dump());
    Json stored = kWallet;
    stored["cards"][0]["earn_percent"] = "1";
    CHECK(set["result"] == stored);
    CHECK(a.call("wallet.get")["result"] == stored);
  }
  Agent again(dir);
  CHECK(again.call("wallet.get")["result"]["cards"][0]["id"] == "blue");
  // A partial wallet: the rest takes the defaults (not the previous values).
  CHECK(again.call("wallet.set", {{"wallet", {{"memberships", {"A"}}}}})["result"] ==
        Json::parse(R"({"cards": [], "memberships": ["A"], "gift_cards": "use", "cashback_value_percent": "100",
                        "payment_path": "direct"})"));
}

TEST_CASE("a bad wallet is refused with the field's path and the stored one stays") {
  TempDir dir;
  Agent a(dir);
  REQUIRE(a.call("wallet.set", {{"wallet", kWallet}}).contains("result"));
  const Json before = a.call("wallet.get");
  Json bad = kWallet;
  bad["cards"][0]["reward_value_percent"] = "2000";
  Json r = a.call("wallet.set", {{"wallet", bad}});
  CHECK(r["error"]["code"] == "invalid_params");
  CHECK(r["error"]["message"].get<std::string>().rfind("wallet.cards[0].reward_value_percent: must be a percentage", 0) == 0);
  CHECK(a.call("wallet.set")["error"]["message"] == "wallet: is required");
  CHECK(a.call("wallet.set", {{"wallet", "blue"}})["error"]["message"] == "wallet: must be an object");
  CHECK(a.call("wallet.get") == before);
}

TEST_CASE("failure injection: a wallet.set the disk fails leaves the previous wallet") {
  TempDir dir;
  store::Database::Options faulty;
  faulty.vfs = store::fault_vfs::name();
  Agent a(dir, faulty);
  REQUIRE(a.call("wallet.set", {{"wallet", kWallet}}).contains("result"));
  const Json before = a.call("wallet.get");
  bool stored = false;
  int failed = 0;
  for (std::int64_t n = 0; n < 50 && !stored; ++n) {
    store::fault_vfs::fail_after(n);
    const Json r = a.call("wallet.set", {{"wallet", {{"gift_cards", "use"}}}});
    store::fault_vfs::disarm();
    stored = r.contains("result");
    if (!stored) {
      ++failed;
      CHECK(r["error"]["code"] == "db_io_error");
      CHECK(a.call("wallet.get") == before);
    }
  }
  CHECK(stored);
  CHECK(failed >= 1);
  CHECK(a.call("wallet.get")["result"]["cards"] == Json::array());
}
