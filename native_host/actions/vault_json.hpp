// What the vault's protocol methods share: entry metadata and status as JSON (never a
// secret), secrets taken out of params (the params' own copy wiped), and the vault's
// invalid_argument reported as the protocol's invalid_params.
#pragma once

#include "crypto/crypto.hpp"
#include "protocol/dispatcher.hpp"
#include "vault/vault.hpp"

namespace dealstack::actions {

protocol::Json to_json(const vault::EntryInfo& entry);
protocol::Json to_json(const vault::VaultStatus& status);

// params[name] as a secret of 1..max_bytes bytes; the string in params is wiped (the
// dispatcher's parsed copy: the request text itself can't be reached from here). Errors:
// invalid_params naming the field (never its value).
Result<crypto::SecretBytes> take_secret(const protocol::Json& params, const char* name, std::size_t max_bytes);
// The same, none when absent or null.
Result<std::optional<crypto::SecretBytes>> take_optional_secret(const protocol::Json& params, const char* name,
                                                                std::size_t max_bytes);

// The vault's error as a reply: invalid_argument -> invalid_params; the rest as they are.
Error vault_error(Error e);
// The vault, or internal_error when the agent runs without one.
Result<vault::Vault*> need_vault(vault::Vault* v);

}  // namespace dealstack::actions
