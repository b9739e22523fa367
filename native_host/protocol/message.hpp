// Requests, replies and events as JSON values:
//   request  {"id": <string or integer>, "method": "<name>", "params": {...}}  (params optional)
//   reply    {"id": <same>, "result": {...}}  or  {"id": <same>, "error": {"code", "message"}}
//   event    {"event": "<name>", "data": {...}}
// and chunks, for replies over the browsers' 1 MiB limit (see split_for_browser).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace dealstack::protocol {

using Json = nlohmann::json;

struct Request {
  Json id;  // a string or an integer, echoed in the reply
  std::string method;
  Json params = Json::object();
};

// Errors: "invalid_json", "invalid_request" (the message names what is missing or wrong).
// When the text is JSON with a usable id but is otherwise not a request, `id_out` gets the
// id so the error reply can carry it.
Result<Request> parse_request(std::string_view text, Json* id_out = nullptr);

std::string reply_text(const Json& id, const Json& result);
std::string error_text(const Json& id, const Error& error);
std::string event_text(std::string_view name, const Json& data);

// A message as it goes to the browser: itself when it fits in `limit` bytes, else chunks
//   {"chunk": {"id": <the reply's id or null>, "index": i, "count": n, "data": "<part>"}}
// each under `limit` once framed, whose data strings concatenated give the message text back
// (parts end on UTF-8 character boundaries).
std::vector<std::string> split_for_browser(const std::string& message, std::size_t limit);

}  // namespace dealstack::protocol
