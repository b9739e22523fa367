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

class Dispatcher {
 public:
  void add(std::string method, Handler handler) { handlers_[std::move(method)] = std::move(handler); }
  bool has(const std::string& method) const { return handlers_.count(method) != 0; }

  // The reply text for one request text (an error reply when it isn't a request; id null
  // when none could be read).
  std::string handle(std::string_view request_text) const;

 private:
  std::map<std::string, Handler, std::less<>> handlers_;
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
