#include "protocol/dispatcher.hpp"

#include <exception>
#include <memory>
#include <optional>

#include "protocol/wire.hpp"

namespace dealstack::protocol {

void Dispatcher::add(std::string method, Handler handler) {
  handlers_[std::move(method)] = [h = std::move(handler)](const Json& params, Respond respond) {
    respond(h(params));
  };
}

void Dispatcher::dispatch(std::string_view request_text, std::function<void(std::string)> send) const {
  Json id = nullptr;
  auto req = parse_request(request_text, &id);
  if (!req) return send(error_text(id, req.error()));
  auto it = handlers_.find(req->method);
  if (it == handlers_.end())
    return send(error_text(req->id, make_error(error::unknown_method, "no method named \"" + req->method + "\"")));
  // Exactly one reply, also when a handler throws after answering or answers twice.
  auto answered = std::make_shared<bool>(false);
  auto respond = [answered, send, rid = req->id](Result<Json> r) {
    if (*answered) return;
    *answered = true;
    send(r ? reply_text(rid, *r) : error_text(rid, r.error()));
  };
  try {
    it->second(req->params, respond);
  } catch (const std::exception& e) {
    respond(make_error(error::internal_error, req->method + " failed: " + e.what()));
  }
}

std::string Dispatcher::handle(std::string_view request_text) const {
  std::optional<std::string> out;
  dispatch(request_text, [&out](std::string text) { out = std::move(text); });
  if (out) return *out;
  return error_text(nullptr, make_error(error::internal_error, "an asynchronous method needs dispatch()"));
}

namespace {
Error bad(const char* name, const std::string& what) {
  return make_error(error::invalid_params, std::string(name) + ": " + what);
}
}  // namespace

Result<std::optional<std::string>> Params::optional_string(const char* name, std::size_t max_len) const {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return std::optional<std::string>{};
  if (!it->is_string()) return bad(name, "must be a string");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_len) return bad(name, "longer than " + std::to_string(max_len) + " bytes");
  return std::optional<std::string>{s};
}

Result<std::string> Params::string(const char* name, std::size_t max_len) const {
  auto s = optional_string(name, max_len);
  if (!s) return s.error();
  if (!*s) return bad(name, "missing");
  return **s;
}

Result<std::optional<std::int64_t>> Params::optional_integer(const char* name, std::int64_t lo,
                                                             std::int64_t hi) const {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return std::optional<std::int64_t>{};
  if (!it->is_number_integer()) return bad(name, "must be an integer");
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(hi))
    return bad(name, "must be at most " + std::to_string(hi));
  const std::int64_t v = it->get<std::int64_t>();
  if (v < lo || v > hi)
    return bad(name, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return std::optional<std::int64_t>{v};
}

Result<std::int64_t> Params::integer(const char* name, std::int64_t lo, std::int64_t hi) const {
  auto v = optional_integer(name, lo, hi);
  if (!v) return v.error();
  if (!*v) return bad(name, "missing");
  return **v;
}

Result<bool> Params::boolean(const char* name, bool fallback) const {
  auto it = j_.find(name);
  if (it == j_.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return bad(name, "must be true or false");
  return it->get<bool>();
}

}  // namespace dealstack::protocol
