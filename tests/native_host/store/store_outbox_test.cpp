// The store's side of sync: every local change writes its outbox row in the same
// transaction, changes applied from the server write none.
#include "store/store.hpp"

#include <doctest/doctest.h>

#include <string>

#include "store/fault_vfs.hpp"
#include "temp_dir.hpp"

using namespace dealstack;
using namespace dealstack::store;
using dealstack::store::testing::TempDir;

namespace {

std::int64_t now_value = 1'700'000'000'000LL;

Store open_at(const TempDir& dir, const Database::Options& o = {}) {
  auto s = Store::open(dir.db(), o, [] { return now_value; });
  REQUIRE_MESSAGE(s.ok(), s.error().message);
  return std::move(s).value();
}

std::int64_t count(Store& s, const std::string& sql) {
  auto st = s.database().prepare(sql, "count");
  REQUIRE(st.ok());
  REQUIRE(*st->step());
  return st->int64(0);
}

Watch watch_of(std::string url, std::optional<std::string> variant = std::nullopt) {
  Watch w;
  w.url = std::move(url);
  w.variant = std::move(variant);
  return w;
}

}  // namespace

TEST_CASE("watch, wallet and settings changes each leave one outbox row, bumped by later changes") {
  TempDir dir;
  Store s = open_at(dir);
  auto w = s.add_watch(watch_of("https://shop.example/kettle", "Blue"));
  REQUIRE(w.ok());
  CHECK(count(s, "SELECT count(*) FROM sync_outbox WHERE kind = 'watch' AND key = 'https://shop.example/kettle\nBlue'"
                 " AND gen = 0 AND at = 1700000000000") == 1);
  now_value += 5;
  Watch edited = *w;
  edited.target_price = 1999;
  edited.currency = "EUR";
  REQUIRE(s.update_watch(edited).ok());
  CHECK(count(s, "SELECT gen FROM sync_outbox WHERE kind = 'watch'") == 1);
  CHECK(count(s, "SELECT at FROM sync_outbox WHERE kind = 'watch'") == 1'700'000'000'005LL);
  // Moving a watch to another variant changes two things: the old one is gone.
  edited.variant = "Red";
  REQUIRE(s.update_watch(edited).ok());
  CHECK(count(s, "SELECT count(*) FROM sync_outbox WHERE kind = 'watch'") == 2);
  REQUIRE(s.remove_watch(w->id).ok());
  CHECK(count(s, "SELECT gen FROM sync_outbox WHERE key = 'https://shop.example/kettle\nRed'") == 1);

  REQUIRE(s.set_wallet("{\"cards\":[]}").ok());
  REQUIRE(s.set_setting("theme", "dark").ok());
  REQUIRE(s.set_setting("local.window", "x").ok());  // stays on this machine
  CHECK(count(s, "SELECT count(*) FROM sync_outbox WHERE kind = 'wallet' AND key = ''") == 1);
  CHECK(count(s, "SELECT count(*) FROM sync_outbox WHERE kind = 'settings'") == 1);

  // A refused change leaves no row.
  REQUIRE(s.add_watch(watch_of("https://shop.example/mug")).ok());
  const auto before = count(s, "SELECT sum(gen) + count(*) FROM sync_outbox");
  CHECK(s.add_watch(watch_of("https://shop.example/mug")).error().code == "already_watched");
  CHECK(s.add_watch(watch_of("ftp://nope")).error().code == "invalid_url");
  CHECK(count(s, "SELECT sum(gen) + count(*) FROM sync_outbox") == before);
}

TEST_CASE("changes applied from the server write no outbox row and commit together") {
  TempDir dir;
  Store s = open_at(dir);
  auto ok = s.apply_remote([&]() -> Status {
    CHECK(s.applying_remote());
    if (auto w = s.add_watch(watch_of("https://shop.example/a")); !w) return w.error();
    if (auto r = s.set_wallet("{}"); !r) return r;
    return s.set_setting("theme", "light");
  });
  REQUIRE_MESSAGE(ok.ok(), ok.error().message);
  CHECK_FALSE(s.applying_remote());
  CHECK(count(s, "SELECT count(*) FROM watches") == 1);
  CHECK(count(s, "SELECT count(*) FROM sync_outbox") == 0);

  // A failing body rolls everything back.
  auto failed = s.apply_remote([&]() -> Status {
    if (auto w = s.add_watch(watch_of("https://shop.example/b")); !w) return w.error();
    return make_error("invalid_record", "stop here");
  });
  CHECK(failed.error().code == "invalid_record");
  CHECK(count(s, "SELECT count(*) FROM watches") == 1);
  // Local changes after it are noted again.
  REQUIRE(s.add_watch(watch_of("https://shop.example/c")).ok());
  CHECK(count(s, "SELECT count(*) FROM sync_outbox") == 1);
}

TEST_CASE("a disk failing at any write leaves the watch and its outbox row both or neither") {
  TempDir dir;
  Database::Options faulty;
  faulty.vfs = fault_vfs::name();
  bool done = false;
  for (std::int64_t n = 0; n < 60 && !done; ++n) {
    {
      Store s = open_at(dir, faulty);
      fault_vfs::fail_after(n);
      auto w = s.add_watch(watch_of("https://shop.example/p" + std::to_string(n)));
      fault_vfs::disarm();
      done = w.ok();
    }
    Store again = open_at(dir);
    CHECK(count(again, "SELECT count(*) FROM watches") == count(again, "SELECT count(*) FROM sync_outbox"));
  }
  CHECK(done);
}
