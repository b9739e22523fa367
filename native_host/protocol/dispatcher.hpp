// Routes a request to the handler of its method (one file per method in actions/). A
// handler returns its result or an error value; the dispatcher turns either into the reply
// text, and anything a handler throws into "internal_error" (never a dead host).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "protocol/message.hpp"

namespace dealstack::protocol {

using Handler = std::function<Result<Json>(const Json& params)>;
// A handler that answers later (a price check waits for the shop): it calls `respond`
// exactly once, on the thread that runs the agent's event loop.
using Respond = std::function<void(Result<Json>)>;
using AsyncHandler = std::function<void(const Json& params, Respond respond)>;

class Dispatcher {
 public:
  void add(std::string method, Handler handler);
  void add_async(std::string method, AsyncHandler handler) { handlers_[std::move(method)] = std::move(handler); }
  bool has(const std::string& method) const { return handlers_.count(method) != 0; }

  // Handles one request text: `send` gets the reply text exactly once, at once for a
  // synchronous method, when the work is done for an asynchronous one (an error reply when
  // it isn't a request; id null when none could be read).
  void dispatch(std::string_view request_text, std::function<void(std::string)> send) const;

  // The reply text, for methods that answer at once (an asynchronous one that hasn't
  // answered by the time its handler returns gives internal_error).
  std::string handle(std::string_view request_text) const;

 private:
  std::map<std::string, AsyncHandler, std::less<>> handlers_;
};

// Reads params: typed getters that produce "invalid_params" errors naming the field.
class Params {
 public:
  explicit Params(const Json& j) : j_(j) {}
  Result<std::string> string(const char* name, std::size_t max_len = 4096) const;
  Result<std::optional<std::string>> optional_string(const char* name, std::size_t max_len = 4096) const;
  Result<std::int64_t> integer(const char* name, std::int64_t lo, std::int64_t hi) const;
  Result<std::optional<std::int64_t>> optional_integer(const char* name, std::int64_t lo, std::int64_t hi) const;
  Result<bool> boolean(const char* name, bool fallback) const;

 private:
  const Json& j_;
};

}  // namespace dealstack::protocol
