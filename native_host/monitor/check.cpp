#include "monitor/check.hpp"

#include <algorithm>
#include <cctype>

#include "extract/product.hpp"
#include "extract/rules.hpp"
#include "http/url.hpp"
#include "money/money.hpp"
#include "text/utf8.hpp"
#include "monitor/rule_state_json.hpp"

namespace dealstack::monitor {

namespace {


std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}


// schema.org's availabilities in the monitor's four words. Limited stock is in stock; back
// orders ship later, like pre-orders; discontinued and sold out can't be bought.
Availability availability_of(dealstack::Availability a) {
  switch (a) {
    case dealstack::Availability::InStock:
    case dealstack::Availability::LimitedAvailability:
      return Availability::in_stock;
    case dealstack::Availability::OutOfStock:
    case dealstack::Availability::SoldOut:
    case dealstack::Availability::Discontinued:
      return Availability::out_of_stock;
    case dealstack::Availability::PreOrder:
    case dealstack::Availability::BackOrder:
      return Availability::preorder;
    case dealstack::Availability::Unknown:
      break;
  }
  return Availability::unknown;
}

// The offer a variant label names: its name, sku or attribute values equal the label, or
// every comma-separated part of the label appears in its name and attribute values.
const Offer* find_variant(const Product& product, std::string_view variant) {
  const std::string want = utf8::lower(trim(variant));
  std::vector<std::string> parts;
  for (std::size_t i = 0; i <= want.size();) {
    std::size_t j = want.find(',', i);
    if (j == std::string::npos) j = want.size();
    if (std::string p = trim(std::string_view(want).substr(i, j - i)); !p.empty()) parts.push_back(p);
    i = j + 1;
  }
  for (const Offer& o : product.offers) {
    std::string attrs;
    for (const auto& [k, v] : o.attributes) attrs += ", " + v;
    const std::string joined = attrs.size() > 2 ? attrs.substr(2) : std::string();
    if (utf8::lower(trim(o.name)) == want || utf8::lower(o.sku) == want || utf8::lower(joined) == want) return &o;
  }
  if (parts.empty()) return nullptr;
  for (const Offer& o : product.offers) {
    std::string text = utf8::lower(o.name);
    for (const auto& [k, v] : o.attributes) text += " | " + utf8::lower(v);
    if (std::all_of(parts.begin(), parts.end(), [&](const std::string& p) { return text.find(p) != std::string::npos; }))
      return &o;
  }
  return nullptr;
}

// "text/html; charset=ISO-8859-1" -> "ISO-8859-1".
std::string charset_of(const std::optional<std::string>& content_type) {
  if (!content_type) return {};
  const std::string l = utf8::lower(*content_type);
  const auto at = l.find("charset=");
  if (at == std::string::npos) return {};
  std::string v = content_type->substr(at + 8);
  if (auto semi = v.find(';'); semi != std::string::npos) v.resize(semi);
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

Reading cant_tell(Reading r, std::string why) {
  r.observation = Observation{};
  r.observation->can_tell = false;
  r.reason = utf8::prefix(why, kMaxReasonBytes);
  return r;
}

// The rule pack for the page's host, when the caller has one that parses and lists the host.
std::shared_ptr<const Result<RulePack>> pack_for(const http::Response& resp, const store::Watch& watch,
                                                 const ReadOptions& read_options) {
  if (!read_options.rules_for_host) return nullptr;
  auto url = http::parse_url(resp.final_url.empty() ? watch.url : resp.final_url);
  if (!url) return nullptr;
  const std::optional<std::string> text = read_options.rules_for_host(url->host);
  if (!text || text->empty()) return nullptr;
  auto pack = read_options.rule_cache ? read_options.rule_cache->get(*text)
                                      : std::make_shared<const Result<RulePack>>(parse_rule_pack(*text));
  if (!*pack || !rule_pack_covers_host(**pack, url->host)) return nullptr;
  return pack;
}

// Reads a 2xx page.
Reading read_page(Reading r, const http::Response& resp, const store::Watch& watch, const ReadOptions& read_options) {
  ExtractOptions options;
  options.url = resp.final_url;
  const std::string charset = charset_of(resp.content_type);
  options.transport_charset = charset;
  const auto pack = pack_for(resp, watch, read_options);  // kept alive through the extraction
  if (pack) options.rules = &**pack;
  auto product = extract_product(resp.body, options);
  if (!product) return cant_tell(std::move(r), "can't read the page: " + product.error().message);
  if (!product->name.empty()) r.title = utf8::prefix(product->name, store::kMaxTitleBytes);

  std::optional<Price> price = product->price;
  dealstack::Availability availability = product->availability;
  if (watch.variant) {
    const Offer* offer = find_variant(*product, *watch.variant);
    if (offer == nullptr)
      return cant_tell(std::move(r), "the page no longer lists the variant '" + utf8::prefix(*watch.variant, 100) + "'");
    price = offer->price;
    availability = offer->availability;
  }
  Observation obs;
  obs.availability = availability_of(availability);
  if (price) {
    std::string currency = price->currency.empty() ? watch.currency : price->currency;
    if (currency.empty()) return cant_tell(std::move(r), "the page shows a price without a currency");
    auto money = Money::from_decimal(price->amount, currency);
    if (!money) return cant_tell(std::move(r), "the page's price can't be read: " + money.error().message);
    if (money->minor < 0) return cant_tell(std::move(r), "the page shows a negative price");
    obs.price = *money;
  } else if (obs.availability != Availability::out_of_stock && obs.availability != Availability::preorder) {
    // A product page that can be bought but shows no price: most likely a new layout.
    return cant_tell(std::move(r), "the page shows no price");
  }
  r.observation = std::move(obs);
  return r;
}

store::Observation to_store(const Observation& o, std::int64_t at) {
  store::Observation s;
  s.at = at;
  s.can_tell = o.can_tell;
  if (o.can_tell) {
    s.availability = std::string(availability_name(o.availability));
    if (o.price) {
      s.price = o.price->minor;
      s.currency = o.price->currency;
    }
  }
  return s;
}

Observation from_store(const store::Observation& s) {
  Observation o;
  o.can_tell = s.can_tell;
  o.availability = parse_availability(s.availability).value_or(Availability::unknown);
  if (s.price) o.price = Money{*s.price, s.currency};
  return o;
}

}  // namespace

std::shared_ptr<const Result<RulePack>> RulePackCache::get(const std::string& text) {
  const std::size_t hash = std::hash<std::string>{}(text);
  ++clock_;
  for (Entry& e : entries_) {
    if (e.hash == hash && e.text == text) {
      e.used = clock_;
      return e.pack;
    }
  }
  ++parses_;
  auto pack = std::make_shared<const Result<RulePack>>(parse_rule_pack(text));
  if (entries_.size() >= kMaxEntries) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                   [](const Entry& a, const Entry& b) { return a.used < b.used; });
    entries_.erase(oldest);
  }
  entries_.push_back(Entry{hash, text, pack, clock_});
  return pack;
}

