// vault.set: store (or replace) a secret. Params: id, kind, label (optional, default ""),
// secret. Result: {"entry": metadata}; the secret is write-only (no method reads it back).
// Errors: invalid_params (named field), vault_not_initialized, vault_locked,
// keyring_unavailable, db_*.
#include "actions/actions.hpp"
#include "actions/vault_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_vault_set(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::vault_set, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    // The secret first, so its copy in params is wiped whatever else is wrong.
    auto secret = take_secret(params, "secret", vault::kMaxSecretBytes);
    if (!secret) return secret.error();
    auto v = need_vault(s.vault);
    if (!v) return v.error();
    protocol::Params p(params);
    auto id = p.string("id", vault::kMaxIdBytes);
    if (!id) return id.error();
    auto kind = p.string("kind", 64);
    if (!kind) return kind.error();
    auto label = p.optional_string("label", vault::kMaxLabelBytes);
    if (!label) return label.error();
    if (auto ok = vault::validate_id(*id); !ok) return make_error(protocol::error::invalid_params, "id: " + ok.error().message);
    if (auto ok = vault::validate_kind(*kind); !ok)
      return make_error(protocol::error::invalid_params, "kind: " + ok.error().message);
    if (auto ok = vault::validate_label(label->value_or("")); !ok)
      return make_error(protocol::error::invalid_params, "label: " + ok.error().message);
    if (auto ok = (*v)->set(*id, *kind, label->value_or(""), *secret); !ok) {
      Error e = vault_error(ok.error());
      if (e.code == protocol::error::invalid_params) e.message = "secret: " + e.message;
      return e;
    }
    auto info = (*v)->info(*id);
    if (!info) return vault_error(info.error());
    return protocol::Json{{"entry", to_json(*info)}};
  });
}

}  // namespace dealstack::actions
