// RuleState to and from the JSON text the store keeps between checks (store::MonitorState's
// `rules`). Field names are stable: a state written by one version is read by the next.
// {"currency":"EUR","last_price":1999,"all_time_low":1799,"drop_reference":2499,
//  "below_target_fired":{"minor":1500,"currency":"EUR"},"availability":"in_stock",
//  "cant_tell_reported":false,"cant_tell_streak":0}   (prices in minor units; absent = none)
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "monitor/rules.hpp"

namespace dealstack::monitor {

std::string rule_state_to_json(const RuleState& state);

// "" reads as a fresh RuleState{}. Errors: "invalid_rule_state" naming the field (not JSON,
// a field of the wrong type, an unknown availability, a negative price); the monitor then
// starts the watch afresh rather than stop checking it.
Result<RuleState> rule_state_from_json(std::string_view text);

}  // namespace dealstack::monitor
