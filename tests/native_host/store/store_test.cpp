#include "store/store.hpp"

#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "store/fault_vfs.hpp"
#include "temp_dir.hpp"

using namespace dealstack;
using namespace dealstack::store;
using dealstack::store::testing::TempDir;

namespace {

constexpr std::int64_t kDay = 24LL * 3600 * 1000;
constexpr std::int64_t kHour = 3600LL * 1000;
constexpr std::int64_t kT0 = 1'700'000'000'000LL;                 // 2023-11-14
constexpr std::int64_t kDay0 = kT0 / kDay * kDay;                  // that day's UTC midnight

Clock fixed_clock(std::int64_t t = kT0) {
  return [t] { return t; };
}

Store open_store(const TempDir& dir, const Database::Options& o = {}) {
  auto s = Store::open(dir.db(), o, fixed_clock());
  REQUIRE_MESSAGE(s.ok(), s.error().message);
  return std::move(s).value();
}

Watch watch_of(std::string url, std::optional<std::string> variant = std::nullopt) {
  Watch w;
  w.url = std::move(url);
  w.variant = std::move(variant);
  return w;
}

Observation priced(std::int64_t at, std::int64_t price, std::string currency = "EUR",
                   std::string availability = "in_stock") {
  Observation o;
  o.at = at;
  o.price = price;
  o.currency = std::move(currency);
  o.availability = std::move(availability);
  return o;
}

Observation no_price(std::int64_t at, std::string availability = "out_of_stock", bool can_tell = true) {
  Observation o;
  o.at = at;
  o.availability = std::move(availability);
  o.can_tell = can_tell;
  return o;
}

std::int64_t count(Store& s, const std::string& sql) {
  auto st = s.database().prepare(sql, "count");
  REQUIRE(st.ok());
  REQUIRE(*st->step());
  return st->int64(0);
}

// Two retailers, one with rules and two offers, one with nothing.
std::vector<RetailerOffers> two_retailers() {
  return {{"a.example", R"({"max_codes":2})", {R"({"id":"x","kind":"code"})", R"({"id":"y","kind":"promotion"})"}},
          {"b.example", std::nullopt, {}}};
}

// Every table's rows as text, in a fixed order: equal dumps mean equal databases.
std::string dump(Database& db) {
  std::string out;
  for (const char* table : {"schema_version", "products", "variants", "watches", "observations", "alerts", "monitor_state",
                            "settings", "offer_feed", "offer_retailers", "offers", "wallet"}) {
    out += std::string("# ") + table + "\n";
    sqlite3_stmt* st = nullptr;
    const std::string sql = std::string("SELECT * FROM ") + table + " ORDER BY 1, 2";
    if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      out += "(missing)\n";
      sqlite3_finalize(st);
      continue;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const unsigned char* v = sqlite3_column_text(st, c);
        out += v ? reinterpret_cast<const char*>(v) : "NULL";
        out += '|';
      }
      out += '\n';
    }
    sqlite3_finalize(st);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Watches

TEST_CASE("a watch is stored with its defaults, read back and listed") {
  TempDir dir;
  Store s = open_store(dir);
  auto added = s.add_watch(watch_of("https://shop.example/p/1"));
  REQUIRE(added.ok());
  CHECK(added->id > 0);
  CHECK(added->url == "https://shop.example/p/1");
  CHECK(!added->variant);
  CHECK(added->interval_seconds == 10800);
  CHECK(added->notify_restock);
  CHECK(!added->notify_increase);
  CHECK(added->state == "active");
  CHECK(added->created_at == kT0);
  CHECK(!added->last_check_at);

  Watch full = watch_of("http://shop.example/p/2", "Blue, 256 GB");
  full.target_price = 19999;
  full.currency = "EUR";
  full.drop_bp = 1500;
  full.notify_increase = true;
  full.interval_seconds = 600;
  full.active_hours = ActiveHours{22 * 60, 6 * 60};
  auto second = s.add_watch(full);
  REQUIRE(second.ok());
  auto got = s.get_watch(second->id);
  REQUIRE(got.ok());
  CHECK(got->variant == std::optional<std::string>("Blue, 256 GB"));
  CHECK(got->target_price == std::optional<std::int64_t>(19999));
  CHECK(got->currency == "EUR");
  CHECK(got->drop_bp == std::optional<std::int32_t>(1500));
  CHECK(got->notify_increase);
  CHECK(got->interval_seconds == 600);
  CHECK(got->active_hours == std::optional<ActiveHours>(ActiveHours{1320, 360}));

  auto all = s.list_watches();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].id == added->id);
  CHECK((*all)[1].id == second->id);
}

TEST_CASE("one watch per url and variant; other variants of the same page are separate watches") {
  TempDir dir;
  Store s = open_store(dir);
  REQUIRE(s.add_watch(watch_of("https://shop.example/p")).ok());
  auto again = s.add_watch(watch_of("https://shop.example/p"));
  REQUIRE(!again.ok());
  CHECK(again.error().code == "already_watched");
  REQUIRE(s.add_watch(watch_of("https://shop.example/p", "Red")).ok());
  REQUIRE(s.add_watch(watch_of("https://shop.example/p", "Blue")).ok());
  CHECK(count(s, "SELECT count(*) FROM products") == 1);
  CHECK(count(s, "SELECT count(*) FROM variants") == 3);
  auto dup = s.add_watch(watch_of("https://shop.example/p", "Red"));
  REQUIRE(!dup.ok());
  CHECK(dup.error().code == "already_watched");
  CHECK(dup.error().message.find("Red") != std::string::npos);
}

