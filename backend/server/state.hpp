// What every request handler shares: the configuration, the rate limiters, the password-hash
// pool, counters for the listener and shutdown, and a database connection per thread.
#pragma once

#include <atomic>
#include <memory>

#include "accounts/hash_pool.hpp"
#include "core/result.hpp"
#include "db/sqlite.hpp"
#include "ratelimit/token_bucket.hpp"
#include "server/config.hpp"

namespace dealstack::backend {

class ServerState {
 public:
  explicit ServerState(Config config);
  ServerState(const ServerState&) = delete;
  ServerState& operator=(const ServerState&) = delete;

  const Config config;
  ratelimit::RateLimiter per_address;
  ratelimit::RateLimiter per_account;
  ratelimit::RateLimiter auth_per_address;
  accounts::HashPool hash_pool;

  std::atomic<int> connections{0};   // open TLS connections
  std::atomic<int> in_flight{0};     // requests read whose response is not yet written
  std::atomic<bool> stopping{false}; // SIGTERM: finish what is in flight, keep nothing alive

  // This thread's connection to the server database, opened on first use (SQLite connections
  // are per thread; WAL lets the readers run beside the one writer).
  Result<db::Db*> db();
};

}  // namespace dealstack::backend
