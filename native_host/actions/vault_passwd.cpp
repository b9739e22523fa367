// vault.passwd (CLI only): change the passphrase. Params: old, new. The data key is
// re-wrapped (fresh salt); entries are untouched. Result: the vault.status object.
// Errors: wrong_passphrase, vault_not_initialized, invalid_params (also for a keyring vault).
#include "actions/actions.hpp"
#include "actions/vault_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_vault_passwd(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::vault_passwd, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    auto old_pass = take_secret(params, "old", vault::kMaxPassphraseBytes);
    auto new_pass = take_secret(params, "new", vault::kMaxPassphraseBytes);
    if (!old_pass) return old_pass.error();
    if (!new_pass) return new_pass.error();
    auto v = need_vault(s.vault);
    if (!v) return v.error();
    if (auto ok = (*v)->change_passphrase(*old_pass, *new_pass); !ok) return vault_error(ok.error());
    auto status = (*v)->status();
    if (!status) return vault_error(status.error());
    return to_json(*status);
  });
}

}  // namespace dealstack::actions