TEST_CASE("updating a watch changes its rules and url, keeps its history, and tidies unused products") {
  TempDir dir;
  Store s = open_store(dir);
  auto w = s.add_watch(watch_of("https://a.example/1"));
  REQUIRE(w.ok());
  REQUIRE(s.record_observation(w->id, priced(kT0, 1000)).ok());
  Watch changed = *w;
  changed.url = "https://a.example/2";
  changed.state = "paused";
  changed.interval_seconds = 120;
  auto up = s.update_watch(changed);
  REQUIRE(up.ok());
  CHECK(up->url == "https://a.example/2");
  CHECK(up->state == "paused");
  CHECK(up->interval_seconds == 120);
  CHECK(up->created_at == w->created_at);
  CHECK(up->last_check_at == std::optional<std::int64_t>(kT0));
  CHECK(count(s, "SELECT count(*) FROM products") == 1);  // a.example/1 went with its last watch
  auto h = s.history(w->id, 0, kT0 + kDay);
  REQUIRE(h.ok());
  CHECK(h->size() == 1);

  auto other = s.add_watch(watch_of("https://a.example/3"));
  REQUIRE(other.ok());
  Watch clash = *other;
  clash.url = "https://a.example/2";
  auto refused = s.update_watch(clash);
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == "already_watched");
  CHECK(s.get_watch(other->id)->url == "https://a.example/3");

  Watch ghost = changed;
  ghost.id = 9999;
  auto missing = s.update_watch(ghost);
  REQUIRE(!missing.ok());
  CHECK(missing.error().code == "not_found");
}

TEST_CASE("removing a watch removes its history, alerts and unused product; unknown ids are not_found") {
  TempDir dir;
  Store s = open_store(dir);
  auto w = s.add_watch(watch_of("https://a.example/1"));
  auto keep = s.add_watch(watch_of("https://a.example/1", "XL"));
  REQUIRE(w.ok());
  REQUIRE(keep.ok());
  REQUIRE(s.record_observation(w->id, priced(kT0, 1000)).ok());
  REQUIRE(s.record_observation(keep->id, priced(kT0, 1200)).ok());
  Alert a;
  a.watch_id = w->id;
  a.kind = "drop";
  a.at = kT0;
  REQUIRE(s.add_alert(a).ok());
  REQUIRE(s.remove_watch(w->id).ok());
  CHECK(s.get_watch(w->id).error().code == "not_found");
  CHECK(count(s, "SELECT count(*) FROM observations") == 1);
  CHECK(count(s, "SELECT count(*) FROM alerts") == 0);
  CHECK(count(s, "SELECT count(*) FROM products") == 1);  // still used by the XL watch
  CHECK(count(s, "SELECT count(*) FROM variants") == 1);
  REQUIRE(s.remove_watch(keep->id).ok());
  CHECK(count(s, "SELECT count(*) FROM products") == 0);
  auto again = s.remove_watch(w->id);
  REQUIRE(!again.ok());
  CHECK(again.error().code == "not_found");
}

TEST_CASE("only http and https urls with a host, within the length cap, can be watched") {
  for (const char* good : {"https://shop.example/p?id=1#x", "HTTP://Shop.Example", "http://[::1]:8080/p",
                           "https://shop.example:8443"}) {
    CHECK_MESSAGE(validate_url(good).ok(), good);
  }
  for (const char* bad : {"", "ftp://shop.example/p", "javascript:alert(1)", "https://", "https:///path",
                          "https://:80/", "http://user:pw@shop.example/", "https://shop.example/a b",
                          "https://shop.example/\n", "https://shöp.example/", "shop.example/p",
                          "http://[::1/p"}) {
    auto r = validate_url(bad);
    CHECK_MESSAGE(!r.ok(), bad);
    if (!r.ok()) CHECK(r.error().code == "invalid_url");
  }
  const std::string longest = "https://shop.example/" + std::string(kMaxUrlBytes - 21, 'a');
  CHECK(validate_url(longest).ok());
  auto too_long = validate_url(longest + "a");
  REQUIRE(!too_long.ok());
  CHECK(too_long.error().message.find("2049") != std::string::npos);

  TempDir dir;
  Store s = open_store(dir);
  auto refused = s.add_watch(watch_of("file:///etc/passwd"));
  REQUIRE(!refused.ok());
  CHECK(refused.error().code == "invalid_url");
  CHECK(count(s, "SELECT count(*) FROM products") == 0);
}

TEST_CASE("watch rules out of range are refused with the field named") {
  struct Case {
    const char* field;
    std::function<void(Watch&)> spoil;
  };
  const std::vector<Case> cases = {
      {"interval_seconds", [](Watch& w) { w.interval_seconds = 119; }},
      {"interval_seconds", [](Watch& w) { w.interval_seconds = kMaxIntervalSeconds + 1; }},
      {"drop_bp", [](Watch& w) { w.drop_bp = 0; }},
      {"drop_bp", [](Watch& w) { w.drop_bp = 10001; }},
      {"target_price", [](Watch& w) { w.target_price = 100; }},  // no currency
      {"target_price", [](Watch& w) { w.target_price = -1, w.currency = "EUR"; }},
      {"currency", [](Watch& w) { w.currency = "eur"; }},
      {"active_hours", [](Watch& w) { w.active_hours = ActiveHours{600, 600}; }},
      {"active_hours", [](Watch& w) { w.active_hours = ActiveHours{0, 1440}; }},
      {"state", [](Watch& w) { w.state = "sleeping"; }},
      {"variant", [](Watch& w) { w.variant = ""; }},
      {"variant", [](Watch& w) { w.variant = std::string(kMaxVariantBytes + 1, 'v'); }},
      {"variant", [](Watch& w) { w.variant = std::string("\xC0\xAF"); }},  // overlong '/'
  };
  for (const auto& c : cases) {
    Watch w = watch_of("https://shop.example/p");
    c.spoil(w);
    auto r = validate_watch(w);
    REQUIRE_MESSAGE(!r.ok(), c.field);
    CHECK(r.error().code == "invalid_argument");
    CHECK_MESSAGE(r.error().message.find(c.field) != std::string::npos, r.error().message);
  }
  Watch edge = watch_of("https://shop.example/p", std::string(kMaxVariantBytes, 'v'));
  edge.interval_seconds = kMinIntervalSeconds;
  edge.drop_bp = 10000;
  edge.target_price = 0;
  edge.currency = "JPY";
  CHECK(validate_watch(edge).ok());
}

TEST_CASE("titles are shared by the product's watches") {
  TempDir dir;
  Store s = open_store(dir);
  auto a = s.add_watch(watch_of("https://a.example/1", "S"));
  auto b = s.add_watch(watch_of("https://a.example/1", "M"));
  REQUIRE(s.set_title(a->id, "Jacket").ok());
  CHECK(s.get_watch(b->id)->title == std::optional<std::string>("Jacket"));
  CHECK(s.set_title(777, "x").error().code == "not_found");
  CHECK(s.set_title(a->id, std::string(kMaxTitleBytes + 1, 't')).error().code == "invalid_argument");
}

