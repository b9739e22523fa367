// wallet.set: replace the shopper's wallet. Params: wallet (actions/wallet_json.hpp; fields
// left out take their defaults). Result: the wallet as stored. Errors: invalid_params naming
// the field ("wallet.cards[0].earn_percent: ...").
#include "actions/actions.hpp"
#include "actions/wallet_json.hpp"
#include "protocol/wire.hpp"

namespace dealstack::actions {

void add_wallet_set(protocol::Dispatcher& d, Services& s) {
  d.add(protocol::method::wallet_set, [&s](const protocol::Json& params) -> Result<protocol::Json> {
    const auto it = params.find("wallet");
    if (it == params.end() || it->is_null())
      return make_error(protocol::error::invalid_params, "wallet: is required");
    auto wallet = read_wallet(*it);
    if (!wallet) return wallet.error();
    auto stored = s.store->set_wallet(wallet->dump(-1, ' ', false, protocol::Json::error_handler_t::replace));
    if (!stored) return stored.error();
    return *wallet;
  });
}

}  // namespace dealstack::actions
