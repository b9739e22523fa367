// wallet.get: the shopper's wallet (actions/wallet_json.hpp), the defaults until
// wallet.set was called. No params.
#include "actions/actions.hpp"
#include "actions/wallet_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_wallet_get(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::wallet_get, [&s](const protocol::Json&) -> Result<protocol::Json> {
    auto stored = s.store->wallet();
    if (!stored) return stored.error();
    if (!*stored) return default_wallet();
    protocol::Json j = protocol::Json::parse(**stored, nullptr, false);
    if (j.is_discarded()) return make_error(protocol::error::internal_error, "wallet.get: the stored wallet is not JSON");
    return j;
  });
}

}  // namespace dealstack::actions
