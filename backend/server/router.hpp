// From method and path to the endpoint (api/api.hpp), after the per-address rate limit
// (and, for registration and login, the stricter per-address one).
#pragma once

#include "api/api.hpp"

namespace dealstack::backend::server {

// Unknown paths answer 404 "not_found"; a known path with another method 405
// "method_not_allowed" naming the allowed ones.
void route(ServerState& state, const api::Request& req, const api::Reply& reply);

}  // namespace dealstack::backend::server