// ---------------------------------------------------------------------------------------------
// Compact history

TEST_CASE("ten identical checks make one history row and move last_check_at") {
  TempDir dir;
  Store s = open_store(dir);
  auto w = s.add_watch(watch_of("https://a.example/1"));
  REQUIRE(w.ok());
  for (int i = 0; i < 10; ++i) {
    auto r = s.record_observation(w->id, priced(kT0 + i * kHour, 4999));
    REQUIRE(r.ok());
    CHECK(r->changed == (i == 0));
    CHECK(r->previous.has_value() == (i > 0));
  }
  auto h = s.history(w->id, 0, kT0 + kDay);
  REQUIRE(h.ok());
  REQUIRE(h->size() == 1);
  CHECK((*h)[0].at == kT0);
  CHECK((*h)[0].price == std::optional<std::int64_t>(4999));
  CHECK(s.get_watch(w->id)->last_check_at == std::optional<std::int64_t>(kT0 + 9 * kHour));
  CHECK(s.get_watch(w->id)->currency == "EUR");  // taken from the first price

  // A change of price, of availability, of can_tell, and back: a row each.
  auto r1 = s.record_observation(w->id, priced(kT0 + 10 * kHour, 4499));
  REQUIRE(r1.ok());
  CHECK(r1->changed);
  CHECK(r1->previous->price == std::optional<std::int64_t>(4999));
  CHECK(s.record_observation(w->id, priced(kT0 + 11 * kHour, 4499, "EUR", "out_of_stock"))->changed);
  Observation blind = priced(kT0 + 12 * kHour, 4499, "EUR", "out_of_stock");
  blind.can_tell = false;
  CHECK(s.record_observation(w->id, blind)->changed);
  CHECK(!s.record_observation(w->id, blind)->changed);
  CHECK(s.record_observation(w->id, priced(kT0 + 13 * kHour, 4999))->changed);
  CHECK(s.record_observation(w->id, priced(kT0 + 14 * kHour, 4999, "USD"))->changed);
  // A currency without a price is not a change.
  Observation none = no_price(kT0 + 15 * kHour);
  CHECK(s.record_observation(w->id, none)->changed);
  none.at += kHour;
  none.currency = "GBP";
  CHECK(!s.record_observation(w->id, none)->changed);

  auto all = s.history(w->id, 0, kT0 + 10 * kDay);
  REQUIRE(all.ok());
  CHECK(all->size() == 7);
  CHECK(std::is_sorted(all->begin(), all->end(), [](auto& a, auto& b) { return a.at < b.at; }));
  CHECK(all->back().currency.empty());
  auto latest = s.latest_observation(w->id);
  REQUIRE(latest.ok());
  CHECK(**latest == all->back());

  auto part = s.history(w->id, kT0 + 10 * kHour, kT0 + 12 * kHour);
  REQUIRE(part.ok());
  CHECK(part->size() == 3);
  CHECK(s.history(w->id, 0, kT0 + kDay, 2)->size() == 2);
}

TEST_CASE("observations older than the last check, bad fields and unknown watches are refused") {
  TempDir dir;
  Store s = open_store(dir);
  auto w = s.add_watch(watch_of("https://a.example/1"));
  REQUIRE(s.record_observation(w->id, priced(kT0, 100)).ok());
  REQUIRE(s.record_observation(w->id, priced(kT0 + kHour, 100)).ok());
  auto late = s.record_observation(w->id, priced(kT0 + kHour - 1, 90));
  REQUIRE(!late.ok());
  CHECK(late.error().code == "out_of_order");
  auto same_ms = s.record_observation(w->id, priced(kT0, 90));
  REQUIRE(!same_ms.ok());
  CHECK(same_ms.error().code == "out_of_order");

  auto bad_avail = priced(kT0 + 2 * kHour, 100);
  bad_avail.availability = "maybe";
  CHECK(s.record_observation(w->id, bad_avail).error().code == "invalid_argument");
  CHECK(s.record_observation(w->id, priced(kT0 + 2 * kHour, 100, "")).error().code == "invalid_argument");
  CHECK(s.record_observation(w->id, priced(kT0 + 2 * kHour, -5)).error().code == "invalid_argument");
  CHECK(s.record_observation(w->id, priced(-1, 5)).error().code == "invalid_argument");
  CHECK(s.record_observation(4242, priced(kT0 + 2 * kHour, 100)).error().code == "not_found");
  CHECK(s.history(4242, 0, 1).error().code == "not_found");
  CHECK(s.history(w->id, 5, 1).error().code == "invalid_argument");
  CHECK(count(s, "SELECT count(*) FROM observations") == 1);
}

// ---------------------------------------------------------------------------------------------
// Chart

