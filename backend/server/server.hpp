// `dealstack-server serve`: binds, prints one JSON line on stdout saying where it listens,
// serves until SIGTERM or SIGINT, then stops accepting, lets the requests in flight finish
// (up to 10 s) and exits 0.
//
// First stdout line (machine-readable; tests read the port from it):
//   {"event":"listening","address":"127.0.0.1","port":8443,"ca":"/…/tls/ca.pem","data_dir":"/…"}
// ("ca" is null when the configuration names its own certificate.)
#pragma once

#include "server/config.hpp"

namespace dealstack::backend::server {

// The process exit code: 0 after a clean stop, 1 when it could not start (the reason is
// logged on stderr as {"event":"start_failed","code","message"}).
int serve(const Config& config);

}  // namespace dealstack::backend::server
