#include "server/router.hpp"

namespace dealstack::backend::server {

using api::error_response;

namespace {

api::Response not_allowed(const api::Request& req, const char* allowed) {
  return error_response("method_not_allowed",
                        req.method + " is not allowed on " + req.path + "; use " + allowed);
}

api::Response limited(std::int64_t wait, const char* what) {
  api::Response r = error_response("rate_limited", std::string(what) + "; retry after " + std::to_string(wait) + " s");
  r.retry_after = wait;
  return r;
}

// The {name} after `prefix`, or none when the path is not prefix + one non-empty segment.
std::optional<std::string_view> segment(std::string_view path, std::string_view prefix) {
  if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view rest = path.substr(prefix.size());
  if (rest.find('/') != std::string_view::npos) return std::nullopt;
  return rest;
}

}  // namespace

void route(ServerState& state, const api::Request& req, const api::Reply& reply) {
  if (const auto wait = state.per_address.take(req.addr); wait > 0)
    return reply(limited(wait, "too many requests from this address"));

  const std::string_view path = req.path;
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";

  if (path == "/v1/health") return get ? api::health(state, req, reply) : reply(not_allowed(req, "GET"));
  if (path == "/v1/accounts" || path == "/v1/sessions") {
    if (!post) return reply(not_allowed(req, "POST"));
    if (const auto wait = state.auth_per_address.take(req.addr); wait > 0)
      return reply(limited(wait, "too many registrations or logins from this address"));
    return path == "/v1/accounts" ? api::create_account(state, req, reply) : api::create_session(state, req, reply);
  }
  if (path == "/v1/sessions/current")
    return req.method == "DELETE" ? api::delete_session(state, req, reply) : reply(not_allowed(req, "DELETE"));
  if (path == "/v1/sync") return post ? api::sync(state, req, reply) : reply(not_allowed(req, "POST"));
  if (path == "/v1/offers") return get ? api::offers(state, req, "", reply) : reply(not_allowed(req, "GET"));
  if (const auto r = segment(path, "/v1/offers/"))
    return get ? api::offers(state, req, *r, reply) : reply(not_allowed(req, "GET"));
  if (path == "/v1/rules") return get ? api::rules_index(state, req, reply) : reply(not_allowed(req, "GET"));
  if (const auto r = segment(path, "/v1/rules/"))
    return get ? api::rules_pack(state, req, *r, reply) : reply(not_allowed(req, "GET"));
  reply(error_response("not_found", "no such endpoint: " + std::string(path.substr(0, 200))));
}

}  // namespace dealstack::backend::server
