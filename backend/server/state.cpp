#include "server/state.hpp"

#include <optional>

namespace dealstack::backend {

ServerState::ServerState(Config c)
    : config(std::move(c)),
      per_address(config.per_address),
      per_account(config.per_account),
      auth_per_address(config.auth_per_address),
      hash_pool(static_cast<std::size_t>(config.hash_threads), 64) {}

Result<db::Db*> ServerState::db() {
  // Keyed by the state as well, so a test that runs two servers in one process gets two files.
  thread_local const ServerState* owner = nullptr;
  thread_local std::optional<db::Db> connection;
  if (owner != this || !connection) {
    connection.reset();
    auto opened = db::Db::open(config.database());
    if (!opened) return opened.error();
    connection.emplace(std::move(*opened));
    owner = this;
  }
  return &*connection;
}

}  // namespace dealstack::backend
