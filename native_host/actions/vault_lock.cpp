// vault.lock: drop the data key from memory now (until vault.unlock). Params: none.
// Result: {"locked": true}. Errors: vault_not_initialized.
#include "actions/actions.hpp"
#include "actions/vault_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_vault_lock(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::vault_lock, [&s](const protocol::Json&) -> Result<protocol::Json> {
    auto v = need_vault(s.vault);
    if (!v) return v.error();
    if (!(*v)->initialized())
      return make_error(protocol::error::vault_not_initialized, "there is no vault yet (dealstack vault init)");
    (*v)->lock();
    return protocol::Json{{"locked", true}};
  });
}

}  // namespace dealstack::actions
