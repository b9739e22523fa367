// vault.init (CLI only): create the vault. Params: protection "keyring" | "passphrase",
// passphrase (for "passphrase"). Result: the vault.status object (unlocked).
// Errors: vault_exists, keyring_unavailable, invalid_params, db_*.
#include "actions/actions.hpp"
#include "actions/vault_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_vault_init(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::vault_init, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    auto passphrase = take_optional_secret(params, "passphrase", vault::kMaxPassphraseBytes);
    if (!passphrase) return passphrase.error();
    auto v = need_vault(s.vault);
    if (!v) return v.error();
    auto protection = protocol::Params(params).string("protection", 32);
    if (!protection) return protection.error();
    vault::Protection p;
    if (*protection == "keyring") {
      p = vault::Protection::keyring;
    } else if (*protection == "passphrase") {
      p = vault::Protection::passphrase;
      if (!*passphrase) return make_error(protocol::error::invalid_params, "passphrase: missing");
    } else {
      return make_error(protocol::error::invalid_params, "protection: must be \"keyring\" or \"passphrase\"");
    }
    const crypto::SecretBytes none;
    if (auto ok = (*v)->init(p, *passphrase ? **passphrase : none); !ok) return vault_error(ok.error());
    auto status = (*v)->status();
    if (!status) return vault_error(status.error());
    return to_json(*status);
  });
}

}  // namespace dealstack::actions
