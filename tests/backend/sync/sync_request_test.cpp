#include "sync/sync_request.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "accounts/account_store.hpp"
#include "backend/temp_dir.hpp"
#include "crypto/crypto.hpp"
#include "store/fault_vfs.hpp"

using namespace dealstack;
using namespace dealstack::backend;
using Json = nlohmann::json;

namespace {

std::int64_t new_account(db::Db& db, const std::string& email) {
  accounts::StoredHash h{std::string(16, 's'), std::string(32, 'h'), {}};
  auto id = accounts::create_account(db, email, h, 1);
  REQUIRE(id.ok());
  return *id;
}

Json sync_json(db::Db& db, std::int64_t account, const Json& request) {
  auto parsed = sync::parse_sync_request(request.dump());
  REQUIRE_MESSAGE(parsed.ok(), parsed.error().message);
  auto out = sync::apply_sync(db, account, *parsed, 1000);
  REQUIRE_MESSAGE(out.ok(), out.error().message);
  return Json::parse(*out);
}

Json push(const std::string& id, std::int64_t base, const std::string& plain, bool deleted = false) {
  return {{"id", id}, {"base_version", base}, {"blob", crypto::base64_encode(plain)}, {"deleted", deleted}};
}

std::string error_of(const Json& request) {
  auto r = sync::parse_sync_request(request.dump());
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == "invalid_request");
  return r.error().message;
}

}  // namespace

TEST_CASE("record ids: 1 to 200 bytes of A-Z a-z 0-9 . _ : / -") {
  CHECK(sync::valid_record_id("watch/123"));
  CHECK(sync::valid_record_id("settings:main_v1.2-x"));
  CHECK(sync::valid_record_id(std::string(200, 'a')));
  CHECK_FALSE(sync::valid_record_id(""));
  CHECK_FALSE(sync::valid_record_id(std::string(201, 'a')));
  CHECK_FALSE(sync::valid_record_id("a b"));
  CHECK_FALSE(sync::valid_record_id("é"));
  CHECK_FALSE(sync::valid_record_id("a?b"));
}

TEST_CASE("a bad sync request is refused naming what is wrong") {
  CHECK(error_of(Json::array()).find("JSON object") != std::string::npos);
  CHECK(error_of({{"cursor", -1}}).find("cursor") != std::string::npos);
  CHECK(error_of({{"cursor", "5"}}).find("cursor: must be an integer") != std::string::npos);
  CHECK(error_of({{"limit", 0}}).find("limit") != std::string::npos);
  CHECK(error_of({{"push", Json::object()}}).find("push: must be an array") != std::string::npos);
  CHECK(error_of({{"extra", 1}}).find("extra") != std::string::npos);
  CHECK(error_of({{"push", {push("a b", 0, "x")}}}).find("push[0].id") != std::string::npos);
  CHECK(error_of({{"push", {push("a", 0, "x"), push("a", 0, "y")}}}).find("twice") != std::string::npos);
  Json negative = push("a", 0, "x");
  negative["base_version"] = -1;
  CHECK(error_of({{"push", {negative}}}).find("push[0].base_version") != std::string::npos);
  Json notb64 = push("a", 0, "x");
  notb64["blob"] = "***";
  CHECK(error_of({{"push", {push("ok", 0, "x"), notb64}}}).find("push[1].blob") != std::string::npos);
  CHECK(error_of({{"push", {push("a", 0, std::string(256 * 1024 + 1, 'x'))}}}).find("KiB") != std::string::npos);
  Json many = Json::array();
  for (int i = 0; i < 1001; ++i) many.push_back(push("r" + std::to_string(i), 0, "x"));
  CHECK(error_of({{"push", many}}).find("at most 1000") != std::string::npos);
  auto broken = sync::parse_sync_request("{\"cursor\": 1,,}");
  REQUIRE_FALSE(broken.ok());
  CHECK_MESSAGE(broken.error().message.find("at byte 14") != std::string::npos, broken.error().message);
}

TEST_CASE("a blob of exactly 256 KiB is accepted; limit above 1000 is clamped") {
  auto r = sync::parse_sync_request(Json{{"push", {push("a", 0, std::string(256 * 1024, 'x'))}}, {"limit", 5000}}.dump());
  REQUIRE(r.ok());
  CHECK(r->limit == 1000);
}

