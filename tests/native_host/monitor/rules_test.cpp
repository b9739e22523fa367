#include "monitor/rules.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

using namespace dealstack;
using namespace dealstack::monitor;

namespace {

Money usd(std::int64_t minor) { return Money{minor, "USD"}; }

Observation seen(std::optional<Money> price, Availability a = Availability::in_stock) {
  return Observation{true, std::move(price), a};
}
Observation unreadable() { return Observation{false, std::nullopt, Availability::unknown}; }

// Feeds observations one after another, keeping the state; returns the alert of each check
// (an empty kinds list when none).
struct Run {
  WatchRules rules;
  RuleState state;
  std::vector<Alert> alerts;  // every alert raised so far

  std::vector<AlertKind> step(const Observation& o) {
    auto ev = evaluate(rules, state, o);
    REQUIRE(ev.ok());
    REQUIRE(ev->alerts.size() <= 1);
    state = ev->state;
    if (ev->alerts.empty()) return {};
    alerts.push_back(ev->alerts[0]);
    return ev->alerts[0].kinds;
  }
  // Just the alert kinds over a whole price sequence.
  int count(AlertKind k) const {
    int n = 0;
    for (const auto& a : alerts) n += static_cast<int>(std::count(a.kinds.begin(), a.kinds.end(), k));
    return n;
  }
};

using K = std::vector<AlertKind>;

}  // namespace

TEST_CASE("first observation raises no price-movement alert and sets every reference") {
  Run r;
  r.rules.drop_bp = 1000;
  r.rules.notify_increase = true;
  CHECK(r.step(seen(usd(10000))).empty());
  CHECK(r.state.currency == "USD");
  CHECK(r.state.last_price == 10000);
  CHECK(r.state.all_time_low == 10000);
  CHECK(r.state.drop_reference == 10000);
  CHECK(r.state.availability == Availability::in_stock);
}

TEST_CASE("below target fires once, stays quiet at the same price, and fires again after going back above") {
  Run r;
  r.rules.target = usd(5000);
  r.rules.rearm_margin_bp = 0;
  r.rules.notify_all_time_low = false;
  CHECK(r.step(seen(usd(6000))).empty());
  CHECK(r.step(seen(usd(5000))) == K{AlertKind::below_target});  // at the target counts
  CHECK(r.step(seen(usd(5000))).empty());
  CHECK(r.step(seen(usd(4500))).empty());  // lower still: same episode, no new alert
  CHECK(r.step(seen(usd(5001))).empty());  // back above: re-armed, nothing to say
  CHECK(r.step(seen(usd(4999))) == K{AlertKind::below_target});
  CHECK(r.count(AlertKind::below_target) == 2);
  CHECK(r.alerts[0].message == "50.00 USD is at or below your target of 50.00 USD");
}

TEST_CASE("below target fires on the first check when the price is already under it") {
  Run r;
  r.rules.target = usd(5000);
  CHECK(r.step(seen(usd(4000))) == K{AlertKind::below_target});
  CHECK(r.step(seen(usd(4000))).empty());
}

TEST_CASE("below target re-arms only past the hysteresis margin") {
  Run r;
  r.rules.target = usd(10000);  // 100.00 USD, margin 1 % -> re-arms above 101.00
  r.rules.notify_all_time_low = false;
  REQUIRE(r.rules.rearm_margin_bp == 100);
  CHECK(r.step(seen(usd(9999))) == K{AlertKind::below_target});
  CHECK(r.step(seen(usd(10100))).empty());  // exactly target + 1 %: still disarmed
  CHECK(r.step(seen(usd(9999))).empty());   // so flickering back under stays quiet
  CHECK(r.step(seen(usd(10101))).empty());  // beyond the margin: re-armed
  CHECK(r.step(seen(usd(9999))) == K{AlertKind::below_target});
}

TEST_CASE("editing the target re-arms below target at once") {
  Run r;
  r.rules.target = usd(5000);
  CHECK(r.step(seen(usd(4000))) == K{AlertKind::below_target});
  r.rules.target = usd(4500);
  CHECK(r.step(seen(usd(4000))) == K{AlertKind::below_target});
  CHECK(r.step(seen(usd(4000))).empty());
  r.rules.target.reset();
  CHECK(r.step(seen(usd(4000))).empty());
  CHECK_FALSE(r.state.below_target_fired.has_value());
}

