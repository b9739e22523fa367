#include "sync/records.hpp"

namespace dealstack::sync {

namespace {

Error bad(std::string message) { return make_error("invalid_record", std::move(message)); }

Json watch_json(const store::Watch& w) {
  Json j = {{"url", w.url},
            {"variant", w.variant ? Json(*w.variant) : Json()},
            {"target_price", w.target_price ? Json(*w.target_price) : Json()},
            {"currency", w.currency},
            {"drop_bp", w.drop_bp ? Json(*w.drop_bp) : Json()},
            {"notify_restock", w.notify_restock},
            {"notify_increase", w.notify_increase},
            {"interval_seconds", w.interval_seconds},
            {"active_hours", Json()},
            {"state", w.state}};
  if (w.active_hours)
    j["active_hours"] = {{"start_minute", w.active_hours->start_minute}, {"end_minute", w.active_hours->end_minute}};
  return j;
}

Result<store::Watch> read_watch(const Json& j) {
  if (!j.is_object()) return bad("watch data: must be an object");
  store::Watch w;
  auto text = [&](const char* name, std::string& out) -> Status {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return bad(std::string("watch data.") + name + ": must be text");
    out = it->get<std::string>();
    return Unit{};
  };
  auto integer = [&](const char* name) -> Result<std::optional<std::int64_t>> {
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return std::optional<std::int64_t>();
    if (!it->is_number_integer()) return bad(std::string("watch data.") + name + ": must be an integer");
    return std::optional<std::int64_t>(it->get<std::int64_t>());
  };
  auto flag = [&](const char* name, bool fallback) -> Result<bool> {
    auto it = j.find(name);
    if (it == j.end()) return fallback;
    if (!it->is_boolean()) return bad(std::string("watch data.") + name + ": must be true or false");
    return it->get<bool>();
  };
  if (auto s = text("url", w.url); !s) return s.error();
  if (auto it = j.find("variant"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) return bad("watch data.variant: must be text or null");
    w.variant = it->get<std::string>();
  }
  auto target = integer("target_price");
  if (!target) return target.error();
  w.target_price = *target;
  if (j.contains("currency"))
    if (auto s = text("currency", w.currency); !s) return s.error();
  auto drop = integer("drop_bp");
  if (!drop) return drop.error();
  if (*drop) {
    if (**drop < 0 || **drop > 10000) return bad("watch data.drop_bp: out of range");
    w.drop_bp = static_cast<std::int32_t>(**drop);
  }
  auto restock = flag("notify_restock", true);
  if (!restock) return restock.error();
  w.notify_restock = *restock;
  auto increase = flag("notify_increase", false);
  if (!increase) return increase.error();
  w.notify_increase = *increase;
  auto interval = integer("interval_seconds");
  if (!interval) return interval.error();
  if (*interval) w.interval_seconds = **interval;
  if (auto it = j.find("active_hours"); it != j.end() && !it->is_null()) {
    if (!it->is_object() || !(*it)["start_minute"].is_number_integer() || !(*it)["end_minute"].is_number_integer())
      return bad("watch data.active_hours: must be {start_minute, end_minute} or null");
    const auto start = (*it)["start_minute"].get<std::int64_t>(), end = (*it)["end_minute"].get<std::int64_t>();
    if (start < 0 || start > 1439 || end < 0 || end > 1439) return bad("watch data.active_hours: minutes out of range");
    w.active_hours = store::ActiveHours{static_cast<int>(start), static_cast<int>(end)};
  }
  if (j.contains("state"))
    if (auto s = text("state", w.state); !s) return s.error();
  if (auto v = store::validate_watch(w); !v) return bad("watch data: " + v.error().message);
  return w;
}

// (url, variant) of a watch key.
std::pair<std::string_view, std::optional<std::string>> split_watch_key(std::string_view key) {
  const auto nl = key.find('\n');
  if (nl == std::string_view::npos) return {key, std::nullopt};
  std::string_view variant = key.substr(nl + 1);
  return {key.substr(0, nl), variant.empty() ? std::nullopt : std::optional<std::string>(variant)};
}

}  // namespace

bool known_kind(std::string_view kind) { return kind == "watch" || kind == "wallet" || kind == "settings"; }

std::string to_plaintext(const RecordContent& c) {
  Json j = {{"kind", c.kind}, {"key", c.key}, {"modified_at", c.modified_at}, {"device", c.device},
            {"data", c.data ? *c.data : Json()}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<RecordContent> parse_plaintext(std::string_view text) {
  if (text.size() > kMaxPlaintextBytes) return bad("the record is larger than " + std::to_string(kMaxPlaintextBytes) + " bytes");
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("the record is not a JSON object");
  RecordContent c;
  for (const char* name : {"kind", "key", "device"})
    if (!j.contains(name) || !j[name].is_string()) return bad(std::string("record.") + name + ": must be text");
  if (!j.contains("modified_at") || !j["modified_at"].is_number_integer())
    return bad("record.modified_at: must be an integer (unix ms)");
  c.kind = j["kind"].get<std::string>();
  c.key = j["key"].get<std::string>();
  c.device = j["device"].get<std::string>();
  c.modified_at = j["modified_at"].get<std::int64_t>();
  if (!known_kind(c.kind)) return bad("record.kind: unknown kind '" + c.kind.substr(0, 32) + "'");
  if (auto it = j.find("data"); it != j.end() && !it->is_null()) c.data = std::move(*it);
  return c;
}

bool wins_over(const RecordContent& a, const RecordContent& b) {
  if (a.modified_at != b.modified_at) return a.modified_at > b.modified_at;
  return a.device > b.device;
}

Result<std::optional<Json>> read_local(store::Store& store, std::string_view kind, std::string_view key) {
  if (kind == "watch") {
    auto [url, variant] = split_watch_key(key);
    auto w = store.find_watch(url, variant);
    if (!w) return w.error();
    if (!*w) return std::optional<Json>();
    return std::optional<Json>(watch_json(**w));
  }
  if (kind == "wallet") {
    auto w = store.wallet();
    if (!w) return w.error();
    if (!*w) return std::optional<Json>();
    Json j = Json::parse(**w, nullptr, false);
    if (j.is_discarded()) return make_error("db_corrupt", "the stored wallet is not JSON");
    return std::optional<Json>(std::move(j));
  }
  if (kind == "settings") {
    auto v = store.get_setting(key);
    if (!v) return v.error();
    if (!*v) return std::optional<Json>();
    return std::optional<Json>(Json{{"value", **v}});
  }
  return bad("unknown kind '" + std::string(kind.substr(0, 32)) + "'");
}

Result<Applied> apply_local(store::Store& store, std::string_view kind, std::string_view key,
                            const std::optional<Json>& data) {
  Applied out;
  if (kind == "watch") {
    auto [url, variant] = split_watch_key(key);
    auto existing = store.find_watch(url, variant);
    if (!existing) return existing.error();
    if (!data) {
      if (*existing) {
        if (auto r = store.remove_watch((*existing)->id); !r) return r.error();
        out.watch_removed = (*existing)->id;
      }
      return out;
    }
    auto w = read_watch(*data);
    if (!w) return w.error();
    if (w->url != url || w->variant != variant) return bad("watch data: url and variant differ from the record's key");
    Result<store::Watch> stored = make_error("db_error", "unreached");
    if (*existing) {
      w->id = (*existing)->id;
      stored = store.update_watch(*w);
    } else {
      stored = store.add_watch(*w);
    }
    if (!stored) return stored.error();
    out.watch_changed = std::move(*stored);
    return out;
  }
  if (kind == "wallet") {
    if (!data) return out;  // a wallet is never deleted, only replaced
    if (!data->is_object()) return bad("wallet data: must be an object");
    if (auto r = store.set_wallet(data->dump(-1, ' ', false, Json::error_handler_t::replace)); !r) return r.error();
    out.wallet_changed = true;
    return out;
  }
  if (kind == "settings") {
    if (!data) return out;  // settings are never deleted, only replaced
    if (!data->is_object() || !data->contains("value") || !(*data)["value"].is_string())
      return bad("settings data: must be {\"value\": text}");
    if (key.substr(0, 6) == "local.") return bad("settings data: local settings are not synced");
    if (auto r = store.set_setting(key, (*data)["value"].get<std::string>()); !r) return r.error();
    out.settings_changed = true;
    return out;
  }
  return bad("unknown kind '" + std::string(kind.substr(0, 32)) + "'");
}

}  // namespace dealstack::sync