TEST_CASE("pushes apply at the stored version, conflict otherwise, and pulls skip this request's own") {
  testing::TempDir dir;
  auto db = db::Db::open(dir.path / "s.sqlite3");
  REQUIRE(db.ok());
  const auto alice = new_account(*db, "alice@example.org");
  const auto bob = new_account(*db, "bob@example.org");

  // Device A pushes two new records.
  Json a = sync_json(*db, alice, {{"cursor", 0}, {"push", {push("w/1", 0, "one"), push("w/2", 0, "two")}}});
  CHECK(a["results"] == Json::parse(R"([{"id":"w/1","status":"applied","version":1},{"id":"w/2","status":"applied","version":1}])"));
  CHECK(a["records"].empty());  // its own pushes are not sent back
  CHECK(a["cursor"] == 2);
  CHECK(a["more"] == false);

  // Device B pulls from the start: both records, with their seqs.
  Json b = sync_json(*db, alice, {{"cursor", 0}});
  REQUIRE(b["records"].size() == 2);
  CHECK(b["records"][0]["id"] == "w/1");
  CHECK(b["records"][0]["seq"] == 1);
  CHECK(b["records"][1]["blob"] == crypto::base64_encode("two"));
  CHECK(b["cursor"] == 2);

  // B edits w/1 at version 1: applied as version 2. A then edits w/1 at version 1: conflict,
  // and it gets B's record back.
  Json b2 = sync_json(*db, alice, {{"cursor", 2}, {"push", {push("w/1", 1, "one-b")}}});
  CHECK(b2["results"][0] == Json({{"id", "w/1"}, {"status", "applied"}, {"version", 2}}));
  Json a2 = sync_json(*db, alice, {{"cursor", 2}, {"push", {push("w/1", 1, "one-a"), push("w/3", 0, "three")}}});
  CHECK(a2["results"][0] == Json({{"id", "w/1"}, {"status", "conflict"}, {"version", 2},
                                  {"blob", crypto::base64_encode("one-b")}, {"deleted", false}}));
  CHECK(a2["results"][1]["status"] == "applied");
  // A pulls B's edit in the same answer (seq 3), but not its own w/3 (seq 4).
  REQUIRE(a2["records"].size() == 1);
  CHECK(a2["records"][0]["id"] == "w/1");
  CHECK(a2["records"][0]["version"] == 2);
  CHECK(a2["cursor"] == 4);

  // A delete is a tombstone with the next version.
  const Json tombstone = {{"id", "w/2"}, {"base_version", 1}, {"deleted", true}};
  Json del = sync_json(*db, alice, {{"cursor", 4}, {"push", Json::array({tombstone})}});
  CHECK(del["results"][0]["version"] == 2);
  CHECK(del["cursor"] == 5);
  Json after = sync_json(*db, alice, {{"cursor", 5}});
  CHECK(after["records"].empty());
  CHECK(after["cursor"] == 5);
  // A device still at cursor 4 gets the tombstone.
  Json behind = sync_json(*db, alice, {{"cursor", 4}});
  REQUIRE(behind["records"].size() == 1);
  CHECK(behind["records"][0]["deleted"] == true);
  Json all = sync_json(*db, alice, {{"cursor", 0}});
  CHECK(all["records"].size() == 3);
  CHECK(all["records"].back()["deleted"] == true);

  // A push at base_version > 0 for a record that doesn't exist conflicts with version 0.
  Json ghost = sync_json(*db, alice, {{"cursor", 5}, {"push", {push("w/9", 3, "x")}}});
  CHECK(ghost["results"][0]["status"] == "conflict");
  CHECK(ghost["results"][0]["version"] == 0);

  // Bob sees none of it.
  Json bobs = sync_json(*db, bob, {{"cursor", 0}});
  CHECK(bobs["records"].empty());
  CHECK(bobs["cursor"] == 0);
}

TEST_CASE("pulls page by limit with the cursor at the last seq and more = true until the end") {
  testing::TempDir dir;
  auto db = db::Db::open(dir.path / "s.sqlite3");
  REQUIRE(db.ok());
  const auto id = new_account(*db, "c@example.org");
  Json pushes = Json::array();
  for (int i = 0; i < 25; ++i) pushes.push_back(push("r/" + std::to_string(i), 0, "v" + std::to_string(i)));
  sync_json(*db, id, {{"push", pushes}});
  std::int64_t cursor = 0;
  int pages = 0;
  std::vector<std::string> ids;
  for (;;) {
    Json page = sync_json(*db, id, {{"cursor", cursor}, {"limit", 10}});
    ++pages;
    for (const auto& r : page["records"]) ids.push_back(r["id"]);
    CHECK(page["cursor"].get<std::int64_t>() > cursor);
    cursor = page["cursor"];
    if (!page["more"].get<bool>()) break;
    CHECK(page["records"].size() == 10);
  }
  CHECK(pages == 3);
  REQUIRE(ids.size() == 25);
  CHECK(ids.front() == "r/0");
  CHECK(ids.back() == "r/24");
  CHECK(cursor == 25);
}

TEST_CASE("a push is all or nothing when the disk fails at any write") {
  testing::TempDir dir;
  db::Db::Options faulty;
  faulty.vfs = store::fault_vfs::name();
  const auto path = dir.path / "s.sqlite3";
  std::int64_t account = 0;
  {
    auto db = db::Db::open(path, faulty);
    REQUIRE(db.ok());
    account = new_account(*db, "f@example.org");
  }
  Json pushes = Json::array();
  for (int i = 0; i < 50; ++i) pushes.push_back(push("r/" + std::to_string(i), 0, std::string(2000, 'x')));
  auto request = sync::parse_sync_request(Json{{"push", pushes}}.dump());
  REQUIRE(request.ok());
  bool succeeded = false;
  for (std::int64_t n = 0; n < 200 && !succeeded; ++n) {
    auto db = db::Db::open(path, faulty);
    REQUIRE(db.ok());
    store::fault_vfs::fail_after(n);
    auto out = sync::apply_sync(*db, account, *request, 1);
    store::fault_vfs::disarm();
    succeeded = out.ok();
    if (!succeeded) CHECK(out.error().code.rfind("db_", 0) == 0);
    // Reopened after the failure: either every record or none, and the account's seq agrees.
    auto check = db::Db::open(path);
    REQUIRE(check.ok());
    auto count = check->prepare("SELECT count(*), coalesce(max(seq), 0) FROM records", "count");
    REQUIRE(count.ok());
    REQUIRE(*count->step());
    const auto rows = count->int64(0);
    CHECK((rows == 0 || rows == 50));
    CHECK(rows == (succeeded ? 50 : 0));
    auto seq = check->prepare("SELECT seq FROM accounts", "seq");
    REQUIRE(*seq->step());
    CHECK(seq->int64(0) == count->int64(1));
  }
  CHECK(succeeded);
}
