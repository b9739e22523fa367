// One TLS connection: handshake, then requests one after another (keep-alive), each read
// within deadlines and size limits, routed, answered, and logged as one line.
//
// Deadlines (Config): the TLS handshake and the first request's headers within
// header_timeout_ms of connecting; a later request's headers within idle_timeout_ms of the
// previous answer; a body within body_timeout_ms of its headers; an answer's write within
// body_timeout_ms. A client that trickles bytes (slowloris) is cut at the deadline, whatever
// it sends. Headers over max_header_bytes or a body over max_body_bytes get 413 and the
// connection is closed (after the rest of the body is drained for a moment, so the client
// reads the 413 instead of a reset).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "server/state.hpp"

namespace dealstack::backend::server {

// Starts serving an accepted connection (the session keeps itself alive).
void start_session(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls, ServerState& state);

}  // namespace dealstack::backend::server
