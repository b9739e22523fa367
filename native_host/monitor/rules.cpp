#include "monitor/rules.hpp"

#include <algorithm>
#include <array>

#include "money/currency.hpp"

namespace dealstack::monitor {

namespace {

constexpr std::array<std::string_view, 4> kAvailabilityNames = {"unknown", "in_stock", "out_of_stock",
                                                                 "preorder"};
// Indexed by AlertKind's value.
constexpr std::array<std::string_view, 6> kAlertKindNames = {"restock",      "below_target",   "all_time_low",
                                                             "drop",         "price_increase", "cant_tell"};

std::string money_text(std::int64_t minor, const std::string& currency) {
  return Money{minor, currency}.to_string();
}

// Basis points as a percentage with two decimals, integers only: 1250 -> "12.50 %".
std::string percent_text(std::int64_t bp) {
  std::string frac = std::to_string(bp % 100);
  if (frac.size() < 2) frac.insert(0, "0");
  return std::to_string(bp / 100) + "." + frac + " %";
}

// v * factor in 128 bits, so comparisons of scaled prices never overflow.
__int128 scaled(std::int64_t v, std::int64_t factor) { return static_cast<__int128>(v) * factor; }

Status check_money(const Money& m, const char* code, const char* what) {
  if (!find_currency(m.currency))
    return make_error(code, std::string(what) + " has an unknown currency '" + m.currency + "'");
  if (m.minor < 0) return make_error(code, std::string(what) + " is negative: " + std::to_string(m.minor));
  return Unit{};
}

Status validate(const WatchRules& r, const RuleState& s, const Observation& o) {
  if (r.drop_bp < 0 || r.drop_bp > 10000)
    return make_error("invalid_watch_rules", "drop_bp must be 0..10000 basis points, got " + std::to_string(r.drop_bp));
  if (r.rearm_margin_bp < 0 || r.rearm_margin_bp > 10000)
    return make_error("invalid_watch_rules",
                      "rearm_margin_bp must be 0..10000 basis points, got " + std::to_string(r.rearm_margin_bp));
  if (r.cant_tell_after_checks < 1 || r.cant_tell_after_checks > 1000)
    return make_error("invalid_watch_rules",
                      "cant_tell_after_checks must be 1..1000, got " + std::to_string(r.cant_tell_after_checks));
  if (r.target)
    if (auto st = check_money(*r.target, "invalid_watch_rules", "the target price"); !st) return st;
  bool has_prices = s.last_price || s.all_time_low || s.drop_reference;
  if (has_prices && !find_currency(s.currency))
    return make_error("invalid_rule_state", "rule state has prices but no known currency ('" + s.currency + "')");
  for (auto v : {s.last_price, s.all_time_low, s.drop_reference})
    if (v && *v < 0) return make_error("invalid_rule_state", "rule state has a negative price");
  if (o.can_tell && o.price)
    if (auto st = check_money(*o.price, "invalid_observation", "the observed price"); !st) return st;
  return Unit{};
}

std::string capitalized(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

}  // namespace

std::string_view availability_name(Availability a) {
  auto i = static_cast<std::size_t>(a);
  return i < kAvailabilityNames.size() ? kAvailabilityNames[i] : "unknown";
}

std::optional<Availability> parse_availability(std::string_view name) {
  for (std::size_t i = 0; i < kAvailabilityNames.size(); ++i)
    if (kAvailabilityNames[i] == name) return static_cast<Availability>(i);
  return std::nullopt;
}

std::string_view alert_kind_name(AlertKind k) {
  auto i = static_cast<std::size_t>(k);
  return i < kAlertKindNames.size() ? kAlertKindNames[i] : "unknown";
}

std::optional<AlertKind> parse_alert_kind(std::string_view name) {
  for (std::size_t i = 0; i < kAlertKindNames.size(); ++i)
    if (kAlertKindNames[i] == name) return static_cast<AlertKind>(i);
  return std::nullopt;
}

Result<Evaluation> evaluate(const WatchRules& rules, const RuleState& state, const Observation& obs) {
  if (auto st = validate(rules, state, obs); !st) return st.error();
  Evaluation ev{state, {}};
  RuleState& s = ev.state;

  if (!obs.can_tell) {
    // Nothing is concluded about price or stock; only the can't-tell rule moves.
    if (s.cant_tell_streak < 1000000) ++s.cant_tell_streak;
    if (!s.cant_tell_reported && s.cant_tell_streak >= rules.cant_tell_after_checks) {
      s.cant_tell_reported = true;
      std::string msg = "Can't tell the price or stock: the page could not be read";
      std::string last;
      if (s.last_price) last = money_text(*s.last_price, s.currency);
      if (s.availability != Availability::unknown) {
        if (!last.empty()) last += ", ";
        last += std::string(availability_name(s.availability));
      }
      if (!last.empty()) msg += " (last known: " + last + ")";
      std::optional<Money> prev;
      if (s.last_price) prev = Money{*s.last_price, s.currency};
      ev.alerts.push_back(Alert{AlertKind::cant_tell, {AlertKind::cant_tell}, std::move(msg), std::nullopt, prev});
    }
    return ev;
  }

  s.cant_tell_reported = false;
  s.cant_tell_streak = 0;

  std::vector<AlertKind> kinds;
  std::vector<std::string> parts;  // one per kind, same order after sorting below
  auto add = [&](AlertKind k, std::string text) {
    kinds.push_back(k);
    parts.push_back(std::move(text));
  };

  // Availability: restock only between two readable, stated availabilities.
  bool restocked = state.availability == Availability::out_of_stock && obs.availability == Availability::in_stock;
  if (obs.availability != Availability::unknown) s.availability = obs.availability;
  if (restocked && rules.notify_restock)
    add(AlertKind::restock,
        obs.price ? "back in stock at " + obs.price->to_string() : std::string("back in stock"));

  std::optional<Money> previous;
  if (obs.price) {
    const std::int64_t p = obs.price->minor;
    const std::string& cur = obs.price->currency;
    if (s.currency != cur) {
      // First price, or a new currency: start every reference afresh, compare nothing.
      s.currency = cur;
      s.last_price = p;
      s.all_time_low = p;
      s.drop_reference = p;
    } else {
      previous = s.last_price ? std::optional<Money>(Money{*s.last_price, cur}) : std::nullopt;
      if (rules.notify_increase && s.last_price && p > *s.last_price)
        add(AlertKind::price_increase,
            "price went up to " + obs.price->to_string() + " from " + money_text(*s.last_price, cur));
      if (s.all_time_low && p < *s.all_time_low && rules.notify_all_time_low)
        add(AlertKind::all_time_low,
            "lowest price seen: " + obs.price->to_string() + " (previous low " + money_text(*s.all_time_low, cur) + ")");
      if (rules.drop_bp == 0 || !s.drop_reference) {
        s.drop_reference = p;  // off: a later switch-on measures from the price at that time
      } else if (const std::int64_t ref = *s.drop_reference;
                 p < ref && scaled(p, 10000) <= scaled(ref, 10000 - rules.drop_bp)) {
        std::int64_t bp = static_cast<std::int64_t>(scaled(ref - p, 10000) / ref);
        add(AlertKind::drop, "dropped " + percent_text(bp) + " to " + obs.price->to_string() + " from " +
                                 money_text(ref, cur));
        s.drop_reference = p;
      } else {
        s.drop_reference = std::max(ref, p);
      }
      s.last_price = p;
      s.all_time_low = s.all_time_low ? std::min(*s.all_time_low, p) : p;
    }

    // below_target, with hysteresis; an edited target re-arms at once.
    if (!rules.target) {
      s.below_target_fired.reset();
    } else {
      const Money& t = *rules.target;
      if (s.below_target_fired && *s.below_target_fired != t) s.below_target_fired.reset();
      if (t.currency == cur) {
        if (p <= t.minor) {
          if (!s.below_target_fired) {
            s.below_target_fired = t;
            add(AlertKind::below_target,
                obs.price->to_string() + " is at or below your target of " + t.to_string());
          }
        } else if (scaled(p, 10000) > scaled(t.minor, 10000 + rules.rearm_margin_bp)) {
          s.below_target_fired.reset();
        }
      }
    }
  }

  if (kinds.empty()) return ev;
  // Most important first (AlertKind's declaration order), then one message.
  std::vector<std::size_t> order(kinds.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return kinds[a] < kinds[b]; });
  Alert alert{kinds[order[0]], {}, {}, obs.price, previous};
  for (std::size_t i : order) {
    alert.kinds.push_back(kinds[i]);
    if (!alert.message.empty()) alert.message += "; ";
    alert.message += parts[i];
  }
  alert.message = capitalized(std::move(alert.message));
  if (obs.availability == Availability::out_of_stock) alert.message += " (out of stock)";
  ev.alerts.push_back(std::move(alert));
  return ev;
}

}  // namespace dealstack::monitor
