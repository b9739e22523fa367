#include "store/store.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "text/utf8.hpp"

namespace dealstack::store {

namespace {

constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

bool one_of(std::string_view value, const auto& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

// Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF): text we store is
// later sent as JSON.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;  // truncated sequence
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

bool valid_currency(std::string_view c) {
  return c.size() == 3 && std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

Error invalid(std::string message) { return make_error("invalid_argument", std::move(message)); }

Status validate_price(const std::optional<std::int64_t>& price, std::string_view currency,
                      std::string_view field) {
  if (price) {
    if (*price < 0 || *price > kMaxPriceMinor)
      return invalid(std::string(field) + " must be between 0 and " + std::to_string(kMaxPriceMinor) +
                     " minor units (got " + std::to_string(*price) + ")");
    if (!valid_currency(currency))
      return invalid(std::string(field) + " needs a currency: three capital letters (ISO 4217), got '" +
                     std::string(currency.substr(0, 16)) + "'");
  } else if (!currency.empty() && !valid_currency(currency)) {
    return invalid("currency must be empty or three capital letters (ISO 4217), got '" +
                   std::string(currency.substr(0, 16)) + "'");
  }
  return Unit{};
}

Status validate_text(std::string_view text, std::size_t max_bytes, std::string_view field,
                     bool allow_empty) {
  if (!allow_empty && text.empty()) return invalid(std::string(field) + " must not be empty");
  if (text.size() > max_bytes)
    return invalid(std::string(field) + " is " + std::to_string(text.size()) + " bytes; at most " +
                   std::to_string(max_bytes) + " are allowed");
  if (!valid_utf8(text)) return invalid(std::string(field) + " is not valid UTF-8");
  return Unit{};
}

Status validate_observation(const Observation& obs) {
  if (obs.at < 0) return invalid("observation time 'at' must not be negative");
  if (auto p = validate_price(obs.price, obs.currency, "observation price"); !p.ok()) return p;
  if (!one_of(obs.availability, kAvailabilities))
    return invalid("availability must be one of in_stock, out_of_stock, preorder, unknown (got '" +
                   obs.availability.substr(0, 32) + "')");
  return Unit{};
}

// The columns read_watch() expects, in order.
constexpr const char* kWatchSelect =
    "SELECT w.id, p.url, v.name, p.title, w.target_price, w.currency, w.drop_bp, w.notify_restock,"
    " w.notify_increase, w.interval_seconds, w.active_start_minute, w.active_end_minute,"
    " w.created_at, w.last_check_at, w.state"
    " FROM watches w JOIN variants v ON v.id = w.variant_id JOIN products p ON p.id = v.product_id";

Watch read_watch(const Statement& st) {
  Watch w;
  w.id = st.int64(0);
  w.url = st.text(1);
  if (std::string name = st.text(2); !name.empty()) w.variant = std::move(name);
  w.title = st.optional_text(3);
  w.target_price = st.optional_int64(4);
  w.currency = st.text(5);
  if (auto bp = st.optional_int64(6)) w.drop_bp = static_cast<std::int32_t>(*bp);
  w.notify_restock = st.int64(7) != 0;
  w.notify_increase = st.int64(8) != 0;
  w.interval_seconds = st.int64(9);
  if (!st.is_null(10) && !st.is_null(11))
    w.active_hours = ActiveHours{static_cast<int>(st.int64(10)), static_cast<int>(st.int64(11))};
  w.created_at = st.int64(12);
  w.last_check_at = st.optional_int64(13);
  w.state = st.text(14);
  return w;
}

// The columns read_observation() expects, in order.
constexpr const char* kObservationColumns = "at, price, currency, availability, can_tell";

Observation read_observation(const Statement& st, std::int64_t watch_id) {
  Observation o;
  o.watch_id = watch_id;
  o.at = st.int64(0);
  o.price = st.optional_int64(1);
  o.currency = st.text(2);
  o.availability = st.text(3);
  o.can_tell = st.int64(4) != 0;
  return o;
}

Alert read_alert(const Statement& st) {
  Alert a;
  a.id = st.int64(0);
  a.watch_id = st.int64(1);
  a.kind = st.text(2);
  a.message = st.text(3);
  a.price = st.optional_int64(4);
  a.currency = st.text(5);
  a.at = st.int64(6);
  a.acknowledged = st.int64(7) != 0;
  const std::string kinds = st.text(8);
  for (std::size_t i = 0; i < kinds.size();) {
    std::size_t j = kinds.find(',', i);
    if (j == std::string::npos) j = kinds.size();
    if (j > i) a.kinds.push_back(kinds.substr(i, j - i));
    i = j + 1;
  }
  if (a.kinds.empty()) a.kinds = {a.kind};
  return a;
}

MonitorState read_monitor_state(const Statement& st) {
  MonitorState m;
  m.rules = st.text(0);
  m.etag = st.optional_text(1);
  m.last_modified = st.optional_text(2);
  m.next_check_at = st.optional_int64(3);
  m.failures = static_cast<std::int32_t>(st.is_null(4) ? 0 : st.int64(4));
  m.last_error = st.optional_text(5);
  return m;
}


Error no_watch(std::int64_t id) { return make_error("not_found", "no watch with id " + std::to_string(id)); }

std::int64_t floor_day(std::int64_t ms) { return ms >= 0 ? ms / kDayMs : -((-ms + kDayMs - 1) / kDayMs); }

}  // namespace

std::int64_t system_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status validate_url(std::string_view url) {
  if (url.empty()) return make_error("invalid_url", "the url is empty");
  if (url.size() > kMaxUrlBytes)
    return make_error("invalid_url", "the url is " + std::to_string(url.size()) + " bytes; at most " +
                                         std::to_string(kMaxUrlBytes) + " are allowed");
  for (char ch : url) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F)
      return make_error("invalid_url", "the url has a space, control or non-ASCII byte (percent-encode it)");
  }
  auto lower_prefix = [&](std::string_view prefix) {
    if (url.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      char c = url[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != prefix[i]) return false;
    }
    return true;
  };
  std::size_t rest = 0;
  if (lower_prefix("https://")) {
    rest = 8;
  } else if (lower_prefix("http://")) {
    rest = 7;
  } else {
    return make_error("invalid_url", "only http:// and https:// urls can be watched");
  }
  const std::string_view after = url.substr(rest);
  const std::string_view authority = after.substr(0, after.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos)
    return make_error("invalid_url", "the url carries a user name or password; remove them");
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {  // IPv6 literal: [::1]:8080
    const auto close = host.find(']');
    if (close == std::string_view::npos) return make_error("invalid_url", "the url's IPv6 host has no ']'");
    host = host.substr(1, close - 1);
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.empty()) return make_error("invalid_url", "the url has no host");
  return Unit{};
}

Status validate_watch(const Watch& w) {
  if (auto u = validate_url(w.url); !u.ok()) return u;
  if (w.variant)
    if (auto v = validate_text(*w.variant, kMaxVariantBytes, "variant", false); !v.ok()) return v;
  if (auto p = validate_price(w.target_price, w.currency, "target_price"); !p.ok()) return p;
  if (w.drop_bp && (*w.drop_bp < 1 || *w.drop_bp > 10000))
    return invalid("drop_bp must be between 1 and 10000 basis points (1% = 100), got " +
                   std::to_string(*w.drop_bp));
  if (w.interval_seconds < kMinIntervalSeconds || w.interval_seconds > kMaxIntervalSeconds)
    return invalid("interval_seconds must be between " + std::to_string(kMinIntervalSeconds) + " and " +
                   std::to_string(kMaxIntervalSeconds) + ", got " + std::to_string(w.interval_seconds));
  if (w.active_hours) {
    const auto& h = *w.active_hours;
    if (h.start_minute < 0 || h.start_minute > 1439 || h.end_minute < 0 || h.end_minute > 1439)
      return invalid("active_hours minutes must be between 0 and 1439");
    if (h.start_minute == h.end_minute)
      return invalid("active_hours start and end are equal; leave active_hours out for all day");
  }
  if (!one_of(w.state, kWatchStates))
    return invalid("state must be 'active' or 'paused', got '" + w.state.substr(0, 32) + "'");
  return Unit{};
}

Result<Store> Store::open(const std::filesystem::path& path, const Database::Options& options, Clock clock) {
  auto db = Database::open(path, options);
  if (!db.ok()) return db.error();
  return Store(std::move(db).value(), clock ? std::move(clock) : Clock(system_clock_ms));
}

// The variant row for (url, variant), made (with its product) if missing. In a transaction.
Result<std::int64_t> Store::variant_for(std::string_view url, std::string_view variant) {
  auto ins = db_.prepare("INSERT INTO products (url, created_at) VALUES (?, ?) ON CONFLICT (url) DO NOTHING",
                         "add product");
  if (!ins.ok()) return ins.error();
  if (auto r = ins->bind(1, url).bind(2, clock_()).run(); !r.ok()) return r.error();
  auto sel = db_.prepare("SELECT id FROM products WHERE url = ?", "find product");
  if (!sel.ok()) return sel.error();
  auto row = sel->bind(1, url).step();
  if (!row.ok()) return row.error();
  if (!*row) return make_error("db_error", "find product: the product just added is missing");
  const std::int64_t product_id = sel->int64(0);

  auto vins = db_.prepare(
      "INSERT INTO variants (product_id, name) VALUES (?, ?) ON CONFLICT (product_id, name) DO NOTHING",
      "add variant");
  if (!vins.ok()) return vins.error();
  if (auto r = vins->bind(1, product_id).bind(2, variant).run(); !r.ok()) return r.error();
  auto vsel = db_.prepare("SELECT id FROM variants WHERE product_id = ? AND name = ?", "find variant");
  if (!vsel.ok()) return vsel.error();
  auto vrow = vsel->bind(1, product_id).bind(2, variant).step();
  if (!vrow.ok()) return vrow.error();
  if (!*vrow) return make_error("db_error", "find variant: the variant just added is missing");
  return vsel->int64(0);
}

// Removes the variant (and then its product) when no watch points at it. In a transaction.
Status Store::drop_orphans(std::int64_t variant_id) {
  auto sel = db_.prepare("SELECT product_id FROM variants WHERE id = ?", "find product of variant");
  if (!sel.ok()) return sel.error();
  auto row = sel->bind(1, variant_id).step();
  if (!row.ok()) return row.error();
  if (!*row) return Unit{};
  const std::int64_t product_id = sel->int64(0);
  auto del = db_.prepare(
      "DELETE FROM variants WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM watches WHERE variant_id = ?1)",
      "remove unused variant");
  if (!del.ok()) return del.error();
  if (auto r = del->bind(1, variant_id).run(); !r.ok()) return r;
  auto pdel = db_.prepare(
      "DELETE FROM products WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM variants WHERE product_id = ?1)",
      "remove unused product");
  if (!pdel.ok()) return pdel.error();
  return pdel->bind(1, product_id).run();
}

Result<std::optional<std::int64_t>> Store::variant_of_watch(std::int64_t watch_id) {
  auto sel = db_.prepare("SELECT variant_id FROM watches WHERE id = ?", "find watch");
  if (!sel.ok()) return sel.error();
  auto row = sel->bind(1, watch_id).step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(sel->int64(0));
}

namespace {

// Binds the rule columns shared by add and update: ?2 .. ?11.
void bind_rules(Statement& st, const Watch& w) {
  st.bind(2, w.target_price)
      .bind(3, std::string_view(w.currency))
      .bind(4, w.drop_bp ? std::optional<std::int64_t>(*w.drop_bp) : std::nullopt)
      .bind(5, std::int64_t{w.notify_restock})
      .bind(6, std::int64_t{w.notify_increase})
      .bind(7, w.interval_seconds)
      .bind(8, w.active_hours ? std::optional<std::int64_t>(w.active_hours->start_minute) : std::nullopt)
      .bind(9, w.active_hours ? std::optional<std::int64_t>(w.active_hours->end_minute) : std::nullopt)
      .bind(10, std::string_view(w.state));
}

Error already_watched(const Watch& w) {
  return make_error("already_watched", "a watch for " + w.url +
                                           (w.variant ? " (variant '" + *w.variant + "')" : std::string()) +
                                           " already exists");
}

}  // namespace

Result<Watch> Store::add_watch(const Watch& watch) {
  if (auto v = validate_watch(watch); !v.ok()) return v.error();
  auto tx = write_tx();
  if (!tx.ok()) return tx.error();
  auto variant_id = variant_for(watch.url, watch.variant.value_or(""));
  if (!variant_id.ok()) return variant_id.error();
  auto taken = db_.prepare("SELECT 1 FROM watches WHERE variant_id = ?", "check watch");
  if (!taken.ok()) return taken.error();
  auto row = taken->bind(1, *variant_id).step();
  if (!row.ok()) return row.error();
  if (*row) return already_watched(watch);
  auto ins = db_.prepare(
      "INSERT INTO watches (variant_id, target_price, currency, drop_bp, notify_restock, notify_increase,"
      " interval_seconds, active_start_minute, active_end_minute, state, created_at)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
      "add watch");
  if (!ins.ok()) return ins.error();
  ins->bind(1, *variant_id);
  bind_rules(*ins, watch);
  ins->bind(11, clock_());
  if (auto r = ins->run(); !r.ok()) return r.error();
  const std::int64_t id = db_.last_insert_id();
  if (auto n = note_change_tx("watch", watch_sync_key(watch.url, watch.variant)); !n.ok()) return n.error();
  if (auto c = tx->commit(); !c.ok()) return c.error();
  return get_watch(id);
}

Result<Watch> Store::update_watch(const Watch& watch) {
  if (auto v = validate_watch(watch); !v.ok()) return v.error();
  auto tx = write_tx();
  if (!tx.ok()) return tx.error();
  auto old_variant = variant_of_watch(watch.id);
  if (!old_variant.ok()) return old_variant.error();
  if (!*old_variant) return no_watch(watch.id);
  auto old = get_watch(watch.id);
  if (!old.ok()) return old.error();
  auto variant_id = variant_for(watch.url, watch.variant.value_or(""));
  if (!variant_id.ok()) return variant_id.error();
  if (*variant_id != **old_variant) {
    auto taken = db_.prepare("SELECT 1 FROM watches WHERE variant_id = ?", "check watch");
    if (!taken.ok()) return taken.error();
    auto row = taken->bind(1, *variant_id).step();
    if (!row.ok()) return row.error();
    if (*row) return already_watched(watch);
  }
  auto up = db_.prepare(
      "UPDATE watches SET variant_id = ?1, target_price = ?2, currency = ?3, drop_bp = ?4,"
      " notify_restock = ?5, notify_increase = ?6, interval_seconds = ?7, active_start_minute = ?8,"
      " active_end_minute = ?9, state = ?10 WHERE id = ?11",
      "update watch");
  if (!up.ok()) return up.error();
  up->bind(1, *variant_id);
  bind_rules(*up, watch);
  up->bind(11, watch.id);
  if (auto r = up->run(); !r.ok()) return r.error();
  if (*variant_id != **old_variant)
    if (auto d = drop_orphans(**old_variant); !d.ok()) return d.error();
  const std::string old_key = watch_sync_key(old->url, old->variant);
  const std::string new_key = watch_sync_key(watch.url, watch.variant);
  if (old_key != new_key)
    if (auto n = note_change_tx("watch", old_key); !n.ok()) return n.error();
  if (auto n = note_change_tx("watch", new_key); !n.ok()) return n.error();
  if (auto c = tx->commit(); !c.ok()) return c.error();
  return get_watch(watch.id);
}

Status Store::remove_watch(std::int64_t id) {
  auto tx = write_tx();
  if (!tx.ok()) return tx.error();
  auto variant = variant_of_watch(id);
  if (!variant.ok()) return variant.error();
  if (!*variant) return no_watch(id);
  auto old = get_watch(id);
  if (!old.ok()) return old.error();
  if (auto n = note_change_tx("watch", watch_sync_key(old->url, old->variant)); !n.ok()) return n;
  auto del = db_.prepare("DELETE FROM watches WHERE id = ?", "remove watch");
  if (!del.ok()) return del.error();
  if (auto r = del->bind(1, id).run(); !r.ok()) return r;
  if (auto d = drop_orphans(**variant); !d.ok()) return d;
  return tx->commit();
}

Result<Watch> Store::get_watch(std::int64_t id) {
  auto sel = db_.prepare(std::string(kWatchSelect) + " WHERE w.id = ?", "get watch");
  if (!sel.ok()) return sel.error();
  auto row = sel->bind(1, id).step();
  if (!row.ok()) return row.error();
  if (!*row) return no_watch(id);
  return read_watch(*sel);
}

Result<std::vector<Watch>> Store::list_watches() {
  auto sel = db_.prepare(std::string(kWatchSelect) + " ORDER BY w.id", "list watches");
  if (!sel.ok()) return sel.error();
  std::vector<Watch> out;
  for (;;) {
    auto row = sel->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back(read_watch(*sel));
  }
  return out;
}

Status Store::set_title(std::int64_t watch_id, std::string_view title) {
  auto tx = db_.begin();
  if (!tx.ok()) return tx.error();
  if (auto r = set_title_tx(watch_id, title); !r.ok()) return r;
  return tx->commit();
}

Status Store::set_title_tx(std::int64_t watch_id, std::string_view title) {
  if (auto v = validate_text(title, kMaxTitleBytes, "title", true); !v.ok()) return v;
  auto up = db_.prepare(
      "UPDATE products SET title = ?1 WHERE id = (SELECT v.product_id FROM watches w"
      " JOIN variants v ON v.id = w.variant_id WHERE w.id = ?2)",
      "set title");
  if (!up.ok()) return up.error();
  if (auto r = up->bind(1, title).bind(2, watch_id).run(); !r.ok()) return r;
  if (db_.changes() == 0) return no_watch(watch_id);
  return Unit{};
}

Result<Recorded> Store::record_observation(std::int64_t watch_id, const Observation& obs) {
  auto tx = db_.begin();
  if (!tx.ok()) return tx.error();
  auto out = record_observation_tx(watch_id, obs);
  if (!out.ok()) return out.error();
  if (auto c = tx->commit(); !c.ok()) return c.error();
  return out;
}

Result<Recorded> Store::record_observation_tx(std::int64_t watch_id, const Observation& obs) {
  if (auto v = validate_observation(obs); !v.ok()) return v.error();
  Observation next = obs;
  next.watch_id = watch_id;
  if (!next.price) next.currency.clear();  // a currency without a price means nothing

  auto w = db_.prepare("SELECT last_check_at FROM watches WHERE id = ?", "find watch");
  if (!w.ok()) return w.error();
  auto wrow = w->bind(1, watch_id).step();
  if (!wrow.ok()) return wrow.error();
  if (!*wrow) return no_watch(watch_id);
  const auto last_check = w->optional_int64(0);
  if (last_check && next.at < *last_check)
    return make_error("out_of_order", "the observation at " + std::to_string(next.at) +
                                          " ms is older than the watch's last check at " +
                                          std::to_string(*last_check) + " ms");

  Recorded out;
  auto latest = latest_observation(watch_id);
  if (!latest.ok()) return latest.error();
  out.previous = std::move(*latest);
  const Observation* prev = out.previous ? &*out.previous : nullptr;
  out.changed = prev == nullptr || prev->price != next.price || prev->currency != next.currency ||
                prev->availability != next.availability || prev->can_tell != next.can_tell;
  if (out.changed) {
    if (prev != nullptr && next.at <= prev->at)
      return make_error("out_of_order", "a change at " + std::to_string(next.at) +
                                            " ms must be later than the last recorded one at " +
                                            std::to_string(prev->at) + " ms");
    auto ins = db_.prepare(
        "INSERT INTO observations (watch_id, at, price, currency, availability, can_tell)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        "record observation");
    if (!ins.ok()) return ins.error();
    if (auto r = ins->bind(1, watch_id)
                     .bind(2, next.at)
                     .bind(3, next.price)
                     .bind(4, std::string_view(next.currency))
                     .bind(5, std::string_view(next.availability))
                     .bind(6, std::int64_t{next.can_tell})
                     .run();
        !r.ok())
      return r.error();
  }
  // The first price seen names the watch's currency when the user gave none.
  auto up = db_.prepare(
      "UPDATE watches SET last_check_at = ?1,"
      " currency = CASE WHEN currency = '' AND ?2 IS NOT NULL THEN ?3 ELSE currency END WHERE id = ?4",
      "update last check");
  if (!up.ok()) return up.error();
  if (auto r = up->bind(1, next.at)
                   .bind(2, next.price)
                   .bind(3, std::string_view(next.currency))
                   .bind(4, watch_id)
                   .run();
      !r.ok())
    return r.error();
  return out;
}

Result<std::optional<Observation>> Store::latest_observation(std::int64_t watch_id) {
  auto sel = db_.prepare(std::string("SELECT ") + kObservationColumns +
                             " FROM observations WHERE watch_id = ? ORDER BY at DESC LIMIT 1",
                         "latest observation");
  if (!sel.ok()) return sel.error();
  auto row = sel->bind(1, watch_id).step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<Observation>();
  return std::optional<Observation>(read_observation(*sel, watch_id));
}

Result<std::vector<Observation>> Store::history(std::int64_t watch_id, std::int64_t from_ms,
                                                std::int64_t to_ms, std::size_t limit) {
  if (to_ms < from_ms) return invalid("history range: to_ms is before from_ms");
  auto exists = variant_of_watch(watch_id);
  if (!exists.ok()) return exists.error();
  if (!*exists) return no_watch(watch_id);
  auto sel = db_.prepare(std::string("SELECT ") + kObservationColumns +
                             " FROM observations WHERE watch_id = ? AND at >= ? AND at <= ?"
                             " ORDER BY at LIMIT ?",
                         "read history");
  if (!sel.ok()) return sel.error();
  sel->bind(1, watch_id).bind(2, from_ms).bind(3, to_ms).bind(
      4, static_cast<std::int64_t>(std::min<std::size_t>(limit, kMaxHistoryRows)));
  std::vector<Observation> out;
  for (;;) {
    auto row = sel->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back(read_observation(*sel, watch_id));
  }
  return out;
}

Result<Chart> Store::chart(std::int64_t watch_id, std::int64_t from_ms, std::int64_t to_ms) {
  if (from_ms < 0) return invalid("chart range: from_ms must not be negative");
  if (to_ms < from_ms) return invalid("chart range: to_ms is before from_ms");
  if (floor_day(to_ms) - floor_day(from_ms) + 1 > kMaxChartDays)
    return invalid("chart range is longer than " + std::to_string(kMaxChartDays) + " days");

  auto w = db_.prepare("SELECT last_check_at, currency FROM watches WHERE id = ?", "find watch");
  if (!w.ok()) return w.error();
  auto wrow = w->bind(1, watch_id).step();
  if (!wrow.ok()) return wrow.error();
  if (!*wrow) return no_watch(watch_id);
  Chart chart;
  chart.currency = w->text(1);
  const auto last_check = w->optional_int64(0);
  if (!last_check) return chart;
  // Nothing is known past the last check.
  const std::int64_t end_ms = std::min(to_ms, *last_check);
  if (end_ms < from_ms) return chart;
  const std::int64_t first_day = floor_day(from_ms);
  const std::int64_t last_day = floor_day(end_ms);

  // Rows the chart uses: the check could tell, and the price (if any) is in the chart's currency.
  constexpr const char* kUsable = " AND can_tell = 1 AND (price IS NULL OR currency = ?3)";
  auto carry = db_.prepare(std::string("SELECT price FROM observations WHERE watch_id = ?1 AND at < ?2") +
                               kUsable + " ORDER BY at DESC LIMIT 1",
                           "chart: price before the range");
  if (!carry.ok()) return carry.error();
  auto crow = carry->bind(1, watch_id).bind(2, first_day * kDayMs).bind(3, std::string_view(chart.currency)).step();
  if (!crow.ok()) return crow.error();
  bool known = *crow;
  std::optional<std::int64_t> price = known ? carry->optional_int64(0) : std::nullopt;

  auto rows = db_.prepare(
      std::string("SELECT at, price FROM observations WHERE watch_id = ?1 AND at >= ?2 AND at < ?4") +
          kUsable + " ORDER BY at",
      "chart: prices in the range");
  if (!rows.ok()) return rows.error();
  rows->bind(1, watch_id)
      .bind(2, first_day * kDayMs)
      .bind(3, std::string_view(chart.currency))
      .bind(4, (last_day + 1) * kDayMs);
  auto have = rows->step();
  if (!have.ok()) return have.error();

  for (std::int64_t d = first_day; d <= last_day; ++d) {
    const std::int64_t day_end = (d + 1) * kDayMs;
    ChartDay day{d * kDayMs, price, price, price};
    bool any = known;
    while (*have && rows->int64(0) < day_end) {
      known = any = true;
      price = rows->optional_int64(1);
      if (price) {
        day.min = day.min ? std::min(*day.min, *price) : *price;
        day.max = day.max ? std::max(*day.max, *price) : *price;
      }
      have = rows->step();
      if (!have.ok()) return have.error();
    }
    day.last = price;
    if (any) chart.days.push_back(day);
  }
  return chart;
}

Result<Alert> Store::add_alert(const Alert& alert) {
  auto tx = db_.begin();
  if (!tx.ok()) return tx.error();
  auto stored = add_alert_tx(alert);
  if (!stored.ok()) return stored.error();
  if (auto c = tx->commit(); !c.ok()) return c.error();
  return stored;
}

Result<Alert> Store::add_alert_tx(const Alert& alert) {
  const auto bad_kind = [](const std::string& k) {
    return invalid("alert kind must be one of below_target, drop, restock, all_time_low, price_increase, cant_tell (got '" +
                   k.substr(0, 32) + "')");
  };
  if (!one_of(alert.kind, kAlertKinds)) return bad_kind(alert.kind);
  for (const auto& k : alert.kinds)
    if (!one_of(k, kAlertKinds)) return bad_kind(k);
  if (auto v = validate_text(alert.message, kMaxAlertMessageBytes, "alert message", true); !v.ok())
    return v.error();
  if (auto p = validate_price(alert.price, alert.currency, "alert price"); !p.ok()) return p.error();
  if (alert.at < 0) return invalid("alert time 'at' must not be negative");
  Alert stored = alert;
  if (!stored.price) stored.currency.clear();
  stored.acknowledged = false;
  if (stored.kinds.empty()) stored.kinds = {stored.kind};
  std::string kinds;
  for (const auto& k : stored.kinds) kinds += (kinds.empty() ? "" : ",") + k;

  auto exists = variant_of_watch(alert.watch_id);
  if (!exists.ok()) return exists.error();
  if (!*exists) return no_watch(alert.watch_id);
  auto ins = db_.prepare(
      "INSERT INTO alerts (watch_id, kind, message, price, currency, at, acknowledged, kinds)"
      " VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
      "add alert");
  if (!ins.ok()) return ins.error();
  if (auto r = ins->bind(1, stored.watch_id)
                   .bind(2, std::string_view(stored.kind))
                   .bind(3, std::string_view(stored.message))
                   .bind(4, stored.price)
                   .bind(5, std::string_view(stored.currency))
                   .bind(6, stored.at)
                   .bind(7, std::string_view(kinds))
                   .run();
      !r.ok())
    return r.error();
  stored.id = db_.last_insert_id();
  return stored;
}

Result<MonitorState> Store::monitor_state(std::int64_t watch_id) {
  auto sel = db_.prepare(
      "SELECT m.rules, m.etag, m.last_modified, m.next_check_at, m.failures, m.last_error, w.id"
      " FROM watches w LEFT JOIN monitor_state m ON m.watch_id = w.id WHERE w.id = ?",
      "read monitor state");
  if (!sel.ok()) return sel.error();
  auto row = sel->bind(1, watch_id).step();
  if (!row.ok()) return row.error();
  if (!*row) return no_watch(watch_id);
  return read_monitor_state(*sel);
}

Result<std::vector<std::pair<std::int64_t, MonitorState>>> Store::monitor_states() {
  auto sel = db_.prepare(
      "SELECT rules, etag, last_modified, next_check_at, failures, last_error, watch_id"
      " FROM monitor_state ORDER BY watch_id",
      "read monitor states");
  if (!sel.ok()) return sel.error();
  std::vector<std::pair<std::int64_t, MonitorState>> out;
  for (;;) {
    auto row = sel->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.emplace_back(sel->int64(6), read_monitor_state(*sel));
  }
  return out;
}

Status Store::set_monitor_state(std::int64_t watch_id, const MonitorState& state) {
  auto tx = db_.begin();
  if (!tx.ok()) return tx.error();
  if (auto r = set_monitor_state_tx(watch_id, state); !r.ok()) return r;
  return tx->commit();
}

Status Store::set_monitor_state_tx(std::int64_t watch_id, const MonitorState& state) {
  if (state.rules.size() > kMaxMonitorRulesBytes)
    return invalid("monitor rules state is " + std::to_string(state.rules.size()) + " bytes; at most " +
                   std::to_string(kMaxMonitorRulesBytes));
  for (const auto* v : {&state.etag, &state.last_modified})
    if (*v && v->value().size() > kMaxValidatorBytes)
      return invalid("a page validator (ETag or Last-Modified) is longer than " +
                     std::to_string(kMaxValidatorBytes) + " bytes");
  if (state.failures < 0) return invalid("monitor failures must not be negative");
  if (state.next_check_at && *state.next_check_at < 0) return invalid("next_check_at must not be negative");
  std::optional<std::string> last_error = state.last_error;
  if (last_error && last_error->size() > kMaxLastErrorBytes) last_error = utf8::prefix(*last_error, kMaxLastErrorBytes);
  auto exists = variant_of_watch(watch_id);
  if (!exists.ok()) return exists.error();
  if (!*exists) return no_watch(watch_id);
  auto up = db_.prepare(
      "INSERT INTO monitor_state (watch_id, rules, etag, last_modified, next_check_at, failures, last_error)"
      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (watch_id) DO UPDATE SET rules = ?2, etag = ?3,"
      " last_modified = ?4, next_check_at = ?5, failures = ?6, last_error = ?7",
      "write monitor state");
  if (!up.ok()) return up.error();
  return up->bind(1, watch_id)
      .bind(2, std::string_view(state.rules))
      .bind(3, state.etag)
      .bind(4, state.last_modified)
      .bind(5, state.next_check_at)
      .bind(6, std::int64_t{state.failures})
      .bind(7, last_error)
      .run();
}

Result<CheckStored> Store::record_check(std::int64_t watch_id, const CheckRecord& check) {
  auto tx = db_.begin();
  if (!tx.ok()) return tx.error();
  CheckStored out;
  auto recorded = record_observation_tx(watch_id, check.observation);
  if (!recorded.ok()) return recorded.error();
  out.recorded = std::move(*recorded);
  if (check.title && !check.title->empty()) {
    const std::string title = utf8::prefix(*check.title, kMaxTitleBytes);
    if (auto r = set_title_tx(watch_id, title); !r.ok()) return r.error();
  }
  if (auto r = set_monitor_state_tx(watch_id, check.state); !r.ok()) return r.error();
  if (check.alert) {
    Alert a = *check.alert;
    a.watch_id = watch_id;
    auto stored = add_alert_tx(a);
    if (!stored.ok()) return stored.error();
    out.alert = std::move(*stored);
  }
  if (auto c = tx->commit(); !c.ok()) return c.error();
  return out;
}

Result<std::vector<Alert>> Store::list_alerts(bool unacknowledged_only, std::size_t limit) {
  auto sel = db_.prepare(std::string("SELECT id, watch_id, kind, message, price, currency, at, acknowledged,"
                                     " kinds FROM alerts") +
                             (unacknowledged_only ? " WHERE acknowledged = 0" : "") +
                             " ORDER BY at DESC, id DESC LIMIT ?",
                         "list alerts");
  if (!sel.ok()) return sel.error();
  sel->bind(1, static_cast<std::int64_t>(std::min<std::size_t>(limit, kMaxAlertsListed)));
  std::vector<Alert> out;
  for (;;) {
    auto row = sel->step();
    if (!row.ok()) return row.error();
    if (!*row) break;
    out.push_back(read_alert(*sel));
  }
  return out;
}

Status Store::acknowledge_alert(std::int64_t id) {
  auto up = db_.prepare("UPDATE alerts SET acknowledged = 1 WHERE id = ?", "acknowledge alert");
  if (!up.ok()) return up.error();
  if (auto r = up->bind(1, id).run(); !r.ok()) return r;
  if (db_.changes() == 0) return make_error("not_found", "no alert with id " + std::to_string(id));
  return Unit{};
}

Result<std::optional<std::string>> Store::get_setting(std::string_view key) {
  if (auto v = validate_text(key, kMaxSettingKeyBytes, "setting key", false); !v.ok()) return v.error();
  auto sel = db_.prepare("SELECT value FROM settings WHERE key = ?", "get setting");
  if (!sel.ok()) return sel.error();
  auto row = sel->bind(1, key).step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(sel->text(0));
}

Status Store::set_setting(std::string_view key, std::string_view value) {
  if (auto v = validate_text(key, kMaxSettingKeyBytes, "setting key", false); !v.ok()) return v;
  if (auto v = validate_text(value, kMaxSettingValueBytes, "setting value", true); !v.ok()) return v;
  auto tx = write_tx();
  if (!tx.ok()) return tx.error();
  auto up = db_.prepare(
      "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      "set setting");
  if (!up.ok()) return up.error();
  if (auto r = up->bind(1, key).bind(2, value).run(); !r.ok()) return r;
  if (key.substr(0, 6) != "local.")
    if (auto n = note_change_tx("settings", key); !n.ok()) return n;
  return tx->commit();
}

// ---- imported offers and the wallet ----

Result<std::int64_t> Store::replace_offers(const std::vector<RetailerOffers>& retailers) {
  std::vector<std::string_view> names;
  names.reserve(retailers.size());
  for (std::size_t i = 0; i < retailers.size(); ++i) {
    const RetailerOffers& r = retailers[i];
    const std::string field = "retailers[" + std::to_string(i) + "]";
    if (auto v = validate_text(r.retailer, kMaxRetailerBytes, field + ".retailer", false); !v.ok()) return v.error();
    if (r.rules)
      if (auto v = validate_text(*r.rules, kMaxOfferJsonBytes, field + ".rules", false); !v.ok()) return v.error();
    for (std::size_t k = 0; k < r.offers.size(); ++k)
      if (auto v = validate_text(r.offers[k], kMaxOfferJsonBytes, field + ".offers[" + std::to_string(k) + "]", false);
          !v.ok())
        return v.error();
    names.push_back(r.retailer);
  }
  std::sort(names.begin(), names.end());
  if (auto dup = std::adjacent_find(names.begin(), names.end()); dup != names.end())
    return invalid("retailer '" + std::string(*dup) + "' is listed twice");

  auto tx = db_.begin();
  if (!tx.ok()) return tx.error();
  if (auto r = db_.exec("DELETE FROM offers; DELETE FROM offer_retailers;", "remove imported offers"); !r.ok())
    return r.error();
  auto add_retailer = db_.prepare("INSERT INTO offer_retailers (retailer, rules) VALUES (?, ?)", "import retailer");
  if (!add_retailer.ok()) return add_retailer.error();
  auto add_offer = db_.prepare("INSERT INTO offers (retailer, position, offer) VALUES (?, ?, ?)", "import offer");
  if (!add_offer.ok()) return add_offer.error();
  for (const RetailerOffers& r : retailers) {
    add_retailer->reset();
    if (auto done = add_retailer->bind(1, std::string_view(r.retailer)).bind(2, r.rules).run(); !done.ok())
      return done.error();
    for (std::size_t k = 0; k < r.offers.size(); ++k) {
      add_offer->reset();
      if (auto done = add_offer->bind(1, std::string_view(r.retailer))
                          .bind(2, static_cast<std::int64_t>(k))
                          .bind(3, std::string_view(r.offers[k]))
                          .run();
          !done.ok())
        return done.error();
    }
  }
  const std::int64_t now = clock_();
  auto stamp = db_.prepare(
      "INSERT INTO offer_feed (id, imported_at) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET imported_at = ?1",
      "stamp the import");
  if (!stamp.ok()) return stamp.error();
  if (auto done = stamp->bind(1, now).run(); !done.ok()) return done.error();
  if (auto c = tx->commit(); !c.ok()) return c.error();
  return now;
}

Result<std::optional<RetailerOffers>> Store::retailer_offers(std::string_view retailer) {
  auto sel = db_.prepare("SELECT rules FROM offer_retailers WHERE retailer = ?", "find retailer");
  if (!sel.ok()) return sel.error();
  auto row = sel->bind(1, retailer).step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<RetailerOffers>();
  RetailerOffers out;
  out.retailer = std::string(retailer);
  out.rules = sel->optional_text(0);
  auto offers = db_.prepare("SELECT offer FROM offers WHERE retailer = ? ORDER BY position", "read offers");
  if (!offers.ok()) return offers.error();
  offers->bind(1, retailer);
  for (;;) {
    auto next = offers->step();
    if (!next.ok()) return next.error();
    if (!*next) break;
    out.offers.push_back(offers->text(0));
  }
  return std::optional<RetailerOffers>(std::move(out));
}

Result<std::optional<std::int64_t>> Store::offers_imported_at() {
  auto feed = db_.prepare("SELECT imported_at FROM offer_feed WHERE id = 1", "read import time");
  if (!feed.ok()) return feed.error();
  auto row = feed->step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(feed->int64(0));
}

Result<OfferSummary> Store::offer_summary() {
  OfferSummary out;
  auto at = offers_imported_at();
  if (!at.ok()) return at.error();
  out.imported_at = *at;
  auto sel = db_.prepare(
      "SELECT r.retailer, (SELECT count(*) FROM offers o WHERE o.retailer = r.retailer)"
      " FROM offer_retailers r ORDER BY r.retailer",
      "count offers");
  if (!sel.ok()) return sel.error();
  for (;;) {
    auto next = sel->step();
    if (!next.ok()) return next.error();
    if (!*next) break;
    out.retailers.emplace_back(sel->text(0), sel->int64(1));
  }
  return out;
}

Result<std::optional<std::string>> Store::wallet() {
  auto sel = db_.prepare("SELECT wallet FROM wallet WHERE id = 1", "read wallet");
  if (!sel.ok()) return sel.error();
  auto row = sel->step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(sel->text(0));
}

Status Store::set_wallet(std::string_view json) {
  if (auto v = validate_text(json, kMaxWalletJsonBytes, "wallet", false); !v.ok()) return v;
  auto tx = write_tx();
  if (!tx.ok()) return tx.error();
  auto up = db_.prepare(
      "INSERT INTO wallet (id, wallet, updated_at) VALUES (1, ?1, ?2)"
      " ON CONFLICT (id) DO UPDATE SET wallet = ?1, updated_at = ?2",
      "write wallet");
  if (!up.ok()) return up.error();
  if (auto r = up->bind(1, json).bind(2, clock_()).run(); !r.ok()) return r;
  if (auto n = note_change_tx("wallet", ""); !n.ok()) return n;
  return tx->commit();
}

// ---- sync ----

std::string watch_sync_key(std::string_view url, const std::optional<std::string>& variant) {
  std::string key(url);
  key += '\n';
  if (variant) key += *variant;
  return key;
}

Result<std::optional<Watch>> Store::find_watch(std::string_view url, const std::optional<std::string>& variant) {
  auto sel = db_.prepare(std::string(kWatchSelect) + " WHERE p.url = ?1 AND v.name = ?2", "find watch by url");
  if (!sel.ok()) return sel.error();
  auto row = sel->bind(1, url).bind(2, std::string_view(variant ? *variant : std::string())).step();
  if (!row.ok()) return row.error();
  if (!*row) return std::optional<Watch>();
  return std::optional<Watch>(read_watch(*sel));
}

Result<Store::WriteTx> Store::write_tx() {
  if (remote_) return WriteTx{};
  auto tx = db_.begin();
  if (!tx.ok()) return tx.error();
  WriteTx out;
  out.tx.emplace(std::move(*tx));
  return out;
}

Status Store::note_change_tx(std::string_view kind, std::string_view key) {
  if (remote_) return Unit{};
  auto up = db_.prepare(
      "INSERT INTO sync_outbox (kind, key, at, gen) VALUES (?1, ?2, ?3, 0)"
      " ON CONFLICT (kind, key) DO UPDATE SET at = excluded.at, gen = gen + 1",
      "note change for sync");
  if (!up.ok()) return up.error();
  return up->bind(1, kind).bind(2, key).bind(3, clock_()).run();
}

Status Store::apply_remote(const std::function<Status()>& body) {
  if (remote_) return make_error("db_error", "apply_remote: already applying remote changes");
  auto tx = db_.begin();
  if (!tx.ok()) return tx.error();
  remote_ = true;
  Status result = Unit{};
  try {
    result = body();
  } catch (...) {
    remote_ = false;
    return make_error("db_error", "apply_remote: the changes failed with an exception");
  }
  remote_ = false;
  if (!result.ok()) return result;
  return tx->commit();
}

}  // namespace dealstack::store
