// The CLI's side of the agent socket: one request, one reply, the way the native-messaging
// host talks to the agent (big-endian length-prefixed JSON frames on the per-user Unix
// socket; the agent is started detached when nobody answers). Events pushed on the same
// connection are skipped; the agent never chunks on the socket.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "platform/paths.hpp"
#include "protocol/message.hpp"

namespace dealstack::cli {

struct AgentCall {
  // The whole call: starting the agent if needed, sending, and waiting for the reply, in
  // milliseconds. Default: 10000. A watch check fetches a page, so callers give it longer.
  int timeout_ms = 10000;
  // The program started as `PROGRAM agent` when no agent answers. Default: this program.
  std::string program = "/proc/self/exe";
};

// Sends {"id", "method", "params"} to the agent and returns the reply's "result".
// Errors: the reply's own {"code", "message"} when the agent refused (e.g. "not_found",
// "invalid_params", "unknown_method"); "agent_unavailable" when the agent can't be started,
// went away or didn't answer in time; "invalid_reply" when it answered with something that
// isn't a reply to this request; "invalid_utf8" (before anything is sent) when a string in
// `params` is not UTF-8; "frame_too_large" when the request is over the frame cap.
// Writes to a closed socket give an error, never SIGPIPE (nothing process-wide is changed).
Result<protocol::Json> call_agent(const platform::Paths& paths, std::string_view method,
                                  const protocol::Json& params, const AgentCall& how = {});

// Shorthand with just the timeout, in milliseconds.
Result<protocol::Json> call_agent(const platform::Paths& paths, std::string_view method,
                                  const protocol::Json& params, int timeout_ms);

}  // namespace dealstack::cli
