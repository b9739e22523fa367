// The shopper's wallet as the agent keeps it (wallet.get, wallet.set; the extension's
// `Wallet` in extension/src/shared/messages.ts):
//
//   {"cards": [{"id", "name"?, "earn_percent"?, "reward_value_percent"?}],
//    "memberships": ["<program name>"], "gift_cards": "use" | "avoid",
//    "cashback_value_percent": "100", "payment_path": "direct"}
//
// cards and payment_path are the stacking request's `wallet` (docs/stacking.md),
// cashback_value_percent its `preferences.cashback_value_percent`, and the percentages are
// checked by the stacker's own reader, so a stored wallet always makes a valid request.
// memberships name the programs whose offers (`requires_membership`) the shopper can use;
// gift_cards "avoid" leaves discounted gift cards out of every stack.
#pragma once

#include <cstddef>

#include "core/result.hpp"
#include "protocol/message.hpp"

namespace dealstack::actions {

inline constexpr std::size_t kMaxWalletCards = 50;
inline constexpr std::size_t kMaxMemberships = 100;
inline constexpr std::size_t kMaxWalletTextBytes = 200;  // a card's id or name, a membership, the payment path

// No cards, no memberships, gift cards "use", cashback worth "100" %, payment "direct".
protocol::Json default_wallet();

// Checks every field of a wallet and returns it as it is stored: every top-level field
// present (defaults for those left out or null), a card's optional fields present only when
// given, percentages as decimal strings (15 -> "15"), an empty payment_path as "direct".
// Unknown fields are refused (they would be dropped). Errors "invalid_params"; the message
// starts with the field's path ("wallet.cards[1].earn_percent: must be a percentage ...").
Result<protocol::Json> read_wallet(const protocol::Json& wallet);

}  // namespace dealstack::actions