TEST_CASE("chart: min, max and last per UTC day, carrying prices over days without rows") {
  TempDir dir;
  Store s = open_store(dir);
  auto w = s.add_watch(watch_of("https://a.example/1"));
  REQUIRE(w.ok());
  const auto id = w->id;
  // Day 0: 1000 at 10:00, 800 at 12:00, 900 at 20:00.
  REQUIRE(s.record_observation(id, priced(kDay0 + 10 * kHour, 1000)).ok());
  REQUIRE(s.record_observation(id, priced(kDay0 + 12 * kHour, 800)).ok());
  REQUIRE(s.record_observation(id, priced(kDay0 + 20 * kHour, 900)).ok());
  // Days 1 and 2: checks, nothing changed (no rows). Day 3 at 08:00: out of stock, no price.
  REQUIRE(s.record_observation(id, priced(kDay0 + kDay + 5 * kHour, 900)).ok());
  REQUIRE(s.record_observation(id, no_price(kDay0 + 3 * kDay + 8 * kHour)).ok());
  // Day 4: a check that couldn't tell, then back in stock at 1100 at 18:00.
  REQUIRE(s.record_observation(id, no_price(kDay0 + 4 * kDay + 1 * kHour, "unknown", false)).ok());
  REQUIRE(s.record_observation(id, priced(kDay0 + 4 * kDay + 18 * kHour, 1100)).ok());
  // Day 5: a price in another currency (skipped), then the last check at 09:00 of day 6.
  REQUIRE(s.record_observation(id, priced(kDay0 + 5 * kDay + 3 * kHour, 50, "USD")).ok());
  REQUIRE(s.record_observation(id, priced(kDay0 + 6 * kDay + 9 * kHour, 50, "USD")).ok());
  CHECK(count(s, "SELECT count(*) FROM observations") == 7);

  // From two days before the first row to well after the last check.
  auto c = s.chart(id, kDay0 - 2 * kDay, kDay0 + 30 * kDay);
  REQUIRE(c.ok());
  CHECK(c->currency == "EUR");
  using O = std::optional<std::int64_t>;
  const std::vector<ChartDay> expected = {
      {kDay0, 800, 1000, 900},
      {kDay0 + kDay, 900, 900, 900},          // no row: carried
      {kDay0 + 2 * kDay, 900, 900, 900},      // no check at all: carried
      {kDay0 + 3 * kDay, 900, 900, O()},      // 900 until 08:00, then no price
      {kDay0 + 4 * kDay, 1100, 1100, 1100},   // the blind check carries "no price"
      {kDay0 + 5 * kDay, 1100, 1100, 1100},   // USD skipped: 1100 carries
      {kDay0 + 6 * kDay, 1100, 1100, 1100},   // the day of the last check; nothing after
  };
  REQUIRE(c->days.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    CAPTURE(i);
    CHECK(c->days[i].day == expected[i].day);
    CHECK(c->days[i].min == expected[i].min);
    CHECK(c->days[i].max == expected[i].max);
    CHECK(c->days[i].last == expected[i].last);
  }

  // A range starting mid-history carries in the price from before it, and a single day works.
  auto mid = s.chart(id, kDay0 + 2 * kDay + 5, kDay0 + 2 * kDay + 6);
  REQUIRE(mid.ok());
  REQUIRE(mid->days.size() == 1);
  CHECK(mid->days[0].min == O(900));
  CHECK(mid->days[0].last == O(900));

  // Before any observation, and a watch never checked: no days.
  CHECK(s.chart(id, 0, kDay0 - 1)->days.empty());
  auto fresh = s.add_watch(watch_of("https://a.example/2"));
  CHECK(s.chart(fresh->id, 0, kDay0)->days.empty());

  CHECK(s.chart(id, 10, 5).error().code == "invalid_argument");
  CHECK(s.chart(id, 0, (kMaxChartDays + 1) * kDay).error().code == "invalid_argument");
  CHECK(s.chart(999, 0, 5).error().code == "not_found");
}

TEST_CASE("chart agrees with a day-by-day replay of every check (random histories)") {
  TempDir dir;
  Store s = open_store(dir);
  // This test is about the chart's arithmetic, not durability: skip the fsync per check.
  REQUIRE(s.database().exec("PRAGMA synchronous=OFF", "speed up").ok());
  std::mt19937_64 rng(20240501);
  for (int round = 0; round < 20; ++round) {
    auto w = s.add_watch(watch_of("https://r.example/" + std::to_string(round)));
    REQUIRE(w.ok());
    // Random checks over ~40 days: few distinct prices so many checks repeat the last state.
    std::vector<Observation> checks;
    std::int64_t t = kDay0 + static_cast<std::int64_t>(rng() % kDay);
    const int n = 20 + static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) {
      t += static_cast<std::int64_t>(rng() % (kDay / 2)) * (rng() % 8 == 0 ? 6 : 1) + 1;
      Observation o;
      o.at = t;
      const int kind = static_cast<int>(rng() % 10);
      if (kind < 7) {
        o = priced(t, 1000 + 100 * static_cast<std::int64_t>(rng() % 4), kind == 6 ? "USD" : "EUR");
      } else if (kind < 9) {
        o = no_price(t);
      } else {
        o = no_price(t, "unknown", false);
      }
      REQUIRE(s.record_observation(w->id, o).ok());
      checks.push_back(o);
    }
    const std::string currency = s.get_watch(w->id)->currency;
    auto usable = [&](const Observation& o) { return o.can_tell && (!o.price || o.currency == currency); };

    const std::int64_t from = kDay0 + static_cast<std::int64_t>(rng() % (20 * kDay)) - 3 * kDay;
    const std::int64_t to = from + static_cast<std::int64_t>(rng() % (60 * kDay));
    auto c = s.chart(w->id, std::max<std::int64_t>(from, 0), to);
    REQUIRE(c.ok());
    CHECK(c->currency == currency);

    // Replay: for each day, the usable state at its start, then each usable check in it.
    std::vector<ChartDay> want;
    const std::int64_t end = std::min(to, checks.back().at);
    for (std::int64_t d = from / kDay; end >= from && d <= end / kDay; ++d) {
      const std::int64_t start = d * kDay, stop = start + kDay;
      std::optional<std::optional<std::int64_t>> state;  // none = unknown
      for (const auto& o : checks)
        if (o.at < start && usable(o)) state = o.price;
      ChartDay day{start, std::nullopt, std::nullopt, std::nullopt};
      bool any = state.has_value();
      auto see = [&](const std::optional<std::int64_t>& p) {
        if (!p) return;
        day.min = day.min ? std::min(*day.min, *p) : *p;
        day.max = day.max ? std::max(*day.max, *p) : *p;
      };
      if (state) see(*state);
      for (const auto& o : checks)
        if (o.at >= start && o.at < stop && usable(o)) {
          state = o.price;
          any = true;
          see(o.price);
        }
      if (!any) continue;
      day.last = *state;
      want.push_back(day);
    }
    CAPTURE(round);
    REQUIRE(c->days.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      CAPTURE(i);
      CHECK(c->days[i].day == want[i].day);
      CHECK(c->days[i].min == want[i].min);
      CHECK(c->days[i].max == want[i].max);
      CHECK(c->days[i].last == want[i].last);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Alerts and settings

TEST_CASE("alerts are listed newest first, filtered when unacknowledged, and acknowledged once") {
  TempDir dir;
  Store s = open_store(dir);
  auto w = s.add_watch(watch_of("https://a.example/1"));
  REQUIRE(w.ok());
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    Alert a;
    a.watch_id = w->id;
    a.kind = i == 1 ? "restock" : "below_target";
    a.message = "alert " + std::to_string(i);
    if (i != 1) a.price = 900 - i, a.currency = "EUR";
    a.at = kT0 + i * kHour;
    auto added = s.add_alert(a);
    REQUIRE(added.ok());
    CHECK(!added->acknowledged);
    ids.push_back(added->id);
  }
  auto all = s.list_alerts(false);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].id == ids[2]);
  CHECK((*all)[2].message == "alert 0");
  CHECK((*all)[1].price == std::nullopt);
  CHECK((*all)[1].currency.empty());
  CHECK((*all)[0].price == std::optional<std::int64_t>(898));

  REQUIRE(s.acknowledge_alert(ids[2]).ok());
  REQUIRE(s.acknowledge_alert(ids[2]).ok());  // again: still fine
  auto open = s.list_alerts(true);
  REQUIRE(open.ok());
  REQUIRE(open->size() == 2);
  CHECK((*open)[0].id == ids[1]);
  CHECK(s.list_alerts(false)->front().acknowledged);
  CHECK(s.list_alerts(false, 1)->size() == 1);
  CHECK(s.acknowledge_alert(12345).error().code == "not_found");
}