http::Request check_request(const store::Watch& watch, const store::MonitorState& state) {
  http::Request req;
  req.url = watch.url;
  req.headers["Accept"] = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5";
  req.etag = state.etag;
  req.last_modified = state.last_modified;
  return req;
}

Reading read_response(const Result<http::Response>& response, const store::Watch& watch,
                      const ReadOptions& options) {
  Reading r;
  if (!response) {
    r.outcome = Outcome::network_error();
    r.reason = utf8::prefix(response.error().message, kMaxReasonBytes);
    return r;
  }
  const http::Response& resp = *response;
  if (resp.status == 304) {
    r.not_modified = true;
    r.etag = resp.etag;
    r.last_modified = resp.last_modified;
    return r;
  }
  if (resp.status >= 200 && resp.status < 300) {
    r.etag = resp.etag;
    r.last_modified = resp.last_modified;
    return read_page(std::move(r), resp, watch, options);
  }
  std::optional<std::int64_t> retry;
  if (resp.retry_after_seconds) retry = std::max<std::int64_t>(0, *resp.retry_after_seconds) * 1000;
  r.outcome = Outcome::http(resp.status, retry);
  r.reason = "the shop answered HTTP " + std::to_string(resp.status);
  if (resp.status == 404 || resp.status == 410) r.reason += " (the page is gone)";
  if (resp.status == 429 || resp.status == 503)
    r.reason += retry ? " (busy; asked to wait " + std::to_string(*retry / 1000) + " s)" : " (busy)";
  return r;
}