TEST_CASE("a target in another currency is never compared") {
  Run r;
  r.rules.target = Money{5000, "EUR"};
  CHECK(r.step(seen(usd(100))).empty());
  CHECK(r.step(seen(Money{4000, "EUR"})) == K{AlertKind::below_target});
}

TEST_CASE("drop fires at N percent below the recent high, then measures from the alerted price") {
  Run r;
  r.rules.drop_bp = 1000;  // 10 %
  r.rules.notify_all_time_low = false;
  CHECK(r.step(seen(usd(10000))).empty());
  CHECK(r.step(seen(usd(9001))).empty());   // 9.99 %: not yet
  CHECK(r.step(seen(usd(12000))).empty());  // new high becomes the reference
  CHECK(r.step(seen(usd(10801))).empty());  // 9.99 % under 120.00
  CHECK(r.step(seen(usd(10800))) == K{AlertKind::drop});  // exactly 10 %
  CHECK(r.alerts.back().message == "Dropped 10.00 % to 108.00 USD from 120.00 USD");
  CHECK(r.step(seen(usd(10800))).empty());  // same price again
  CHECK(r.step(seen(usd(9800))).empty());   // 9.26 % under the alerted 108.00
  CHECK(r.step(seen(usd(9720))) == K{AlertKind::drop});   // 10 % under 108.00
  CHECK(r.count(AlertKind::drop) == 2);
}

TEST_CASE("drop percentage in the message is computed in integers") {
  Run r;
  r.rules.drop_bp = 500;
  r.rules.notify_all_time_low = false;
  r.step(seen(usd(300)));
  CHECK(r.step(seen(usd(199))) == K{AlertKind::drop});
  CHECK(r.alerts.back().message == "Dropped 33.66 % to 1.99 USD from 3.00 USD");  // 33.666.. truncated
}

TEST_CASE("a 100 % drop rule fires only when the price reaches zero") {
  Run r;
  r.rules.drop_bp = 10000;
  r.rules.notify_all_time_low = false;
  r.step(seen(usd(500)));
  CHECK(r.step(seen(usd(1))).empty());
  CHECK(r.step(seen(usd(0))) == K{AlertKind::drop});
  CHECK(r.alerts.back().message == "Dropped 100.00 % to 0.00 USD from 5.00 USD");
}

TEST_CASE("drop switched on later measures from the price at that time") {
  Run r;
  r.rules.notify_all_time_low = false;
  r.step(seen(usd(20000)));
  r.step(seen(usd(10000)));  // a big drop while the rule was off
  r.rules.drop_bp = 1000;
  CHECK(r.step(seen(usd(9500))).empty());  // only 5 % below 100.00
  CHECK(r.step(seen(usd(9000))) == K{AlertKind::drop});
}

TEST_CASE("all-time low fires on a strictly lower price only, never on the first check") {
  Run r;
  CHECK(r.step(seen(usd(5000))).empty());
  CHECK(r.step(seen(usd(5000))).empty());  // equal is not a new low
  CHECK(r.step(seen(usd(4999))) == K{AlertKind::all_time_low});
  CHECK(r.alerts.back().message == "Lowest price seen: 49.99 USD (previous low 50.00 USD)");
  CHECK(r.step(seen(usd(4999))).empty());
  CHECK(r.step(seen(usd(6000))).empty());
  CHECK(r.step(seen(usd(4999))).empty());  // back to the low is not below it
  CHECK(r.step(seen(usd(4998))) == K{AlertKind::all_time_low});
  CHECK(r.state.all_time_low == 4998);
}

TEST_CASE("price increase fires on each rise over the last price and only when asked") {
  Run r;
  r.rules.notify_increase = true;
  r.step(seen(usd(1000)));
  CHECK(r.step(seen(usd(1100))) == K{AlertKind::price_increase});
  CHECK(r.alerts.back().message == "Price went up to 11.00 USD from 10.00 USD");
  REQUIRE(r.alerts.back().previous.has_value());
  CHECK(*r.alerts.back().previous == usd(1000));
  CHECK(r.step(seen(usd(1100))).empty());
  CHECK(r.step(seen(usd(1050))).empty());
  CHECK(r.step(seen(usd(1060))) == K{AlertKind::price_increase});
  r.rules.notify_increase = false;
  CHECK(r.step(seen(usd(2000))).empty());
}