TEST_CASE("alerts with an unknown kind, watch, bad price or long message are refused") {
  TempDir dir;
  Store s = open_store(dir);
  auto w = s.add_watch(watch_of("https://a.example/1"));
  Alert a;
  a.watch_id = w->id;
  a.kind = "below_target";
  a.at = kT0;
  Alert bad = a;
  bad.kind = "discount";
  CHECK(s.add_alert(bad).error().code == "invalid_argument");
  bad = a;
  bad.watch_id = 999;
  CHECK(s.add_alert(bad).error().code == "not_found");
  bad = a;
  bad.price = 10;  // no currency
  CHECK(s.add_alert(bad).error().code == "invalid_argument");
  bad = a;
  bad.message = std::string(kMaxAlertMessageBytes + 1, 'm');
  CHECK(s.add_alert(bad).error().code == "invalid_argument");
  CHECK(s.list_alerts(false)->empty());
}

TEST_CASE("monitor state: defaults for a watch never checked, written, read back, listed, removed with the watch") {
  TempDir dir;
  Store s = open_store(dir);
  auto w = s.add_watch(watch_of("https://a.example/1"));
  REQUIRE(w.ok());
  auto fresh = s.monitor_state(w->id);
  REQUIRE(fresh.ok());
  CHECK(*fresh == MonitorState{});
  CHECK(s.monitor_states()->empty());
  MonitorState m;
  m.rules = R"({"last_price":1999,"currency":"EUR"})";
  m.etag = "W/\"abc\"";
  m.last_modified = "Tue, 03 Nov 2026 10:00:00 GMT";
  m.next_check_at = kT0 + kHour;
  m.failures = 2;
  m.last_error = "HTTP 503 from a.example";
  REQUIRE(s.set_monitor_state(w->id, m).ok());
  CHECK(*s.monitor_state(w->id) == m);
  m.failures = 0;
  m.last_error.reset();
  REQUIRE(s.set_monitor_state(w->id, m).ok());  // overwrites
  CHECK(*s.monitor_state(w->id) == m);
  auto all = s.monitor_states();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  CHECK(all->front().first == w->id);
  CHECK(s.monitor_state(w->id + 1).error().code == "not_found");
  CHECK(s.set_monitor_state(w->id + 1, m).error().code == "not_found");
  MonitorState big;
  big.rules.assign(kMaxMonitorRulesBytes + 1, 'x');
  CHECK(s.set_monitor_state(w->id, big).error().code == "invalid_argument");
  MonitorState negative;
  negative.failures = -1;
  CHECK(s.set_monitor_state(w->id, negative).error().code == "invalid_argument");
  REQUIRE(s.remove_watch(w->id).ok());
  CHECK(count(s, "SELECT count(*) FROM monitor_state") == 0);
}

TEST_CASE("record_check stores the observation, title, state and merged alert together, or nothing") {
  TempDir dir;
  Store s = open_store(dir);
  auto w = s.add_watch(watch_of("https://a.example/1"));
  REQUIRE(w.ok());
  REQUIRE(s.record_observation(w->id, priced(kT0, 1000)).ok());
  CheckRecord c;
  c.observation = priced(kT0 + kHour, 800);
  c.title = "Kettle 1.7 l";
  c.state.rules = "{}";
  c.state.next_check_at = kT0 + 4 * kHour;
  Alert a;
  a.kind = "drop";
  a.kinds = {"drop", "all_time_low"};
  a.message = "Down 20 %";
  a.price = 800;
  a.currency = "EUR";
  a.at = kT0 + kHour;
  c.alert = a;
  auto r = s.record_check(w->id, c);
  REQUIRE_MESSAGE(r.ok(), r.error().message);
  CHECK(r->recorded.changed);
  REQUIRE(r->recorded.previous.has_value());
  CHECK(r->recorded.previous->price == 1000);
  REQUIRE(r->alert.has_value());
  CHECK(r->alert->id > 0);
  CHECK(r->alert->watch_id == w->id);
  auto alerts = s.list_alerts(true);
  REQUIRE(alerts->size() == 1);
  CHECK(alerts->front().kinds == std::vector<std::string>{"drop", "all_time_low"});
  CHECK(s.get_watch(w->id)->title == "Kettle 1.7 l");
  CHECK(s.monitor_state(w->id)->next_check_at == kT0 + 4 * kHour);

  // A bad alert refuses the whole check: no observation, state or title change.
  CheckRecord bad = c;
  bad.observation = priced(kT0 + 2 * kHour, 700);
  bad.title = "Other";
  bad.state.next_check_at = kT0 + 9 * kHour;
  bad.alert->kinds = {"drop", "sale"};
  auto refused = s.record_check(w->id, bad);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "invalid_argument");
  CHECK(refused.error().message.find("sale") != std::string::npos);
  CHECK(s.latest_observation(w->id)->value().price == 800);
  CHECK(s.get_watch(w->id)->title == "Kettle 1.7 l");
  CHECK(s.monitor_state(w->id)->next_check_at == kT0 + 4 * kHour);
  CHECK(s.list_alerts(true)->size() == 1);

  // cant_tell is a kind; an alert without kinds lists its kind.
  Alert ct;
  ct.watch_id = w->id;
  ct.kind = "cant_tell";
  ct.at = kT0 + 3 * kHour;
  auto stored = s.add_alert(ct);
  REQUIRE(stored.ok());
  CHECK(s.list_alerts(true)->front().kinds == std::vector<std::string>{"cant_tell"});
}

