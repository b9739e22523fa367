#include "sync/service.hpp"

#include <algorithm>
#include <random>

#include <boost/asio/post.hpp>

#include "http/url.hpp"
#include "sync/keys.hpp"

namespace dealstack::sync {

namespace asio = boost::asio;
using Done = std::function<void(Result<protocol::Json>)>;

namespace {

bool auth_code(const std::string& code) {
  return code == "token_expired" || code == "token_revoked" || code == "unauthorized";
}

// The server's {"error":{"code","message"}}, or a code made from the status.
Error server_error(const http::Response& r) {
  const Json j = Json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const Json& e = j["error"];
    if (e.contains("code") && e["code"].is_string()) {
      std::string message = e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
      return Error{e["code"].get<std::string>().substr(0, 64), "the sync server: " + message.substr(0, 300)};
    }
  }
  return make_error(r.status >= 500 ? "server_error" : "invalid_response",
                    "the sync server answered HTTP " + std::to_string(r.status));
}

// "https://host:port" without a trailing slash. Errors: invalid_params.
Result<std::string> normalize_server(const std::string& text) {
  auto url = http::parse_url(text);
  if (!url) return make_error("invalid_params", "server: " + url.error().message);
  if (!url->https()) return make_error("invalid_params", "server: must be an https:// URL (tokens never go in the clear)");
  std::string base = url->scheme + "://" + url->authority() + url->path();
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

}  // namespace

struct Service::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io_, store::Store& store_, vault::Vault& vault_, ServiceOptions opt_, Hooks hooks_)
      : io(io_), store(store_), vault(vault_), opt(std::move(opt_)), hooks(std::move(hooks_)), timer(io_),
        rng(std::random_device{}()) {
    if (!opt.clock) opt.clock = store::system_clock_ms;
  }

  asio::io_context& io;
  store::Store& store;
  vault::Vault& vault;
  ServiceOptions opt;
  Hooks hooks;
  asio::steady_timer timer;
  std::mt19937_64 rng;

  std::string state = "off";
  std::optional<Error> last_error;
  std::optional<std::int64_t> next_attempt_at;  // unix ms of the armed timer
  int failures = 0;                             // in a row, for the backoff
  bool in_round = false;
  bool again = false;       // a change (or sync_now) came during the round
  std::uint64_t epoch = 0;  // bumped by login, logout, stop: late answers are dropped
  bool stopped = false;
  std::vector<Done> waiters;        // sync_now callers for the next round
  std::vector<Done> round_waiters;  // ... for the running one
  std::optional<Session> session;
  std::string server;               // of the running round
  crypto::SecretBytes token;        // of the running round
  int steps = 0;

  std::int64_t now() const { return opt.clock(); }

  void publish() {
    if (!hooks.publish) return;
    auto s = status();
    if (s) hooks.publish(*s);
  }
  void set_state(const std::string& s) {
    if (state == s) return;
    state = s;
    publish();
  }

  Result<protocol::Json> status() {
    auto st = load_state(store);
    if (!st) return st.error();
    auto pending = pending_count(store);
    if (!pending) return pending.error();
    auto records = record_count(store);
    if (!records) return records.error();
    std::int64_t rules = 0;
    if (hooks.rule_count) {
      rules = hooks.rule_count();
    } else {
      auto q = store.database().prepare("SELECT count(*) FROM sync_rule_packs", "count rule packs");
      if (!q) return q.error();
      auto row = q->step();
      if (!row) return row.error();
      rules = q->int64(0);
    }
    auto opt_str = [](const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); };
    auto opt_int = [](const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); };
    return Json{{"state", state},
                {"server", opt_str(st->server)},
                {"email", opt_str(st->email)},
                {"last_sync_at", opt_int(st->last_sync_at)},
                {"next_attempt_at", opt_int(next_attempt_at)},
                {"pending", *pending},
                {"records", *records},
                {"last_error", last_error ? Json{{"code", last_error->code}, {"message", last_error->message}} : Json(nullptr)},
                {"offers_synced_at", opt_int(st->offers_synced_at)},
                {"rules", rules}};
  }

  void answer(std::vector<Done>& list) {
    if (list.empty()) return;
    auto moved = std::move(list);
    list.clear();
    auto s = status();
    for (auto& d : moved) d(s ? Result<protocol::Json>(*s) : Result<protocol::Json>(s.error()));
  }

  void schedule(std::int64_t delay_ms) {
    delay_ms = std::max<std::int64_t>(0, delay_ms);
    next_attempt_at = now() + delay_ms;
    timer.expires_after(std::chrono::milliseconds(delay_ms));
    std::weak_ptr<Impl> weak = weak_from_this();
    const auto e = epoch;
    timer.async_wait([weak, e](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->epoch != e || self->stopped) return;
      self->next_attempt_at.reset();
      self->begin_round();
    });
  }
  void cancel_timer() {
    timer.cancel();
    next_attempt_at.reset();
  }

  // Remembers an error that stops syncing until login, across restarts too.
  void stop_with(Error e) {
    end_round();
    cancel_timer();
    if (auto st = load_state(store)) {
      st->error_code = e.code;
      st->error_message = e.message;
      (void)save_state(store, *st);
    }
    last_error = std::move(e);
    state = "";  // force the event
    set_state("error");
    answer(round_waiters);
    answer(waiters);
  }

  void end_round() {
    in_round = false;
    session.reset();
    token = crypto::SecretBytes();
  }

  void back_off(Error e, std::optional<std::int64_t> retry_after_s) {
    end_round();
    ++failures;
    std::int64_t delay = opt.min_backoff_ms;
    for (int i = 1; i < failures && delay < opt.max_backoff_ms; ++i) delay *= 2;
    delay = std::min(delay, opt.max_backoff_ms);
    // Jitter: somewhere in [delay/2, delay], so many agents don't come back at once.
    delay = std::uniform_int_distribution<std::int64_t>(delay / 2, delay)(rng);
    if (retry_after_s) delay = std::max(delay, std::min(*retry_after_s * 1000, opt.max_retry_after_ms));
    last_error = std::move(e);
    schedule(delay);
    state = "";
    set_state("backing_off");
    answer(round_waiters);
    answer(waiters);
  }

  void begin_round() {
    if (stopped) return;
    if (in_round) {
      again = true;
      return;
    }
    again = false;
    cancel_timer();
    auto st = load_state(store);
    if (!st) return back_off(st.error(), std::nullopt);
    if (!st->server || !st->email) {
      set_state("off");
      answer(waiters);
      return;
    }
    auto tok = vault.get(kTokenEntry);
    if (!tok) {
      if (tok.error().code == "vault_locked") {
        last_error = make_error("vault_locked", "the vault is locked: sync waits for dealstack vault unlock");
        state = "";
        set_state("vault_locked");
        answer(waiters);
        return;
      }
      return stop_with(make_error(tok.error().code, "the sync token can't be read from the vault (" +
                                                        tok.error().message + "): log in again (dealstack sync login)"));
    }
    auto key = vault.get(kSyncKeyEntry);
    if (!key) {
      if (key.error().code == "vault_locked") return vault_unlocked_later();
      return stop_with(make_error(key.error().code, "the sync key can't be read from the vault (" +
                                                        key.error().message + "): log in again (dealstack sync login)"));
    }
    auto s = Session::make(store, *key, st->device, opt.clock);
    if (!s) return back_off(s.error(), std::nullopt);
    session.emplace(std::move(*s));
    token = std::move(*tok);
    server = *st->server;
    in_round = true;
    steps = 0;
    round_waiters = std::move(waiters);
    waiters.clear();
    set_state("syncing");
    step();
  }

  void vault_unlocked_later() {
    last_error = make_error("vault_locked", "the vault is locked: sync waits for dealstack vault unlock");
    state = "";
    set_state("vault_locked");
    answer(waiters);
  }

  void step() {
    auto body = session->next_request();
    if (!body) return back_off(body.error(), std::nullopt);
    http::Request req;
    req.url = server + "/v1/sync";
    req.method = "POST";
    req.headers["Authorization"] = "Bearer " + std::string(token.view());
    req.headers["Content-Type"] = "application/json";
    req.body = body->dump(-1, ' ', false, Json::error_handler_t::replace);
    ++steps;
    std::weak_ptr<Impl> weak = weak_from_this();
    const auto e = epoch;
    http::async_fetch(io, std::move(req), opt.client, [weak, e](Result<http::Response> r) {
      auto self = weak.lock();
      if (!self || self->epoch != e || self->stopped || !self->in_round) return;
      self->on_answer(std::move(r));
    });
  }

  void on_answer(Result<http::Response> r) {
    if (!r) return back_off(r.error(), std::nullopt);
    const http::Response& res = *r;
    if (res.status == 401) {
      Error e = server_error(res);
      if (!auth_code(e.code)) e.code = "unauthorized";
      return stop_with(std::move(e));
    }
    if (res.status != 200) return back_off(server_error(res), res.retry_after_seconds);
    const Json j = Json::parse(res.body, nullptr, false);
    if (j.is_discarded()) return back_off(make_error("invalid_response", "the sync server's answer is not JSON"), std::nullopt);
    auto applied = session->apply_response(j);
    if (!applied) return back_off(applied.error(), std::nullopt);
    if (hooks.applied && !applied->changes.empty()) hooks.applied(applied->changes);
    auto pending = pending_count(store);
    if (!pending) return back_off(pending.error(), std::nullopt);
    const bool more = applied->more || (*pending > 0 && applied->pushed > 0);
    if (more && steps < kMaxStepsPerRound) return step();
    round_done();
  }

  void round_done() {
    failures = 0;
    last_error.reset();
    if (auto st = load_state(store)) {
      st->last_sync_at = now();
      st->error_code.reset();
      st->error_message.reset();
      (void)save_state(store, *st);
    }
    if (!hooks.after_round) return finish_round();
    std::weak_ptr<Impl> weak = weak_from_this();
    const auto e = epoch;
    hooks.after_round(server, [weak, e] {
      auto self = weak.lock();
      if (!self || self->epoch != e || self->stopped || !self->in_round) return;
      self->finish_round();
    });
  }

  void finish_round() {
    end_round();
    state = "";  // a completed round is always published
    set_state("idle");
    answer(round_waiters);
    // A change made during the round's last request: its row is still in the outbox.
    if (auto pending = pending_count(store); pending && *pending > 0) again = true;
    if (again || !waiters.empty()) {
      again = false;
      if (!waiters.empty()) return begin_round();
      schedule(opt.debounce_ms);
    } else {
      schedule(opt.interval_ms);
    }
  }

  void changed() {
    if (stopped) return;
    if (in_round) {
      again = true;
      return;
    }
    if (state != "idle") return;  // backing off, stopped on an error, locked, off
    const std::int64_t due = now() + opt.debounce_ms;
    if (!next_attempt_at || *next_attempt_at > due) schedule(opt.debounce_ms);
  }

  // --- login / logout ---

  void post_json(const std::string& url, const Json& body, std::optional<std::string> bearer,
                 std::function<void(Result<http::Response>)> then, const std::string& method = "POST") {
    http::Request req;
    req.url = url;
    req.method = method;
    if (method != "DELETE") {
      req.headers["Content-Type"] = "application/json";
      req.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    if (bearer) req.headers["Authorization"] = "Bearer " + *bearer;
    std::weak_ptr<Impl> weak = weak_from_this();
    http::async_fetch(io, std::move(req), opt.client, [weak, then = std::move(then)](Result<http::Response> r) {
      if (auto self = weak.lock(); self && !self->stopped) then(std::move(r));
    });
  }

  void login(LoginRequest req, Done done) {
    std::optional<std::string> given = req.server ? req.server : opt.server;
    if (!given) return done(make_error("not_logged_in", "no sync server: pass one (--server) or set agent.json \"sync\": {\"server\"}"));
    auto base = normalize_server(*given);
    if (!base) return done(base.error());
    std::string email = normalize_email(req.email);
    if (email.empty() || email.size() > 254 || email.find('@') == std::string::npos)
      return done(make_error("invalid_params", "email: must be an email address (1..254 bytes with an @)"));
    if (req.password.empty()) return done(make_error("invalid_params", "password: is empty"));
    if (!vault.initialized())
      return done(make_error("vault_not_initialized", "sync keeps its token in the vault: create it first (dealstack vault init)"));
    if (!vault.unlocked())
      return done(make_error("vault_locked", "sync keeps its token in the vault: unlock it first (dealstack vault unlock)"));
    auto keys = derive_account_keys(req.password.view(), email, opt.scrypt);
    req.password = crypto::SecretBytes();  // wiped
    if (!keys) return done(keys.error());
    auto shared_keys = std::make_shared<AccountKeys>(std::move(*keys));
    std::string auth = crypto::base64url_encode(shared_keys->auth_key.view());
    const std::string device = req.device.empty() ? "dealstack agent" : req.device;
    auto self = shared_from_this();

    auto open_session = [self, base = *base, email, device, shared_keys, done]() {
      std::string auth_b64 = crypto::base64url_encode(shared_keys->auth_key.view());
      Json body{{"email", email}, {"auth_key", auth_b64}, {"device", device}};
      crypto::wipe(auth_b64);
      self->post_json(base + "/v1/sessions", body, std::nullopt, [self, base, email, shared_keys, done](Result<http::Response> r) {
        if (!r) return done(r.error());
        if (r->status != 201) return done(server_error(*r));
        const Json j = Json::parse(r->body, nullptr, false);
        if (!j.is_object() || !j.contains("token") || !j["token"].is_string() || j["token"].get<std::string>().empty())
          return done(make_error("invalid_response", "the sync server's session answer has no token"));
        crypto::SecretBytes tok(j["token"].get<std::string>());
        self->finish_login(base, email, tok, *shared_keys, done);
      });
    };
    if (!req.register_account) {
      crypto::wipe(auth);
      return open_session();
    }
    Json body{{"email", email}, {"auth_key", auth}};
    crypto::wipe(auth);
    post_json(*base + "/v1/accounts", body, std::nullopt, [open_session, done](Result<http::Response> r) {
      if (!r) return done(r.error());
      if (r->status != 201) return done(server_error(*r));
      open_session();
    });
  }

  void finish_login(const std::string& base, const std::string& email, const crypto::SecretBytes& tok,
                    const AccountKeys& keys, const Done& done) {
    const std::string label = email + " at " + base;
    if (auto ok = vault.set(kTokenEntry, vault::kKindAccountToken, label.substr(0, vault::kMaxLabelBytes), tok); !ok)
      return done(ok.error());
    if (auto ok = vault.set(kSyncKeyEntry, vault::kKindSyncKey, label.substr(0, vault::kMaxLabelBytes), keys.sync_key); !ok)
      return done(ok.error());
    auto st = load_state(store);
    if (!st) return done(st.error());
    // Another account's records and cursor mean nothing to this one.
    if (st->server != base || st->email != email) {
      if (auto ok = forget_account(store); !ok) return done(ok.error());
      st = load_state(store);
      if (!st) return done(st.error());
    }
    st->server = base;
    st->email = email;
    st->error_code.reset();
    st->error_message.reset();
    if (auto ok = save_state(store, *st); !ok) return done(ok.error());
    if (auto ok = enqueue_everything(store); !ok) return done(ok.error());
    // A round of the old session is dropped; the new one starts now.
    ++epoch;
    end_round();
    cancel_timer();
    failures = 0;
    last_error.reset();
    state = "";
    set_state("idle");
    auto s = status();
    done(s ? Result<protocol::Json>(*s) : Result<protocol::Json>(s.error()));
    schedule(0);
  }

  void logout(Done done) {
    ++epoch;
    end_round();
    cancel_timer();
    auto st = load_state(store);
    if (!st) return done(st.error());
    auto self = shared_from_this();
    auto finish = [self, done]() {
      (void)self->vault.remove(kTokenEntry);
      (void)self->vault.remove(kSyncKeyEntry);
      if (auto ok = forget_account(self->store); !ok) return done(ok.error());
      ++self->epoch;
      self->failures = 0;
      self->last_error.reset();
      self->state = "";
      self->set_state("off");
      self->answer(self->round_waiters);
      self->answer(self->waiters);
      auto s = self->status();
      done(s ? Result<protocol::Json>(*s) : Result<protocol::Json>(s.error()));
    };
    auto tok = st->server ? vault.get(kTokenEntry) : Result<crypto::SecretBytes>(make_error("not_found", "no token"));
    if (!tok) return finish();  // nothing to revoke we can read: the token expires on its own
    std::string bearer(tok->view());
    post_json(*st->server + "/v1/sessions/current", Json(), bearer, [finish](Result<http::Response>) { finish(); },
              "DELETE");
    crypto::wipe(bearer);
  }
};

