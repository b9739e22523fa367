// vault.list: every entry's metadata (id, kind, label, created_at, updated_at), by id.
// Params: none. Works while locked; never a secret.
#include "actions/actions.hpp"
#include "actions/vault_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_vault_list(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::vault_list, [&s](const protocol::Json&) -> Result<protocol::Json> {
    auto v = need_vault(s.vault);
    if (!v) return v.error();
    auto entries = (*v)->list();
    if (!entries) return vault_error(entries.error());
    protocol::Json list = protocol::Json::array();
    for (const auto& e : *entries) list.push_back(to_json(e));
    return protocol::Json{{"entries", std::move(list)}};
  });
}

}  // namespace dealstack::actions