TEST_CASE("settings are set, overwritten and read back; unknown keys read as none") {
  TempDir dir;
  {
    Store s = open_store(dir);
    CHECK(!s.get_setting("theme")->has_value());
    REQUIRE(s.set_setting("theme", "dark").ok());
    REQUIRE(s.set_setting("theme", "light").ok());
    REQUIRE(s.set_setting("empty", "").ok());
    CHECK(s.set_setting("", "x").error().code == "invalid_argument");
    CHECK(s.set_setting("k", std::string(kMaxSettingValueBytes + 1, 'x')).error().code == "invalid_argument");
    CHECK(s.set_setting("k", "\xff").error().code == "invalid_argument");
  }
  Store s = open_store(dir);
  CHECK(s.get_setting("theme")->value() == "light");
  CHECK(s.get_setting("empty")->value().empty());
}

// ---------------------------------------------------------------------------------------------
// Imported offers and the wallet

TEST_CASE("an import replaces every earlier offer; each retailer's offers come back in feed order") {
  TempDir dir;
  std::int64_t now = kT0;
  auto s = Store::open(dir.db(), {}, [&now] { return now; });
  REQUIRE(s.ok());
  auto summary = s->offer_summary();
  REQUIRE(summary.ok());
  CHECK(!summary->imported_at);
  CHECK(summary->retailers.empty());
  CHECK(!s->retailer_offers("a.example")->has_value());

  std::vector<RetailerOffers> first = {
      {"b.example", std::nullopt, {R"({"id":"3"})"}},
      {"a.example", R"({"max_codes":2})", {R"({"id":"2"})", R"({"id":"1"})", R"({"id":"0"})"}},
      {"empty.example", std::nullopt, {}}};
  auto at = s->replace_offers(first);
  REQUIRE_MESSAGE(at.ok(), at.error().message);
  CHECK(*at == kT0);
  auto a = s->retailer_offers("a.example");
  REQUIRE(a.ok());
  REQUIRE(a->has_value());
  CHECK(**a == first[1]);  // rules and the offers in the feed's order, not sorted by id
  CHECK(**s->retailer_offers("empty.example") == first[2]);
  summary = s->offer_summary();
  CHECK(summary->imported_at == kT0);
  CHECK(summary->retailers ==
        std::vector<std::pair<std::string, std::int64_t>>{{"a.example", 3}, {"b.example", 1}, {"empty.example", 0}});

  now = kT0 + kHour;
  std::vector<RetailerOffers> second = {{"c.example", std::nullopt, {R"({"id":"9"})"}}};
  REQUIRE(s->replace_offers(second).ok());
  CHECK(!s->retailer_offers("a.example")->has_value());
  CHECK(!s->retailer_offers("b.example")->has_value());
  CHECK(**s->retailer_offers("c.example") == second[0]);
  CHECK(s->offer_summary()->imported_at == kT0 + kHour);
  CHECK(count(*s, "SELECT count(*) FROM offers") == 1);

  // An empty import leaves no offers, but remembers that it happened.
  now = kT0 + 2 * kHour;
  REQUIRE(s->replace_offers({}).ok());
  summary = s->offer_summary();
  CHECK(summary->imported_at == kT0 + 2 * kHour);
  CHECK(summary->retailers.empty());
}

TEST_CASE("a bad import (repeated, empty or long retailer, text not UTF-8) is refused and changes nothing") {
  TempDir dir;
  Store s = open_store(dir);
  REQUIRE(s.replace_offers(two_retailers()).ok());
  const std::vector<std::vector<RetailerOffers>> bad = {
      {{"a.example", std::nullopt, {}}, {"z.example", std::nullopt, {}}, {"a.example", std::nullopt, {}}},
      {{"", std::nullopt, {}}},
      {{std::string(kMaxRetailerBytes + 1, 'a'), std::nullopt, {}}},
      {{"a.example", std::nullopt, {"{\"id\":\"\xff\"}"}}},
      {{"a.example", std::string("\xc3"), {}}},
      {{"a.example", std::nullopt, {""}}},
  };
  for (const auto& feed : bad) {
    auto r = s.replace_offers(feed);
    REQUIRE(!r.ok());
    CHECK_MESSAGE(r.error().code == "invalid_argument", r.error().message);
  }
  CHECK(s.replace_offers(bad[0]).error().message.find("'a.example' is listed twice") != std::string::npos);
  CHECK(**s.retailer_offers("a.example") == two_retailers()[0]);
  CHECK(s.offer_summary()->retailers.size() == 2);
}

TEST_CASE("the wallet is none until set, then read back as last written, across reopening") {
  TempDir dir;
  {
    Store s = open_store(dir);
    CHECK(!s.wallet()->has_value());
    REQUIRE(s.set_wallet(R"({"cards":[]})").ok());
    REQUIRE(s.set_wallet(R"({"cards":[{"id":"blue"}]})").ok());
    CHECK(s.set_wallet("").error().code == "invalid_argument");
    CHECK(s.set_wallet("\xff").error().code == "invalid_argument");
    CHECK(s.set_wallet(std::string(kMaxWalletJsonBytes + 1, ' ')).error().code == "invalid_argument");
  }
  Store s = open_store(dir);
  CHECK(s.wallet()->value() == R"({"cards":[{"id":"blue"}]})");
  CHECK(count(s, "SELECT count(*) FROM wallet") == 1);
}

// ---------------------------------------------------------------------------------------------
// Failure injection: each write happens whole or not at all, whichever write fails.

