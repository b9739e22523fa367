// One file per protocol method; each registers its handler with the dispatcher. The
// services a handler needs come in through Services (null where not running yet).
#pragma once

#include <functional>

#include "protocol/dispatcher.hpp"

namespace dealstack::actions {

struct Services {
  // Pushes an event to every connected client (the agent's connections).
  std::function<void(const char* name, const protocol::Json& data)> publish;
};

void add_hello(protocol::Dispatcher& d, Services& s);

// Every method the agent serves.
inline void add_all(protocol::Dispatcher& d, Services& s) { add_hello(d, s); }

}  // namespace dealstack::actions
