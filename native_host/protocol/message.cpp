#include "protocol/message.hpp"

#include "protocol/wire.hpp"
#include "text/utf8.hpp"

namespace dealstack::protocol {

namespace {
bool usable_id(const Json& id) {
  return id.is_string() || id.is_number_integer() || id.is_number_unsigned();
}
}  // namespace

Result<Request> parse_request(std::string_view text, Json* id_out) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return make_error(error::invalid_json, "the message is not valid JSON");
  if (!j.is_object()) return make_error(error::invalid_request, "the message must be a JSON object");
  auto id = j.find("id");
  if (id == j.end()) return make_error(error::invalid_request, "id: missing");
  if (!usable_id(*id)) return make_error(error::invalid_request, "id: must be a string or an integer");
  if (id_out != nullptr) *id_out = *id;
  if (id->is_string() && id->get_ref<const std::string&>().size() > 256)
    return make_error(error::invalid_request, "id: longer than 256 characters");
  auto method = j.find("method");
  if (method == j.end() || !method->is_string())
    return make_error(error::invalid_request, "method: missing or not a string");
  Request r;
  r.id = *id;
  r.method = method->get<std::string>();
  auto params = j.find("params");
  if (params != j.end() && !params->is_null()) {
    if (!params->is_object()) return make_error(error::invalid_params, "params: must be an object");
    r.params = std::move(*params);
  }
  return r;
}

namespace {
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }
}  // namespace

std::string reply_text(const Json& id, const Json& result) {
  return dump(Json{{"id", id}, {"result", result}});
}

std::string error_text(const Json& id, const Error& e) {
  return dump(Json{{"id", id}, {"error", {{"code", e.code}, {"message", e.message}}}});
}

std::string event_text(std::string_view name, const Json& data) {
  return dump(Json{{"event", std::string(name)}, {"data", data}});
}

std::vector<std::string> split_for_browser(const std::string& message, std::size_t limit) {
  if (message.size() + 4 <= limit) return {message};
  Json id = nullptr;
  {
    Json j = Json::parse(message, nullptr, false);
    if (j.is_object() && j.contains("id")) id = j["id"];
  }
  // Room for the envelope; escaping can grow a byte to six ("\u0001"), so parts are cut by
  // their escaped size.
  const std::size_t envelope = 128 + dump(id).size();
  const std::size_t budget = limit > envelope + 64 ? limit - envelope : 64;
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at < message.size()) {
    std::size_t end = at, escaped = 0;
    while (end < message.size()) {
      const unsigned char c = static_cast<unsigned char>(message[end]);
      std::size_t next = end;
      utf8::next(message, next);  // whole characters only
      const std::size_t len = next - end;
      const std::size_t cost = c < 0x20 ? 6 : (c == '"' || c == '\\') ? 2 : len;
      if (escaped + cost > budget) break;
      escaped += cost;
      end += len;
    }
    parts.push_back(message.substr(at, end - at));
    at = end;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < parts.size(); ++i)
    out.push_back(dump(Json{{"chunk", {{"id", id}, {"index", i}, {"count", parts.size()}, {"data", parts[i]}}}}));
  return out;
}

}  // namespace dealstack::protocol