namespace {

// Copies a closed database file (its WAL was checkpointed and removed on close).
void copy_db(const std::filesystem::path& from, const std::filesystem::path& to) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(to.string() + suffix);
  REQUIRE(!std::filesystem::exists(from.string() + "-wal"));
  std::filesystem::copy_file(from, to);
}

std::string dump_file(const std::filesystem::path& path) {
  auto db = Database::open(path);
  REQUIRE_MESSAGE(db.ok(), db.error().message);
  auto ok = db->integrity_check();
  REQUIRE(ok.ok());
  CHECK(*ok == "ok");
  return dump(*db);
}

struct Seeded {
  std::int64_t watch = 0;
  std::int64_t alert = 0;
};

// Runs `op` on a copy of `base` with the disk failing after N writes, for N = 0, 1, 2, ...
// until it succeeds. After each try the file must hold the state before or the state after the
// operation (as an unfailed run makes it), nothing in between; a success must be the latter.
void check_all_or_nothing(const char* name, const std::function<void(Store&)>& seed,
                          const std::function<Status(Store&, const Seeded&)>& op) {
  CAPTURE(name);
  TempDir dir;
  const auto base = dir.path() / "base.sqlite3";
  Seeded ids;
  {
    auto s = Store::open(base, {}, fixed_clock());
    REQUIRE(s.ok());
    seed(*s);
    ids.watch = s->list_watches()->empty() ? 0 : s->list_watches()->front().id;
    auto alerts = s->list_alerts(false);
    ids.alert = alerts->empty() ? 0 : alerts->front().id;
  }
  const std::string before = dump_file(base);
  const auto reference = dir.path() / "reference.sqlite3";
  copy_db(base, reference);
  {
    auto s = Store::open(reference, {}, fixed_clock());
    REQUIRE(s.ok());
    auto done = op(*s, ids);
    REQUIRE_MESSAGE(done.ok(), done.error().message);
  }
  const std::string after = dump_file(reference);
  REQUIRE(before != after);

  Database::Options faulty;
  faulty.vfs = fault_vfs::name();
  const auto work = dir.path() / "work.sqlite3";
  bool succeeded = false;
  int failed_tries = 0;
  for (std::int64_t n = 0; n < 500 && !succeeded; ++n) {
    CAPTURE(n);
    copy_db(base, work);
    {
      auto s = Store::open(work, faulty, fixed_clock());
      REQUIRE(s.ok());
      fault_vfs::fail_after(n);
      auto r = op(*s, ids);
      const bool injected = fault_vfs::failures() > 0;
      fault_vfs::disarm();
      succeeded = r.ok();
      if (!r.ok()) {
        ++failed_tries;
        CHECK(injected);
        CHECK_MESSAGE(r.error().code == "db_io_error", r.error().message);
      }
    }
    const std::string got = dump_file(work);
    if (succeeded) {
      CHECK(got == after);
    } else {
      // A failed sync after the commit record reached the file may still leave it committed.
      CHECK((got == before || got == after));
    }
  }
  CHECK(succeeded);
  CHECK(failed_tries >= 2);  // the operation did write through the faulty disk
}

void seed_one(Store& s) {
  auto w = s.add_watch(watch_of("https://a.example/1"));
  REQUIRE(w.ok());
  REQUIRE(s.record_observation(w->id, priced(kT0, 1000)).ok());
  Alert a;
  a.watch_id = w->id;
  a.kind = "drop";
  a.at = kT0;
  REQUIRE(s.add_alert(a).ok());
  REQUIRE(s.set_setting("k", "v1").ok());
}

}  // namespace

TEST_CASE("failure injection: every store write is all or nothing when the disk fails after N writes") {
  auto nothing = [](Store&) {};
  check_all_or_nothing("add_watch", seed_one, [](Store& s, const Seeded&) -> Status {
    auto r = s.add_watch(watch_of("https://b.example/2", "Green"));
    if (!r.ok()) return r.error();
    return Unit{};
  });
  check_all_or_nothing("update_watch", seed_one, [](Store& s, const Seeded& ids) -> Status {
    auto w = s.get_watch(ids.watch);
    if (!w.ok()) return w.error();
    w->url = "https://c.example/3";
    w->target_price = 500;
    w->currency = "EUR";
    auto r = s.update_watch(*w);
    if (!r.ok()) return r.error();
    return Unit{};
  });
  check_all_or_nothing("remove_watch", seed_one,
                       [](Store& s, const Seeded& ids) { return s.remove_watch(ids.watch); });
  check_all_or_nothing("record_observation (a change)", seed_one, [](Store& s, const Seeded& ids) -> Status {
    auto r = s.record_observation(ids.watch, priced(kT0 + kHour, 900));
    if (!r.ok()) return r.error();
    return Unit{};
  });
  check_all_or_nothing("record_observation (no change)", seed_one, [](Store& s, const Seeded& ids) -> Status {
    auto r = s.record_observation(ids.watch, priced(kT0 + kHour, 1000));
    if (!r.ok()) return r.error();
    return Unit{};
  });
  check_all_or_nothing("add_alert", seed_one, [](Store& s, const Seeded& ids) -> Status {
    Alert a;
    a.watch_id = ids.watch;
    a.kind = "below_target";
    a.price = 900;
    a.currency = "EUR";
    a.at = kT0 + kHour;
    auto r = s.add_alert(a);
    if (!r.ok()) return r.error();
    return Unit{};
  });
  check_all_or_nothing("record_check (observation, title, state and alert)", seed_one,
                       [](Store& s, const Seeded& ids) -> Status {
                         CheckRecord c;
                         c.observation = priced(kT0 + kHour, 800);
                         c.title = "Kettle";
                         c.state.rules = R"({"last_price":800})";
                         c.state.etag = "\"v2\"";
                         c.state.next_check_at = kT0 + 2 * kHour;
                         Alert a;
                         a.kind = "drop";
                         a.kinds = {"drop", "all_time_low"};
                         a.price = 800;
                         a.currency = "EUR";
                         a.at = kT0 + kHour;
                         c.alert = a;
                         auto r = s.record_check(ids.watch, c);
                         if (!r.ok()) return r.error();
                         return Unit{};
                       });
  check_all_or_nothing("set_monitor_state", seed_one, [](Store& s, const Seeded& ids) {
    MonitorState m;
    m.failures = 3;
    m.last_error = "HTTP 503";
    m.next_check_at = kT0 + kHour;
    return s.set_monitor_state(ids.watch, m);
  });
  check_all_or_nothing("acknowledge_alert", seed_one,
                       [](Store& s, const Seeded& ids) { return s.acknowledge_alert(ids.alert); });
  check_all_or_nothing("set_setting", seed_one, [](Store& s, const Seeded&) { return s.set_setting("k", "v2"); });
  check_all_or_nothing("set_setting on an empty store", nothing,
                       [](Store& s, const Seeded&) { return s.set_setting("k", "v"); });
  check_all_or_nothing("replace_offers (first import)", seed_one, [](Store& s, const Seeded&) -> Status {
    auto r = s.replace_offers(two_retailers());
    if (!r.ok()) return r.error();
    return Unit{};
  });
  auto seed_offers = [](Store& s) {
    seed_one(s);
    REQUIRE(s.replace_offers(two_retailers()).ok());
    REQUIRE(s.set_wallet(R"({"cards":[]})").ok());
  };
  check_all_or_nothing("replace_offers (a new import replaces the old)", seed_offers,
                       [](Store& s, const Seeded&) -> Status {
                         std::vector<RetailerOffers> next{{"c.example", std::nullopt, {R"({"id":"z"})"}}};
                         auto r = s.replace_offers(next);
                         if (!r.ok()) return r.error();
                         return Unit{};
                       });
  check_all_or_nothing("set_wallet", seed_offers,
                       [](Store& s, const Seeded&) { return s.set_wallet(R"({"cards":[{"id":"blue"}]})"); });
}

