#include "sync/session.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <memory>

#include "../store/temp_dir.hpp"
#include "sync/keys.hpp"

using namespace dealstack;
using namespace dealstack::sync;
using dealstack::store::testing::TempDir;

namespace {

// The /v1/sync rules of the contract (issue 6, section 4) for one account, in memory, so
// the engine's conflict handling can be driven step by step. The node tests
// (tests/native_host/sync_two_agents.test.mjs) run the same engine against the real server.
struct ContractServer {
  struct Rec {
    std::int64_t version = 0;
    std::string blob;
    bool deleted = false;
    std::int64_t seq = 0;
  };
  std::map<std::string, Rec> records;
  std::int64_t seq = 0;
  int requests = 0;

  Json handle(const Json& req) {
    ++requests;
    Json results = Json::array();
    std::map<std::string, bool> applied_now;
    for (const Json& p : req["push"]) {
      const std::string id = p["id"];
      Rec& r = records[id];
      if (p["base_version"].get<std::int64_t>() == r.version) {
        r.version += 1;
        r.blob = p["blob"];
        r.deleted = p["deleted"];
        r.seq = ++seq;
        applied_now[id] = true;
        results.push_back({{"id", id}, {"status", "applied"}, {"version", r.version}});
      } else {
        results.push_back({{"id", id}, {"status", "conflict"}, {"version", r.version}, {"blob", r.blob},
                           {"deleted", r.deleted}});
      }
    }
    std::vector<std::pair<std::int64_t, std::string>> after;
    for (const auto& [id, r] : records)
      if (r.seq > req["cursor"].get<std::int64_t>()) after.emplace_back(r.seq, id);
    std::sort(after.begin(), after.end());
    const std::size_t limit = req["limit"];
    Json out_records = Json::array();
    std::int64_t cursor = req["cursor"];
    std::size_t n = 0;
    for (; n < after.size() && n < limit; ++n) {
      const auto& [s, id] = after[n];
      cursor = s;
      if (applied_now.count(id)) continue;
      const Rec& r = records[id];
      out_records.push_back({{"id", id}, {"version", r.version}, {"blob", r.blob}, {"deleted", r.deleted}, {"seq", s}});
    }
    if (n == 0 && !after.empty()) cursor = after.back().first;
    return {{"results", results}, {"records", out_records}, {"cursor", cursor}, {"more", n < after.size()}};
  }
};

const crypto::SecretBytes& account_key() {
  static const crypto::SecretBytes key(std::string(32, 'S'));
  return key;
}

struct Agent {
  TempDir dir;
  std::int64_t now = 1'700'000'000'000LL;
  std::unique_ptr<store::Store> store;
  std::string device;

  explicit Agent(std::string dev) : device(std::move(dev)) {
    auto s = store::Store::open(dir.db(), {}, [this] { return now; });
    REQUIRE(s.ok());
    store = std::make_unique<store::Store>(std::move(s).value());
  }
  Session session() {
    auto s = Session::make(*store, account_key(), device, [this] { return now; });
    REQUIRE(s.ok());
    return std::move(s).value();
  }
  // Rounds until nothing is pending and the server has nothing more; returns the rounds.
  int sync(ContractServer& server, std::size_t max_push = kMaxPushPerRound) {
    Session s = session();
    for (int round = 1; round < 1000; ++round) {
      auto req = s.next_request(max_push);
      REQUIRE_MESSAGE(req.ok(), req.error().message);
      auto res = s.apply_response(server.handle(*req));
      REQUIRE_MESSAGE(res.ok(), res.error().message);
      if (!res->more && *pending_count(*store) == 0) return round;
    }
    FAIL("sync didn't settle");
    return 0;
  }
  std::int64_t count(const std::string& sql) {
    auto st = store->database().prepare(sql, "count");
    REQUIRE(st.ok());
    REQUIRE(*st->step());
    return st->int64(0);
  }
  store::Watch add(const std::string& url, std::optional<std::int64_t> target = std::nullopt) {
    store::Watch w;
    w.url = url;
    if (target) {
      w.target_price = target;
      w.currency = "EUR";
    }
    auto r = store->add_watch(w);
    REQUIRE_MESSAGE(r.ok(), r.error().message);
    return *r;
  }
  std::optional<store::Watch> find(const std::string& url) { return *store->find_watch(url, std::nullopt); }
};

}  // namespace

