// One file per protocol method; each registers its handler with the dispatcher. The
// services a handler needs come in through Services (null where not running yet).
#pragma once

#include <cstdint>
#include <functional>

#include "monitor/check.hpp"
#include "protocol/dispatcher.hpp"
#include "store/store.hpp"
#include "sync/service.hpp"
#include "vault/vault.hpp"

namespace dealstack::actions {

struct Services {
  // Pushes an event to every connected client (the agent's connections).
  std::function<void(const char* name, const protocol::Json& data)> publish;
  store::Store* store = nullptr;  // the agent's database
  // The monitor (each empty when it isn't running): told of every watch change, and runs
  // a check on request, calling back once it is stored.
  std::function<void(const store::Watch&)> watch_changed;
  std::function<void(std::int64_t id)> watch_removed;
  std::function<void(std::int64_t id, std::function<void(Result<monitor::CheckDone>)>)> check_now;
  // The shopper's secrets (null when the agent runs without them), and who to tell when
  // vault.unlock succeeded (empty = nobody; the agent tells sync).
  vault::Vault* vault = nullptr;
  std::function<void()> vault_unlocked;
  // The sync loop (null when the agent runs without it): sync.* methods.
  sync::Service* sync = nullptr;
};

void add_hello(protocol::Dispatcher& d, Services& s);
void add_watch_add(protocol::Dispatcher& d, Services& s);
void add_watch_list(protocol::Dispatcher& d, Services& s);
void add_watch_remove(protocol::Dispatcher& d, Services& s);
void add_watch_check(protocol::Dispatcher& d, Services& s);
void add_watch_update(protocol::Dispatcher& d, Services& s);
void add_history(protocol::Dispatcher& d, Services& s);
void add_alerts_list(protocol::Dispatcher& d, Services& s);
void add_alerts_ack(protocol::Dispatcher& d, Services& s);
void add_offers_import(protocol::Dispatcher& d, Services& s);
void add_offers_get(protocol::Dispatcher& d, Services& s);
void add_offers_list(protocol::Dispatcher& d, Services& s);
void add_wallet_get(protocol::Dispatcher& d, Services& s);
void add_wallet_set(protocol::Dispatcher& d, Services& s);
void add_vault_status(protocol::Dispatcher& d, Services& s);
void add_vault_list(protocol::Dispatcher& d, Services& s);
void add_vault_set(protocol::Dispatcher& d, Services& s);
void add_vault_delete(protocol::Dispatcher& d, Services& s);
void add_vault_lock(protocol::Dispatcher& d, Services& s);
void add_vault_init(protocol::Dispatcher& d, Services& s);
void add_vault_unlock(protocol::Dispatcher& d, Services& s);
void add_vault_passwd(protocol::Dispatcher& d, Services& s);
void add_sync_status(protocol::Dispatcher& d, Services& s);
void add_sync_now(protocol::Dispatcher& d, Services& s);
void add_sync_login(protocol::Dispatcher& d, Services& s);
void add_sync_logout(protocol::Dispatcher& d, Services& s);

// Every method the agent serves.
inline void add_all(protocol::Dispatcher& d, Services& s) {
  add_hello(d, s);
  add_watch_add(d, s);
  add_watch_list(d, s);
  add_watch_remove(d, s);
  add_watch_check(d, s);
  add_watch_update(d, s);
  add_history(d, s);
  add_alerts_list(d, s);
  add_alerts_ack(d, s);
  add_offers_import(d, s);
  add_offers_get(d, s);
  add_offers_list(d, s);
  add_wallet_get(d, s);
  add_wallet_set(d, s);
  add_vault_status(d, s);
  add_vault_list(d, s);
  add_vault_set(d, s);
  add_vault_delete(d, s);
  add_vault_lock(d, s);
  add_vault_init(d, s);
  add_vault_unlock(d, s);
  add_vault_passwd(d, s);
  add_sync_status(d, s);
  add_sync_now(d, s);
  add_sync_login(d, s);
  add_sync_logout(d, s);
}

}  // namespace dealstack::actions
