#include "monitor/rule_state_json.hpp"

#include <nlohmann/json.hpp>

namespace dealstack::monitor {

using nlohmann::json;

namespace {

Error bad(const std::string& what) { return make_error("invalid_rule_state", "rule state: " + what); }

// A price field: absent or null = none; otherwise a non-negative integer.
Status read_price(const json& j, const char* key, std::optional<std::int64_t>& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Unit{};
  if (!it->is_number_integer() || it->get<std::int64_t>() < 0)
    return bad(std::string("'") + key + "' must be a non-negative integer (minor units)");
  out = it->get<std::int64_t>();
  return Unit{};
}

}  // namespace

std::string rule_state_to_json(const RuleState& s) {
  json j = json::object();
  j["currency"] = s.currency;
  const auto put = [&](const char* key, const std::optional<std::int64_t>& v) {
    if (v) j[key] = *v;
  };
  put("last_price", s.last_price);
  put("all_time_low", s.all_time_low);
  put("drop_reference", s.drop_reference);
  if (s.below_target_fired)
    j["below_target_fired"] = {{"minor", s.below_target_fired->minor}, {"currency", s.below_target_fired->currency}};
  j["availability"] = std::string(availability_name(s.availability));
  j["cant_tell_reported"] = s.cant_tell_reported;
  j["cant_tell_streak"] = s.cant_tell_streak;
  return j.dump();
}

Result<RuleState> rule_state_from_json(std::string_view text) {
  RuleState s;
  if (text.empty()) return s;
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  if (auto it = j.find("currency"); it != j.end()) {
    if (!it->is_string()) return bad("'currency' must be a string");
    s.currency = it->get<std::string>();
  }
  for (auto [key, field] : {std::pair{"last_price", &s.last_price}, std::pair{"all_time_low", &s.all_time_low},
                            std::pair{"drop_reference", &s.drop_reference}})
    if (auto r = read_price(j, key, *field); !r.ok()) return r.error();
  if (auto it = j.find("below_target_fired"); it != j.end() && !it->is_null()) {
    if (!it->is_object() || !it->contains("minor") || !(*it)["minor"].is_number_integer() ||
        !it->contains("currency") || !(*it)["currency"].is_string())
      return bad("'below_target_fired' must be {\"minor\": integer, \"currency\": string}");
    s.below_target_fired = Money{(*it)["minor"].get<std::int64_t>(), (*it)["currency"].get<std::string>()};
  }
  if (auto it = j.find("availability"); it != j.end()) {
    if (!it->is_string()) return bad("'availability' must be a string");
    auto a = parse_availability(it->get<std::string>());
    if (!a) return bad("unknown availability '" + it->get<std::string>().substr(0, 32) + "'");
    s.availability = *a;
  }
  if (auto it = j.find("cant_tell_reported"); it != j.end()) {
    if (!it->is_boolean()) return bad("'cant_tell_reported' must be true or false");
    s.cant_tell_reported = it->get<bool>();
  }
  if (auto it = j.find("cant_tell_streak"); it != j.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0 || it->get<std::int64_t>() > 1'000'000)
      return bad("'cant_tell_streak' must be an integer 0..1000000");
    s.cant_tell_streak = it->get<std::int32_t>();
  }
  return s;
}

}  // namespace dealstack::monitor
