// The sync loop (docs/sync.md, "States"): runs Session rounds against dealstack-server on the
// agent's event loop with http::async_fetch, and logs in and out.
//
// A round: POST {server}/v1/sync (Authorization: Bearer <vault "account/token">) with the body
// of Session::next_request, apply_response, and again while the outbox still has rows or the
// server says more=true (at most kMaxStepsPerRound requests); then the feeds (offers, rule
// packs: Hooks::after_round) and last_sync_at. Rounds start:
//   - every interval_ms (default 5 min), and soon after start;
//   - debounce_ms (default 1 s) after changed() (the agent calls it after local writes);
//   - at once on sync_now() and after login; on vault_unlocked() when waiting for the vault.
// States (sync.status "state"): off (not logged in), idle, syncing, backing_off (connect
// errors, timeouts, 5xx, 429, an answer that isn't the API's: exponential backoff with jitter
// from min_backoff_ms to max_backoff_ms, or the server's Retry-After when longer), error (401
// token_expired / token_revoked / unauthorized, or no token in the vault: stopped until
// login; kept across restarts in sync_state), vault_locked (the vault can't give the token:
// resumes on vault_unlocked()).
// Nothing is lost whatever fails: the outbox rows go only with the transaction that records
// the server's version (session.hpp); a dropped or refused request leaves them for the next
// round.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/result.hpp"
#include "crypto/crypto.hpp"
#include "http/client.hpp"
#include "store/store.hpp"
#include "sync/session.hpp"
#include "vault/vault.hpp"

namespace dealstack::sync {

inline constexpr const char* kTokenEntry = "account/token";
inline constexpr const char* kSyncKeyEntry = "account/sync_key";
inline constexpr int kMaxStepsPerRound = 200;  // requests in one round (10k records = 20)

struct ServiceOptions {
  // agent.json "sync": {"server", "ca_file", "interval_ms", "rule_keys"}.
  std::optional<std::string> server;   // default server for login (https URL); none = must be given
  std::int64_t interval_ms = 300'000;  // between rounds when nothing changes
  std::int64_t debounce_ms = 1'000;    // after changed(), before the round
  std::int64_t min_backoff_ms = 1'000; // first wait after a failure; doubles each time
  std::int64_t max_backoff_ms = 300'000;
  std::int64_t max_retry_after_ms = 3'600'000;  // a server's Retry-After is honoured up to this
  // The HTTP client's deadlines and limits; ca_file = agent.json "sync": {"ca_file"}.
  http::ClientOptions client;
  // Scrypt's cost for the account keys; the contract's default. Tests of the service only.
  crypto::ScryptParams scrypt;
  store::Clock clock = store::system_clock_ms;
};

struct LoginRequest {
  std::optional<std::string> server;  // none: ServiceOptions::server
  std::string email;
  crypto::SecretBytes password;
  bool register_account = false;
  std::string device;                 // a label for the server's session list
};

class Service {
 public:
  struct Hooks {
    // sync.updated: the status object, on every state change and completed round.
    std::function<void(const protocol::Json& status)> publish;
    // Remote changes applied to the store (the monitor learns of watches, clients of events).
    std::function<void(const std::vector<Applied>& changes)> applied;
    // The feeds' pulls (offers, rule packs) after each successful push/pull; calls done()
    // once finished. Empty = none. [FEEDS CALL SITE: the agent wires sync/feeds.hpp here.]
    std::function<void(const std::string& server, std::function<void()> done)> after_round;
    // The rule packs the agent holds (sync.status "rules"); empty = count sync_rule_packs.
    std::function<std::int64_t()> rule_count;
  };

  Service(boost::asio::io_context& io, store::Store& store, vault::Vault& vault, ServiceOptions options,
          Hooks hooks);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Reads sync_state and schedules the first round (soon) when logged in.
  void start();
  // Cancels timers and drops answers still on their way.
  void stop();

  // A local write happened: a round in debounce_ms (not while backing off or stopped).
  void changed();
  // changed() when idle and the outbox has rows: the agent calls it after every request, so
  // any method that writes (watch.add/update/remove, wallet.set, ...) starts a round.
  void changed_if_pending();
  // The vault was unlocked: resume when waiting for it.
  void vault_unlocked();
  // Runs a full round now (or after the one running) and calls done with the status after
  // it. Errors: "not_logged_in".
  void sync_now(std::function<void(Result<protocol::Json>)> done);
  // Derives the keys, registers (when asked) and opens a session on the server, keeps the
  // token and the sync key in the vault, queues every local thing and starts a round.
  // Errors: "not_logged_in" (no server given or configured), "invalid_params",
  // "vault_not_initialized", "vault_locked", the HTTP client's, and the server's codes
  // (invalid_credentials, email_taken, rate_limited...).
  void login(LoginRequest request, std::function<void(Result<protocol::Json>)> done);
  // Revokes the token on the server (best effort), deletes the vault's entries and forgets
  // the account's records and cursor (the outbox stays).
  void logout(std::function<void(Result<protocol::Json>)> done);

  // The sync.status object. Errors: the store's.
  Result<protocol::Json> status();
  const std::string& state() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace dealstack::sync