TEST_CASE("two agents converge: adds, edits, deletes, the wallet and settings travel") {
  ContractServer server;
  Agent a("aaaa"), b("bbbb");
  a.add("https://shop.example/kettle", 1999);
  a.add("https://shop.example/mug");
  REQUIRE(a.store->set_wallet("{\"cards\":[{\"name\":\"Visa\"}]}").ok());
  REQUIRE(a.store->set_setting("theme", "dark").ok());
  a.sync(server);
  CHECK(a.count("SELECT count(*) FROM sync_outbox") == 0);
  CHECK(a.count("SELECT count(*) FROM sync_records") == 4);
  CHECK(server.records.size() == 4);
  for (const auto& [id, r] : server.records) CHECK(r.blob.find("shop.example") == std::string::npos);

  b.sync(server);
  REQUIRE(b.find("https://shop.example/kettle"));
  CHECK(b.find("https://shop.example/kettle")->target_price == 1999);
  CHECK(*b.store->wallet() == std::optional<std::string>("{\"cards\":[{\"name\":\"Visa\"}]}"));
  CHECK(*b.store->get_setting("theme") == std::optional<std::string>("dark"));
  CHECK(b.count("SELECT count(*) FROM sync_outbox") == 0);  // applied from the server: nothing to push back

  // B deletes the mug and edits the kettle; A sees both.
  b.now += 1000;
  REQUIRE(b.store->remove_watch(b.find("https://shop.example/mug")->id).ok());
  auto kettle = *b.find("https://shop.example/kettle");
  kettle.target_price = 1500;
  REQUIRE(b.store->update_watch(kettle).ok());
  b.sync(server);
  a.sync(server);
  CHECK_FALSE(a.find("https://shop.example/mug"));
  CHECK(a.find("https://shop.example/kettle")->target_price == 1500);
  CHECK(a.count("SELECT count(*) FROM sync_history") == 0);
}

TEST_CASE("the same product added on two machines becomes one record") {
  ContractServer server;
  Agent a("aaaa"), b("bbbb");
  a.add("https://shop.example/kettle", 1000);
  b.now += 10;
  b.add("https://shop.example/kettle", 1200);
  a.sync(server);
  b.sync(server);  // conflict on push (base 0): B's later edit wins and is pushed again
  a.sync(server);
  CHECK(server.records.size() == 1);
  CHECK(a.find("https://shop.example/kettle")->target_price == 1200);
  CHECK(b.find("https://shop.example/kettle")->target_price == 1200);
  CHECK(b.count("SELECT count(*) FROM sync_history") == 1);  // A's edit, kept
  CHECK(b.count("SELECT count(*) FROM sync_history WHERE device = 'aaaa' AND data LIKE '%1000%'") == 1);
}

TEST_CASE("conflicting edits: the newer one wins on both sides, ties go to the larger device") {
  ContractServer server;
  Agent a("aaaa"), b("bbbb");
  a.add("https://shop.example/kettle", 1000);
  a.sync(server);
  b.sync(server);
  SUBCASE("newer wins") {
    auto wa = *a.find("https://shop.example/kettle");
    auto wb = *b.find("https://shop.example/kettle");
    a.now += 2000;
    wa.target_price = 900;
    REQUIRE(a.store->update_watch(wa).ok());
    b.now += 1000;  // older edit, synced first
    wb.target_price = 800;
    REQUIRE(b.store->update_watch(wb).ok());
    b.sync(server);
    a.sync(server);  // A's push conflicts; A's edit is newer: kept and pushed again
    b.sync(server);
    CHECK(a.find("https://shop.example/kettle")->target_price == 900);
    CHECK(b.find("https://shop.example/kettle")->target_price == 900);
    CHECK(a.count("SELECT count(*) FROM sync_history WHERE device = 'bbbb' AND data LIKE '%800%'") == 1);
    // B's edit was applied on the server before A's replaced it: no conflict on B's side.
    CHECK(b.count("SELECT count(*) FROM sync_history") == 0);
  }
  SUBCASE("same time: the larger device string wins") {
    auto wa = *a.find("https://shop.example/kettle");
    auto wb = *b.find("https://shop.example/kettle");
    a.now = b.now = 1'700'000'500'000LL;
    wa.target_price = 700;
    wb.target_price = 600;
    REQUIRE(a.store->update_watch(wa).ok());
    REQUIRE(b.store->update_watch(wb).ok());
    a.sync(server);
    b.sync(server);
    a.sync(server);
    CHECK(a.find("https://shop.example/kettle")->target_price == 600);
    CHECK(b.find("https://shop.example/kettle")->target_price == 600);
  }
  SUBCASE("a delete newer than an edit wins; an edit newer than a delete brings it back") {
    auto wb = *b.find("https://shop.example/kettle");
    b.now += 1000;
    wb.target_price = 1;
    REQUIRE(b.store->update_watch(wb).ok());
    a.now += 2000;
    REQUIRE(a.store->remove_watch(a.find("https://shop.example/kettle")->id).ok());
    b.sync(server);
    a.sync(server);
    b.sync(server);
    CHECK_FALSE(a.find("https://shop.example/kettle"));
    CHECK_FALSE(b.find("https://shop.example/kettle"));
    b.now += 5000;
    b.add("https://shop.example/kettle", 42);
    b.sync(server);
    a.sync(server);
    CHECK(a.find("https://shop.example/kettle")->target_price == 42);
  }
}

