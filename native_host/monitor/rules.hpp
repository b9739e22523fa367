// A watch's alert rules: given the rule settings, the state carried from earlier checks and
// one new observation, the new state and the alert to raise. Pure: no I/O, no clock; the
// store persists RuleState between checks (every field is a plain value with a name below).
//
// Re-arming, so that one change gives one alert:
//   below_target    fires when the price goes <= target; re-arms once the price goes above
//                   target + rearm_margin_bp (hysteresis, so a price flickering one cent around
//                   the target does not alert on every check), or when the target is edited.
//                   It also fires on the first check if the price is already at or below.
//   drop            fires when the price is at least drop_bp below the drop reference: the
//                   highest price seen since the rule was armed or last fired. After firing the
//                   reference becomes the alerted price, so a further N % is needed to fire again.
//   restock         fires on out_of_stock -> in_stock between two readable checks only (not on
//                   the first check, not from preorder). A readable page that doesn't say
//                   (unknown) keeps the last known availability; can't-tell checks change nothing.
//   all_time_low    fires when the price is strictly below every earlier price in that currency;
//                   never on the first observation.
//   price_increase  fires when the price is above the last known price.
//   cant_tell       fires once when the page can't be read (extraction failed, page changed
//                   shape) for cant_tell_after_checks checks in a row; re-armed by the next
//                   readable check. Never reported as out of stock.
// All rules that fire on one check are merged into ONE alert (kind = the most important,
// kinds = all of them), so a 10 % drop to a new low under target is one notification.
// A currency change resets the price references (no cross-currency comparison): the first
// price in a new currency is treated like a first observation. Money is integer minor units.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "money/money.hpp"

namespace dealstack::monitor {

enum class Availability { unknown, in_stock, out_of_stock, preorder };

// Stable names for the store and the wire: "unknown", "in_stock", "out_of_stock", "preorder".
std::string_view availability_name(Availability a);
std::optional<Availability> parse_availability(std::string_view name);

// In order of importance (the merged alert's `kind` is the first that fired in this order;
// cant_tell never combines with the others).
enum class AlertKind { restock, below_target, all_time_low, drop, price_increase, cant_tell };

// Stable names: "restock", "below_target", "all_time_low", "drop", "price_increase", "cant_tell".
std::string_view alert_kind_name(AlertKind k);
std::optional<AlertKind> parse_alert_kind(std::string_view name);

// The rule settings of one watch (what the user chose).
struct WatchRules {
  // Alert when the price is at or below this (same currency only: a price in another currency
  // is not compared). nullopt: rule off.
  std::optional<Money> target;
  // Alert on a drop of at least this many basis points (1000 = 10 %) from the drop reference.
  // 0: rule off. Range 0..10000 (10000: the price fell to zero).
  std::int32_t drop_bp = 0;
  bool notify_restock = true;        // out_of_stock -> in_stock
  bool notify_increase = false;      // any rise over the last known price
  bool notify_all_time_low = true;   // a new lowest price
  // below_target re-arms only after the price exceeds target by more than this many basis
  // points (100 = 1 %). Range 0..10000. Default: 100.
  std::int32_t rearm_margin_bp = 100;
  // Consecutive can't-tell checks before the cant_tell alert. Range 1..1000. Default: 1.
  std::int32_t cant_tell_after_checks = 1;
};

// What one check saw.
struct Observation {
  // false when extraction failed or the page changed shape: price and availability are then
  // ignored and nothing is concluded about stock.
  bool can_tell = true;
  std::optional<Money> price;  // nullopt when a readable page shows no price (e.g. sold out)
  Availability availability = Availability::unknown;
};

// Carried between checks; a new watch starts from RuleState{}. All prices are minor units of
// `currency`.
struct RuleState {
  std::string currency;                       // of the prices below; "" before the first price
  std::optional<std::int64_t> last_price;     // last price from a readable check
  std::optional<std::int64_t> all_time_low;   // lowest price seen in `currency`
  std::optional<std::int64_t> drop_reference; // highest price since drop was armed or last fired
  // The target that below_target last fired for; the rule is disarmed while this equals the
  // current target. nullopt: armed.
  std::optional<Money> below_target_fired;
  // Last availability a readable check stated (never unknown once one did; never set from a
  // can't-tell check).
  Availability availability = Availability::unknown;
  bool cant_tell_reported = false;    // the cant_tell alert is out; cleared by a readable check
  std::int32_t cant_tell_streak = 0;  // consecutive can't-tell checks

  friend bool operator==(const RuleState&, const RuleState&) = default;
};

struct Alert {
  AlertKind kind;                // the most important rule that fired
  std::vector<AlertKind> kinds;  // every rule that fired on this check, most important first
  std::string message;           // for people: "Back in stock at 79.99 USD; ..."
  std::optional<Money> price;    // the observed price, if the check had one
  std::optional<Money> previous; // the last known price before it, same currency, if any
};

struct Evaluation {
  RuleState state;
  // At most one alert per check (all rules that fired, merged); empty when nothing fired.
  std::vector<Alert> alerts;
};

// Errors (nothing else changes): "invalid_watch_rules" (drop_bp, rearm_margin_bp or
// cant_tell_after_checks out of range, a negative target or one in an unknown currency),
// "invalid_observation" (a negative price or an unknown currency), "invalid_rule_state"
// (prices without a currency, or an unknown currency).
Result<Evaluation> evaluate(const WatchRules& rules, const RuleState& state, const Observation& obs);

}  // namespace dealstack::monitor
