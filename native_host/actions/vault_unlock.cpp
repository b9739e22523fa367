// vault.unlock (CLI only): load the data key. Params: passphrase (a passphrase vault; a
// keyring vault fetches its key and needs none). Result: the vault.status object.
// Errors: vault_not_initialized, wrong_passphrase, keyring_unavailable, decrypt_failed,
// invalid_params.
#include "actions/actions.hpp"
#include "actions/vault_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_vault_unlock(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::vault_unlock, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    auto passphrase = take_optional_secret(params, "passphrase", vault::kMaxPassphraseBytes);
    if (!passphrase) return passphrase.error();
    auto v = need_vault(s.vault);
    if (!v) return v.error();
    if ((*v)->initialized() && (*v)->protection() == vault::Protection::passphrase && !*passphrase)
      return make_error(protocol::error::invalid_params, "passphrase: missing");
    const crypto::SecretBytes none;
    if (auto ok = (*v)->unlock(*passphrase ? **passphrase : none); !ok) return vault_error(ok.error());
    if (s.vault_unlocked) s.vault_unlocked();
    auto status = (*v)->status();
    if (!status) return vault_error(status.error());
    return to_json(*status);
  });
}

}  // namespace dealstack::actions