TEST_CASE("restock fires on out_of_stock to in_stock only") {
  Run r;
  CHECK(r.step(seen(std::nullopt, Availability::in_stock)).empty());  // unknown -> in_stock: first check
  CHECK(r.step(seen(std::nullopt, Availability::out_of_stock)).empty());
  CHECK(r.step(seen(usd(2500), Availability::in_stock)) == K{AlertKind::restock});
  CHECK(r.alerts.back().message == "Back in stock at 25.00 USD");
  CHECK(r.step(seen(usd(2500), Availability::in_stock)).empty());
  CHECK(r.step(seen(usd(2500), Availability::preorder)).empty());
  CHECK(r.step(seen(usd(2500), Availability::in_stock)).empty());  // preorder -> in_stock is not a restock
  CHECK(r.step(seen(std::nullopt, Availability::out_of_stock)).empty());
  CHECK(r.step(seen(std::nullopt, Availability::in_stock)) == K{AlertKind::restock});
  CHECK(r.alerts.back().message == "Back in stock");
  r.rules.notify_restock = false;
  r.step(seen(std::nullopt, Availability::out_of_stock));
  CHECK(r.step(seen(std::nullopt, Availability::in_stock)).empty());
}

TEST_CASE("a readable page that doesn't state availability keeps the last known one") {
  Run r;
  r.step(seen(usd(100), Availability::out_of_stock));
  CHECK(r.step(seen(usd(100), Availability::unknown)).empty());
  CHECK(r.state.availability == Availability::out_of_stock);
  CHECK(r.step(seen(usd(100), Availability::in_stock)) == K{AlertKind::restock});
}

TEST_CASE("can't tell is reported once, never as out of stock, and re-armed by a readable check") {
  Run r;
  r.step(seen(usd(3000), Availability::in_stock));
  CHECK(r.step(unreadable()) == K{AlertKind::cant_tell});
  CHECK(r.alerts.back().message ==
        "Can't tell the price or stock: the page could not be read (last known: 30.00 USD, in_stock)");
  CHECK(r.state.availability == Availability::in_stock);
  CHECK(r.state.last_price == 3000);
  CHECK(r.step(unreadable()).empty());
  CHECK(r.step(unreadable()).empty());
  CHECK(r.state.cant_tell_streak == 3);
  // Readable again, in stock as before: no restock, and the can't-tell rule re-arms.
  CHECK(r.step(seen(usd(3000), Availability::in_stock)).empty());
  CHECK(r.state.cant_tell_streak == 0);
  CHECK(r.step(unreadable()) == K{AlertKind::cant_tell});
  CHECK(r.count(AlertKind::cant_tell) == 2);
}

TEST_CASE("can't tell between out of stock and in stock still gives the restock, once") {
  Run r;
  r.step(seen(std::nullopt, Availability::out_of_stock));
  r.step(unreadable());
  CHECK(r.state.availability == Availability::out_of_stock);
  CHECK(r.step(seen(usd(100), Availability::in_stock)) == K{AlertKind::restock});
  CHECK(r.step(unreadable()) == K{AlertKind::cant_tell});
  CHECK(r.step(seen(usd(100), Availability::in_stock)).empty());
}

TEST_CASE("can't tell on the very first check is reported and leaves no availability") {
  Run r;
  CHECK(r.step(unreadable()) == K{AlertKind::cant_tell});
  CHECK(r.alerts.back().message == "Can't tell the price or stock: the page could not be read");
  CHECK(r.state.availability == Availability::unknown);
  CHECK(r.step(seen(usd(100), Availability::in_stock)).empty());  // not a restock
}

TEST_CASE("can't tell waits for the configured number of checks in a row") {
  Run r;
  r.rules.cant_tell_after_checks = 3;
  r.step(seen(usd(100)));
  CHECK(r.step(unreadable()).empty());
  CHECK(r.step(unreadable()).empty());
  CHECK(r.step(seen(usd(100))).empty());  // the streak is broken
  CHECK(r.step(unreadable()).empty());
  CHECK(r.step(unreadable()).empty());
  CHECK(r.step(unreadable()) == K{AlertKind::cant_tell});
}

