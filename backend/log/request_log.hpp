// Structured logs: one JSON object per line on stderr, written whole under a mutex so lines
// from different threads never interleave. Request lines carry only what is listed here:
// never a header, query string, token, password, auth_key or blob.
//
//   {"ts":1714000000000,"level":"info","event":"request","method":"POST","path":"/v1/sync",
//    "status":200,"ms":1.25,"bytes":512,"addr":"127.0.0.1","account":7}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace dealstack::backend::log {

std::int64_t now_ms();  // wall clock, unix ms

// Turns request lines off (the bench, or an operator who wants only events). Default on.
void set_request_logging(bool on);

struct RequestLine {
  std::string_view method;
  std::string_view path;  // the target without its query string
  int status = 0;
  double ms = 0;             // from the request's headers read to the response written
  std::uint64_t bytes = 0;   // response body bytes
  std::string_view addr;     // the client's address
  std::optional<std::int64_t> account;
  std::string_view error;    // the error code of an error response, if any
};
void request(const RequestLine& line);

// Any other event: level "info", "warn" or "error"; fields are added to the line.
void event(std::string_view level, std::string_view name, nlohmann::json fields = nlohmann::json::object());

// The path part of a request target, cut at '?' or '#', at most 200 bytes, so a query string
// (which could carry anything) never reaches the log.
std::string_view path_of(std::string_view target);

}  // namespace dealstack::backend::log