WatchRules rules_of(const store::Watch& watch) {
  WatchRules rules;
  if (watch.target_price && !watch.currency.empty()) rules.target = Money{*watch.target_price, watch.currency};
  rules.drop_bp = watch.drop_bp.value_or(0);
  rules.notify_restock = watch.notify_restock;
  rules.notify_increase = watch.notify_increase;
  return rules;
}

Result<CheckDone> store_check(store::Store& store, std::int64_t watch_id, const Reading& reading,
                              std::int64_t now_ms, std::optional<std::int64_t> next_check_at) {
  auto watch = store.get_watch(watch_id);
  if (!watch) return watch.error();
  auto state = store.monitor_state(watch_id);
  if (!state) return state.error();
  state->next_check_at = next_check_at;

  std::optional<Observation> seen = reading.observation;
  if (reading.not_modified) {
    auto latest = store.latest_observation(watch_id);
    if (!latest) return latest.error();
    if (*latest) seen = from_store(**latest);
    else seen = Observation{false, std::nullopt, Availability::unknown};  // 304 to a first check
  }
  if (!seen) {
    state->failures = std::min(state->failures + 1, 1'000'000);
    state->last_error = reading.reason;
    if (auto w = store.set_monitor_state(watch_id, *state); !w) return w.error();
    return make_error("check_failed", reading.reason);
  }

  // A state that can't be read (written by a buggy or newer build) restarts the rules: at
  // worst one alert is repeated; the watch keeps being checked.
  auto parsed = rule_state_from_json(state->rules);
  const RuleState rule_state = parsed ? *parsed : RuleState{};
  auto evaluated = evaluate(rules_of(*watch), rule_state, *seen);
  // A state that parses but that the rules refuse (prices without a known currency) restarts
  // them too, or every later check of the watch would fail the same way.
  if (!evaluated && evaluated.error().code == "invalid_rule_state")
    evaluated = evaluate(rules_of(*watch), RuleState{}, *seen);
  if (!evaluated) return evaluated.error();

  // The store refuses time going backwards (a wall clock stepped back): stamp just after.
  const std::int64_t at = std::max(now_ms, watch->last_check_at ? *watch->last_check_at + 1 : now_ms);
  store::CheckRecord record;
  record.observation = to_store(*seen, at);
  record.title = reading.title;
  record.state = *state;
  record.state.rules = rule_state_to_json(evaluated->state);
  if (!reading.not_modified || reading.etag) record.state.etag = reading.etag;
  if (!reading.not_modified || reading.last_modified) record.state.last_modified = reading.last_modified;
  record.state.failures = 0;
  record.state.last_error.reset();
  if (!seen->can_tell) record.state.last_error = reading.reason;
  if (!evaluated->alerts.empty()) {
    const Alert& a = evaluated->alerts.front();
    store::Alert out;
    out.kind = std::string(alert_kind_name(a.kind));
    for (AlertKind k : a.kinds) out.kinds.emplace_back(alert_kind_name(k));
    out.message = utf8::prefix(a.message, store::kMaxAlertMessageBytes);
    if (a.kind == AlertKind::cant_tell && !reading.reason.empty())
      out.message = utf8::prefix(out.message + " (" + reading.reason + ")", store::kMaxAlertMessageBytes);
    if (a.price) {
      out.price = a.price->minor;
      out.currency = a.price->currency;
    }
    out.at = at;
    record.alert = std::move(out);
  }
  auto stored = store.record_check(watch_id, record);
  if (!stored) return stored.error();

  CheckDone done;
  auto after = store.get_watch(watch_id);
  if (!after) return after.error();
  done.watch = std::move(*after);
  done.observation = record.observation;
  done.observation->watch_id = watch_id;
  done.changed = stored->recorded.changed;
  done.alert = stored->alert;
  return done;
}

}  // namespace dealstack::monitor