TEST_CASE("an unreadable check ignores whatever price and availability it carries") {
  Run r;
  r.rules.target = usd(100);
  r.step(seen(usd(500), Availability::out_of_stock));
  auto ev = evaluate(r.rules, r.state, Observation{false, usd(1), Availability::in_stock});
  REQUIRE(ev.ok());
  CHECK(ev->state.last_price == 500);
  CHECK(ev->state.availability == Availability::out_of_stock);
  REQUIRE(ev->alerts.size() == 1);
  CHECK(ev->alerts[0].kind == AlertKind::cant_tell);
}

TEST_CASE("a currency change resets the references and compares nothing across currencies") {
  Run r;
  r.rules.drop_bp = 1000;
  r.rules.notify_increase = true;
  r.step(seen(usd(10000)));
  CHECK(r.step(seen(Money{100, "EUR"})).empty());  // far "lower", but another currency
  CHECK(r.state.currency == "EUR");
  CHECK(r.state.all_time_low == 100);
  CHECK(r.state.drop_reference == 100);
  CHECK(r.step(seen(Money{50000, "JPY"})).empty());  // "higher", another currency again
  CHECK(r.step(seen(Money{49000, "JPY"})) == K{AlertKind::all_time_low});
  CHECK(r.alerts.back().message == "Lowest price seen: 49000 JPY (previous low 50000 JPY)");
  CHECK(r.step(seen(Money{44100, "JPY"})) == (K{AlertKind::all_time_low, AlertKind::drop}));
}

TEST_CASE("rules firing on one check are merged into one alert, most important first") {
  Run r;
  r.rules.target = usd(8000);
  r.rules.drop_bp = 1000;
  r.step(seen(usd(10000), Availability::in_stock));
  r.step(seen(std::nullopt, Availability::out_of_stock));
  auto kinds = r.step(seen(usd(7500), Availability::in_stock));
  CHECK(kinds == (K{AlertKind::restock, AlertKind::below_target, AlertKind::all_time_low, AlertKind::drop}));
  const Alert& a = r.alerts.back();
  CHECK(a.kind == AlertKind::restock);
  CHECK(a.message ==
        "Back in stock at 75.00 USD; 75.00 USD is at or below your target of 80.00 USD; lowest price seen: 75.00 "
        "USD (previous low 100.00 USD); dropped 25.00 % to 75.00 USD from 100.00 USD");
  REQUIRE(a.price.has_value());
  CHECK(*a.price == usd(7500));
  CHECK(*a.previous == usd(10000));
  // And the next identical check is silent: every rule that fired is disarmed.
  CHECK(r.step(seen(usd(7500), Availability::in_stock)).empty());
}

TEST_CASE("an alert on an out-of-stock page says so") {
  Run r;
  r.step(seen(usd(1000), Availability::out_of_stock));
  CHECK(r.step(seen(usd(900), Availability::out_of_stock)) == K{AlertKind::all_time_low});
  CHECK(r.alerts.back().message == "Lowest price seen: 9.00 USD (previous low 10.00 USD) (out of stock)");
}

TEST_CASE("large prices compare without overflow") {
  Run r;
  r.rules.drop_bp = 9999;
  r.rules.target = usd(INT64_MAX);
  const std::int64_t big = INT64_MAX - 1;
  CHECK(r.step(seen(usd(big))) == K{AlertKind::below_target});
  CHECK(r.step(seen(usd(big / 9999))) == K{AlertKind::all_time_low});  // a 99.98999 % drop: not enough
  CHECK(r.state.drop_reference == big);
  CHECK(r.step(seen(usd(big / 10000))) == (K{AlertKind::all_time_low, AlertKind::drop}));
}

TEST_CASE("bad rules, observations and states are errors naming the problem") {
  RuleState s;
  Observation o = seen(usd(100));
  WatchRules r;
  r.drop_bp = 10001;
  auto e = evaluate(r, s, o);
  REQUIRE_FALSE(e.ok());
  CHECK(e.error().code == "invalid_watch_rules");
  CHECK(e.error().message.find("drop_bp") != std::string::npos);
  r = {};
  r.drop_bp = -1;
  CHECK(evaluate(r, s, o).error().code == "invalid_watch_rules");
  r = {};
  r.target = usd(-1);
  CHECK(evaluate(r, s, o).error().message.find("negative") != std::string::npos);
  r = {};
  r.target = Money{1, "XXY"};
  CHECK(evaluate(r, s, o).error().code == "invalid_watch_rules");
  r = {};
  r.cant_tell_after_checks = 0;
  CHECK(evaluate(r, s, o).error().code == "invalid_watch_rules");
  r = {};
  r.rearm_margin_bp = 10001;
  CHECK(evaluate(r, s, o).error().code == "invalid_watch_rules");
  r = {};
  CHECK(evaluate(r, s, seen(usd(-5))).error().code == "invalid_observation");
  CHECK(evaluate(r, s, seen(Money{5, "usd"})).error().code == "invalid_observation");
  CHECK(evaluate(r, s, Observation{false, usd(-5), Availability::unknown}).ok());  // ignored when unreadable
  RuleState bad;
  bad.last_price = 5;
  CHECK(evaluate(r, bad, o).error().code == "invalid_rule_state");
  bad.currency = "USD";
  bad.all_time_low = -1;
  CHECK(evaluate(r, bad, o).error().code == "invalid_rule_state");
}

