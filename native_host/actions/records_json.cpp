#include "actions/records_json.hpp"

#include "money/money.hpp"
#include "protocol/dispatcher.hpp"
#include "store/store.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

using protocol::Json;

Json amount_json(const std::optional<std::int64_t>& minor, const std::string& currency) {
  if (!minor) return nullptr;
  if (currency.empty()) return std::to_string(*minor);
  return Money{*minor, currency}.amount_string();
}

namespace {
Json optional_json(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); }
}  // namespace

Json to_json(const store::Watch& w) {
  Json j = {{"id", w.id},
            {"url", w.url},
            {"variant", w.variant ? Json(*w.variant) : Json(nullptr)},
            {"title", w.title ? Json(*w.title) : Json(nullptr)},
            {"target_price", amount_json(w.target_price, w.currency)},
            {"currency", w.currency.empty() ? Json(nullptr) : Json(w.currency)},
            {"drop_bp", w.drop_bp ? Json(*w.drop_bp) : Json(nullptr)},
            {"notify_restock", w.notify_restock},
            {"notify_increase", w.notify_increase},
            {"interval_seconds", w.interval_seconds},
            {"active_hours", w.active_hours ? Json{{"start_minute", w.active_hours->start_minute},
                                                   {"end_minute", w.active_hours->end_minute}}
                                            : Json(nullptr)},
            {"created_at", w.created_at},
            {"last_check_at", optional_json(w.last_check_at)},
            {"state", w.state}};
  return j;
}

Json to_json(const store::Alert& a) {
  return {{"id", a.id},
          {"watch_id", a.watch_id},
          {"kind", a.kind},
          {"kinds", a.kinds.empty() ? Json::array({a.kind}) : Json(a.kinds)},
          {"message", a.message},
          {"price", amount_json(a.price, a.currency)},
          {"currency", a.currency.empty() ? Json(nullptr) : Json(a.currency)},
          {"at", a.at},
          {"acknowledged", a.acknowledged}};
}

Json to_json(const store::Observation& o) {
  return {{"at", o.at},
          {"price", amount_json(o.price, o.currency)},
          {"currency", o.currency.empty() ? Json(nullptr) : Json(o.currency)},
          {"availability", o.availability},
          {"can_tell", o.can_tell}};
}

Json to_json(const store::Chart& c) {
  Json days = Json::array();
  for (const auto& d : c.days)
    days.push_back({{"day", d.day},
                    {"min", amount_json(d.min, c.currency)},
                    {"max", amount_json(d.max, c.currency)},
                    {"last", amount_json(d.last, c.currency)}});
  return {{"currency", c.currency.empty() ? Json(nullptr) : Json(c.currency)}, {"days", days}};
}

Result<store::Watch> watch_from_params(const Json& params) {
  protocol::Params p(params);
  store::Watch w;
  auto url = p.string("url", store::kMaxUrlBytes);
  if (!url) return url.error();
  w.url = *url;
  auto variant = p.optional_string("variant", store::kMaxVariantBytes);
  if (!variant) return variant.error();
  w.variant = *variant;
  auto currency = p.optional_string("currency", 3);
  if (!currency) return currency.error();
  auto target = p.optional_string("target_price", 32);
  if (!target) return target.error();
  if (*target) {
    if (!*currency)
      return make_error(protocol::error::invalid_params, "currency: required with target_price");
    auto m = Money::parse(**target, **currency);
    if (!m)
      return make_error(protocol::error::invalid_params, "target_price: " + m.error().message);
    if (m->minor < 0) return make_error(protocol::error::invalid_params, "target_price: must not be negative");
    w.target_price = m->minor;
  }
  if (*currency) w.currency = **currency;
  auto drop = p.optional_integer("drop_bp", 1, 10000);
  if (!drop) return drop.error();
  if (*drop) w.drop_bp = static_cast<std::int32_t>(**drop);
  auto restock = p.boolean("notify_restock", true);
  if (!restock) return restock.error();
  w.notify_restock = *restock;
  auto increase = p.boolean("notify_increase", false);
  if (!increase) return increase.error();
  w.notify_increase = *increase;
  auto interval = p.optional_integer("interval_seconds", store::kMinIntervalSeconds, store::kMaxIntervalSeconds);
  if (!interval) return interval.error();
  if (*interval) w.interval_seconds = **interval;
  auto hours = params.find("active_hours");
  if (hours != params.end() && !hours->is_null()) {
    if (!hours->is_object()) return make_error(protocol::error::invalid_params, "active_hours: must be an object");
    protocol::Params h(*hours);
    auto start = h.integer("start_minute", 0, 1439);
    if (!start) return make_error(protocol::error::invalid_params, "active_hours." + start.error().message);
    auto end = h.integer("end_minute", 0, 1439);
    if (!end) return make_error(protocol::error::invalid_params, "active_hours." + end.error().message);
    w.active_hours = store::ActiveHours{static_cast<int>(*start), static_cast<int>(*end)};
  }
  if (auto ok = store::validate_watch(w); !ok)
    return make_error(protocol::error::invalid_params, ok.error().message);
  return w;
}

}  // namespace dealstack::actions