TEST_CASE("failure injection: a first open that fails half-way leaves no half-made schema") {
  // How many tables a whole schema has (schema_version and every migration's).
  int all_tables = 0;
  {
    TempDir whole;
    auto db = Database::open(whole.db());
    REQUIRE(db.ok());
    auto st = db->prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", "count tables");
    REQUIRE(st.ok());
    REQUIRE(*st->step());
    all_tables = static_cast<int>(st->int64(0));
    CHECK(all_tables >= 12);
  }
  Database::Options faulty;
  faulty.vfs = fault_vfs::name();
  bool opened = false;
  int failures = 0;
  for (std::int64_t n = 0; n < 200 && !opened; ++n) {
    CAPTURE(n);
    TempDir dir;
    fault_vfs::fail_after(n);
    auto db = Database::open(dir.db(), faulty);
    fault_vfs::disarm();
    opened = db.ok();
    if (!opened) {
      ++failures;
      CHECK_MESSAGE(db.error().code == "db_io_error", db.error().message);
    }
    db = make_error("closed", "");  // close before inspecting
    // Read-write: a file already switched to WAL can't be read without making its -shm.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(dir.db().c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    int tables = -1;
    if (sqlite3_prepare_v2(raw, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'", -1, &st, nullptr) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
      tables = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(raw);
    CAPTURE(tables);
    CHECK((tables == 0 || tables == all_tables));  // nothing, or schema_version and every table
    if (opened) CHECK(tables == all_tables);
  }
  CHECK(opened);
  CHECK(failures >= 1);
}

// ---------------------------------------------------------------------------------------------
// Scale (not run by default: `store_tests --no-skip -tc="chart at scale*"`). Builds 10,000
// watches x 10 years of compact history (a price change about every 4 days, written in time
// order as the agent would, so the watches' rows interleave) and times chart() over the whole
// range for random watches. Prints the timings; asserts only the answers' shape.

TEST_CASE("chart at scale: 10,000 watches x 10 years (benchmark)" * doctest::skip()) {
  constexpr int kWatches = 10'000;
  constexpr int kYears = 10;
  TempDir dir;
  Store s = open_store(dir);
  using clock = std::chrono::steady_clock;
  const auto t_load = clock::now();
  REQUIRE(s.database().exec("PRAGMA synchronous=OFF", "bench").ok());  // loading speed only
  for (int i = 0; i < kWatches; ++i)
    REQUIRE(s.add_watch(watch_of("https://bench.example/p/" + std::to_string(i))).ok());
  std::mt19937_64 rng(7);
  const std::int64_t start = kDay0 - kYears * 365 * kDay;
  std::int64_t rows = 0;
  auto tx = s.database().begin();
  REQUIRE(tx.ok());
  auto ins = s.database().prepare(
      "INSERT INTO observations (watch_id, at, price, currency, availability, can_tell)"
      " VALUES (?, ?, ?, 'EUR', 'in_stock', 1)",
      "bench insert");
  REQUIRE(ins.ok());
  for (std::int64_t day = 0; day < kYears * 365; day += 4) {
    for (int i = 0; i < kWatches; ++i) {
      ins->reset();
      REQUIRE(ins->bind(1, std::int64_t{i + 1})
                  .bind(2, start + day * kDay + i)
                  .bind(3, std::int64_t{1000 + static_cast<std::int64_t>(rng() % 500)})
                  .run()
                  .ok());
      ++rows;
    }
  }
  REQUIRE(s.database().exec("UPDATE watches SET last_check_at = " + std::to_string(kDay0) + ", currency = 'EUR'",
                            "bench").ok());
  REQUIRE(tx->commit().ok());
  const double load_s = std::chrono::duration<double>(clock::now() - t_load).count();

  const auto t_chart = clock::now();
  constexpr int kCharts = 200;
  std::size_t days = 0;
  for (int k = 0; k < kCharts; ++k) {
    auto c = s.chart(1 + static_cast<std::int64_t>(rng() % kWatches), start, kDay0);
    REQUIRE(c.ok());
    days += c->days.size();
  }
  const double per_chart_ms = std::chrono::duration<double, std::milli>(clock::now() - t_chart).count() / kCharts;
  MESSAGE("rows: " << rows << ", load: " << load_s << " s, chart over " << kYears
                   << " years: " << per_chart_ms << " ms each (" << days / kCharts << " days)");
  CHECK(days / kCharts >= kYears * 365 - 4);
}