Service::Service(asio::io_context& io, store::Store& store, vault::Vault& vault, ServiceOptions options, Hooks hooks)
    : impl_(std::make_shared<Impl>(io, store, vault, std::move(options), std::move(hooks))) {}

Service::~Service() { stop(); }

void Service::start() {
  auto st = load_state(impl_->store);
  if (!st || !st->server) {
    impl_->state = "off";
    return;
  }
  if (st->error_code && (auth_code(*st->error_code) || *st->error_code == "not_found" ||
                         *st->error_code == "vault_not_initialized")) {
    impl_->state = "error";
    impl_->last_error = Error{*st->error_code, st->error_message.value_or("")};
    return;
  }
  impl_->state = "idle";
  impl_->schedule(impl_->opt.debounce_ms);
}

void Service::stop() {
  impl_->stopped = true;
  ++impl_->epoch;
  impl_->cancel_timer();
  impl_->end_round();
}

void Service::changed() { impl_->changed(); }

void Service::changed_if_pending() {
  if (impl_->stopped || impl_->in_round || impl_->state != "idle") return;
  auto pending = pending_count(impl_->store);
  if (pending && *pending > 0) impl_->changed();
}

void Service::vault_unlocked() {
  if (impl_->state == "vault_locked" && !impl_->in_round) impl_->schedule(0);
}

void Service::sync_now(Done done) {
  auto st = load_state(impl_->store);
  if (!st) return done(st.error());
  if (!st->server) return done(make_error("not_logged_in", "sync is off: log in first (dealstack sync login)"));
  impl_->waiters.push_back(std::move(done));
  if (impl_->in_round) {
    impl_->again = true;
    return;
  }
  std::weak_ptr<Impl> weak = impl_;
  asio::post(impl_->io, [weak] {
    if (auto self = weak.lock(); self && !self->stopped && !self->in_round && !self->waiters.empty()) self->begin_round();
  });
}

void Service::login(LoginRequest request, Done done) { impl_->login(std::move(request), std::move(done)); }
void Service::logout(Done done) { impl_->logout(std::move(done)); }
Result<protocol::Json> Service::status() { return impl_->status(); }
const std::string& Service::state() const { return impl_->state; }

}  // namespace dealstack::sync