TEST_CASE("names round-trip") {
  for (auto a : {Availability::unknown, Availability::in_stock, Availability::out_of_stock, Availability::preorder})
    CHECK(parse_availability(availability_name(a)) == a);
  for (auto k : {AlertKind::restock, AlertKind::below_target, AlertKind::all_time_low, AlertKind::drop,
                 AlertKind::price_increase, AlertKind::cant_tell})
    CHECK(parse_alert_kind(alert_kind_name(k)) == k);
  CHECK(availability_name(Availability::out_of_stock) == "out_of_stock");
  CHECK(alert_kind_name(AlertKind::all_time_low) == "all_time_low");
  CHECK_FALSE(parse_availability("sold_out").has_value());
  CHECK_FALSE(parse_alert_kind("").has_value());
}

// Random walks over prices, availability and readability; invariants that must hold for any
// sequence: one alert at most per check; a rule never fires twice without its re-arming
// condition in between; restock only after a readable out_of_stock; never a price alert on an
// unreadable check; state never records out_of_stock from an unreadable check.
TEST_CASE("random sequences keep the re-arming invariants") {
  std::mt19937_64 rng(12345);
  for (int trial = 0; trial < 300; ++trial) {
    Run r;
    r.rules.target = usd(5000);
    r.rules.drop_bp = 1500;
    r.rules.notify_increase = (trial % 2) == 0;
    r.rules.rearm_margin_bp = static_cast<std::int32_t>(rng() % 300);
    bool below_disarmed = false;
    std::optional<std::int64_t> last_price, low;
    Availability last_stated = Availability::unknown;
    for (int i = 0; i < 60; ++i) {
      Observation o;
      if (rng() % 6 == 0) {
        o = unreadable();
      } else {
        auto av = static_cast<Availability>(rng() % 4);
        std::optional<Money> price;
        if (rng() % 5) price = usd(4000 + static_cast<std::int64_t>(rng() % 2500));
        o = seen(price, av);
      }
      RuleState before = r.state;
      auto kinds = r.step(o);
      auto has = [&](AlertKind k) { return std::count(kinds.begin(), kinds.end(), k) > 0; };
      if (!o.can_tell) {
        CHECK((kinds.empty() || kinds == K{AlertKind::cant_tell}));
        CHECK(r.state.availability == before.availability);
        CHECK(r.state.last_price == before.last_price);
        continue;
      }
      CHECK_FALSE(has(AlertKind::cant_tell));
      CHECK(has(AlertKind::restock) == (last_stated == Availability::out_of_stock &&
                                        o.availability == Availability::in_stock));
      if (o.availability != Availability::unknown) last_stated = o.availability;
      if (!o.price) {
        CHECK(kinds == (has(AlertKind::restock) ? K{AlertKind::restock} : K{}));
        continue;
      }
      std::int64_t p = o.price->minor;
      CHECK(has(AlertKind::all_time_low) == (low && p < *low));
      CHECK(has(AlertKind::price_increase) == (r.rules.notify_increase && last_price && p > *last_price));
      bool below = p <= 5000;
      CHECK(has(AlertKind::below_target) == (below && !below_disarmed));
      if (below) below_disarmed = true;
      if (p * 10000 > 5000LL * (10000 + r.rules.rearm_margin_bp)) below_disarmed = false;
      if (has(AlertKind::drop)) CHECK(p * 10000 <= *before.drop_reference * 8500);
      last_price = p;
      low = low ? std::min(*low, p) : p;
    }
  }
}