TEST_CASE("a crash after the server applied a push but before the outbox row went loses nothing") {
  ContractServer server;
  Agent a("aaaa");
  a.add("https://shop.example/kettle", 1000);
  {
    Session s = a.session();
    auto req = s.next_request();
    REQUIRE(req.ok());
    (void)server.handle(*req);  // applied on the server; the answer never arrives
  }
  CHECK(a.count("SELECT count(*) FROM sync_outbox") == 1);
  a.sync(server);  // the re-push conflicts with identical content: adopted
  CHECK(a.count("SELECT count(*) FROM sync_outbox") == 0);
  CHECK(a.count("SELECT count(*) FROM sync_history") == 0);
  CHECK(a.count("SELECT version FROM sync_records") == 1);
  CHECK(server.records.begin()->second.version == 1);
}

TEST_CASE("a change made while its push is in flight is pushed again, not dropped") {
  ContractServer server;
  Agent a("aaaa"), b("bbbb");
  auto w = a.add("https://shop.example/kettle", 1000);
  Session s = a.session();
  auto req = s.next_request();
  REQUIRE(req.ok());
  a.now += 10;
  w.target_price = 500;
  REQUIRE(a.store->update_watch(w).ok());
  auto res = s.apply_response(server.handle(*req));
  REQUIRE(res.ok());
  CHECK(res->applied == 1);
  CHECK(a.count("SELECT count(*) FROM sync_outbox") == 1);
  a.sync(server);
  b.sync(server);
  CHECK(b.find("https://shop.example/kettle")->target_price == 500);
}

TEST_CASE("a failed store write during apply changes nothing; the round can be repeated") {
  ContractServer server;
  Agent a("aaaa"), b("bbbb");
  for (int i = 0; i < 5; ++i) a.add("https://shop.example/p" + std::to_string(i));
  a.sync(server);
  Session s = b.session();
  auto req = s.next_request();
  REQUIRE(req.ok());
  const Json answer = server.handle(*req);
  // Another connection holds the write lock: the apply fails whole.
  auto other = store::Database::open(b.dir.db(), store::Database::Options{"", 50});
  REQUIRE(other.ok());
  auto lock = other->begin();
  REQUIRE(lock.ok());
  auto failed = s.apply_response(answer);
  CHECK_FALSE(failed.ok());
  REQUIRE(lock->commit().ok());
  CHECK(b.count("SELECT count(*) FROM watches") == 0);
  CHECK(b.count("SELECT cursor FROM sync_state") == 0);
  b.sync(server);
  CHECK(b.count("SELECT count(*) FROM watches") == 5);
}

TEST_CASE("records that don't open or don't belong to their id are refused and counted") {
  ContractServer server;
  Agent a("aaaa"), b("bbbb");
  a.add("https://shop.example/kettle");
  a.add("https://shop.example/mug");
  a.sync(server);
  // The server swaps the two blobs (each is bound to its own id) and corrupts nothing else.
  auto it = server.records.begin();
  auto& first = it->second;
  auto& second = std::next(it)->second;
  std::swap(first.blob, second.blob);
  Session s = b.session();
  auto res = s.apply_response(server.handle(*s.next_request()));
  REQUIRE(res.ok());
  CHECK(res->pulled == 2);
  CHECK(res->rejected == 2);
  CHECK(b.count("SELECT count(*) FROM watches") == 0);
  CHECK(s.apply_response(Json{{"results", Json::array()}}).error().code == "invalid_response");
  CHECK(s.apply_response(Json::parse("[1]")).error().code == "invalid_response");
}

TEST_CASE("10,000 watches: pushed in batches of 500, pulled in pages of 1,000, in bounded time") {
  ContractServer server;
  Agent a("aaaa"), b("bbbb");
  // Made in one transaction, then queued as at login (enqueue_everything).
  REQUIRE(a.store->apply_remote([&]() -> Status {
    for (int i = 0; i < 10'000; ++i) a.add("https://shop.example/p/" + std::to_string(i), 100 + i);
    return Unit{};
  }).ok());
  REQUIRE(enqueue_everything(*a.store).ok());
  CHECK(*pending_count(*a.store) == 10'000);
  const auto t0 = std::chrono::steady_clock::now();
  const int push_rounds = a.sync(server);
  const auto t1 = std::chrono::steady_clock::now();
  const int pull_rounds = b.sync(server);
  const auto t2 = std::chrono::steady_clock::now();
  CHECK(push_rounds == 20);
  CHECK(pull_rounds == 10);
  CHECK(b.count("SELECT count(*) FROM watches") == 10'000);
  CHECK(b.find("https://shop.example/p/9999")->target_price == 10'099);
  MESSAGE("engine only: push 10k " << std::chrono::duration<double>(t1 - t0).count() << " s, pull 10k "
                                   << std::chrono::duration<double>(t2 - t1).count() << " s");
  CHECK(std::chrono::duration<double>(t2 - t0).count() < 30.0);  // generous: sanitizers
  // One incremental change afterwards is one round.
  a.now += 1;
  auto w = *a.find("https://shop.example/p/5");
  w.target_price = 1;
  REQUIRE(a.store->update_watch(w).ok());
  CHECK(a.sync(server) == 1);
  CHECK(b.sync(server) == 1);
  CHECK(b.find("https://shop.example/p/5")->target_price == 1);
}
