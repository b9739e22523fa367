// sync.login (CLI only: it carries the account's password): derive the account's keys from
// the password (docs/sync.md, "Keys"), register the account when asked, open a session on
// the server, keep the token and the sync key in the vault, queue every local thing and
// start a round. Params: server (https URL; default agent.json "sync": {"server"}), email,
// password, register (default false), device (a label the server keeps; default
// "dealstack agent"). Result: the sync.status object. The password is wiped once the keys
// are derived; it never reaches the server. Errors: invalid_params, not_logged_in (no
// server), vault_not_initialized, vault_locked, the HTTP client's, the server's
// (invalid_credentials, email_taken, rate_limited...).
#include "actions/actions.hpp"
#include "actions/vault_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

inline constexpr std::size_t kMaxPasswordBytes = 1024;

void add_sync_login(protocol::Dispatcher& d, Services& s) {
  d.add_async(protocol::method::sync_login, [&s](const protocol::Json& params, protocol::Respond respond) {
    // The password first, so it is wiped from params whatever else is wrong.
    auto password = take_secret(params, "password", kMaxPasswordBytes);
    if (!password) return respond(password.error());
    if (!s.sync) return respond(make_error(protocol::error::internal_error, "sync.login: the agent runs without sync"));
    protocol::Params p(params);
    auto server = p.optional_string("server", 2048);
    if (!server) return respond(server.error());
    auto email = p.string("email", 254);
    if (!email) return respond(email.error());
    auto reg = p.boolean("register", false);
    if (!reg) return respond(reg.error());
    auto device = p.optional_string("device", 100);
    if (!device) return respond(device.error());
    sync::LoginRequest req;
    req.server = *server;
    req.email = *email;
    req.password = std::move(*password);
    req.register_account = *reg;
    req.device = device->value_or("");
    s.sync->login(std::move(req), std::move(respond));
  });
}

}  // namespace dealstack::actions
