// vault.status: whether the vault exists, is locked, how it is protected, its auto-lock
// time and how many entries it holds. Params: none. Never a secret.
#include "actions/actions.hpp"
#include "actions/vault_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_vault_status(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::vault_status, [&s](const protocol::Json&) -> Result<protocol::Json> {
    auto v = need_vault(s.vault);
    if (!v) return v.error();
    auto status = (*v)->status();
    if (!status) return vault_error(status.error());
    return to_json(*status);
  });
}

}  // namespace dealstack::actions
