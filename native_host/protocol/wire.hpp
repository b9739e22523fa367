// Every name on the wire, in one place: the protocol version, the methods, the events and
// the error codes. docs/protocol.md documents each one (and a test sends its examples
// through the real program). Codes are append-only: a published one never changes meaning.
#pragma once

namespace dealstack::protocol {

// Bumped when a change would break an existing extension.
inline constexpr int kProtocolVersion = 1;

namespace method {
inline constexpr const char* hello = "hello";
inline constexpr const char* watch_add = "watch.add";
inline constexpr const char* watch_list = "watch.list";
inline constexpr const char* watch_remove = "watch.remove";
inline constexpr const char* watch_check = "watch.check";
inline constexpr const char* watch_update = "watch.update";
inline constexpr const char* history = "history";
inline constexpr const char* alerts_list = "alerts.list";
inline constexpr const char* alerts_ack = "alerts.ack";
inline constexpr const char* offers_import = "offers.import";
inline constexpr const char* offers_get = "offers.get";
inline constexpr const char* offers_list = "offers.list";
inline constexpr const char* wallet_get = "wallet.get";
inline constexpr const char* wallet_set = "wallet.set";
// The vault (docs/vault.md): names and metadata only; a secret goes in, never out.
inline constexpr const char* vault_status = "vault.status";
inline constexpr const char* vault_list = "vault.list";
inline constexpr const char* vault_set = "vault.set";
inline constexpr const char* vault_delete = "vault.delete";
inline constexpr const char* vault_lock = "vault.lock";
// CLI only (they carry a passphrase or password): the host refuses them from a browser.
inline constexpr const char* vault_init = "vault.init";
inline constexpr const char* vault_unlock = "vault.unlock";
inline constexpr const char* vault_passwd = "vault.passwd";
// Sync (docs/sync.md): status and a round now for everyone; login and logout CLI only.
inline constexpr const char* sync_status = "sync.status";
inline constexpr const char* sync_now = "sync.now";
inline constexpr const char* sync_login = "sync.login";
inline constexpr const char* sync_logout = "sync.logout";
}  // namespace method

// Methods only the CLI may call (they carry passphrases or passwords typed by the shopper):
// the native-messaging host answers them from a browser with error::not_allowed.
inline constexpr const char* kCliOnlyMethods[] = {method::vault_init, method::vault_unlock, method::vault_passwd,
                                                 method::sync_login, method::sync_logout};

namespace event {
inline constexpr const char* alert = "alert";
inline constexpr const char* watch_updated = "watch.updated";
// After offers.import: {"imported_at": ms, "retailers": [names]}. Clients drop the offers
// they cached (the extension caches them per retailer).
inline constexpr const char* offers_updated = "offers.updated";
// The sync.status object, whenever the state changes or a round completes.
inline constexpr const char* sync_updated = "sync.updated";
}  // namespace event

namespace error {
// The message itself.
inline constexpr const char* invalid_json = "invalid_json";          // not JSON
inline constexpr const char* invalid_request = "invalid_request";    // JSON, not a request
inline constexpr const char* unknown_method = "unknown_method";
inline constexpr const char* invalid_params = "invalid_params";      // names the field
// Transport.
inline constexpr const char* frame_too_large = "frame_too_large";
inline constexpr const char* agent_unavailable = "agent_unavailable";
inline constexpr const char* origin_not_allowed = "origin_not_allowed";
// The work.
inline constexpr const char* not_found = "not_found";
inline constexpr const char* already_watched = "already_watched";  // from the store
inline constexpr const char* check_failed = "check_failed";        // from monitor/check
inline constexpr const char* shop_busy = "shop_busy";              // from agent/monitor_loop
inline constexpr const char* agent_stopping = "agent_stopping";
inline constexpr const char* internal_error = "internal_error";
// The vault (native_host/vault/).
inline constexpr const char* not_allowed = "not_allowed";  // a CLI-only method from a browser
inline constexpr const char* vault_not_initialized = "vault_not_initialized";
inline constexpr const char* vault_locked = "vault_locked";
inline constexpr const char* vault_exists = "vault_exists";
inline constexpr const char* wrong_passphrase = "wrong_passphrase";
inline constexpr const char* keyring_unavailable = "keyring_unavailable";
inline constexpr const char* decrypt_failed = "decrypt_failed";
// Sync (native_host/sync/).
inline constexpr const char* not_logged_in = "not_logged_in";
}  // namespace error

}  // namespace dealstack::protocol
