// vault.delete: remove an entry (works while locked). Params: id. Result: {}.
// Errors: not_found, invalid_params.
#include "actions/actions.hpp"
#include "actions/vault_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_vault_delete(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::vault_delete, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    auto v = need_vault(s.vault);
    if (!v) return v.error();
    auto id = protocol::Params(params).string("id", vault::kMaxIdBytes);
    if (!id) return id.error();
    if (auto ok = (*v)->remove(*id); !ok) return vault_error(ok.error());
    return protocol::Json::object();
  });
}

}  // namespace dealstack::actions
