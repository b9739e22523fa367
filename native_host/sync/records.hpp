// What a sync record carries and how it maps onto the agent's own data (docs/sync.md,
// "Records"). Kinds and keys are those of the store's outbox (store/store.hpp):
//   "watch"    key url + "\n" + variant  data: the watch's url, variant and rules (not its
//                                          history, title or monitor state: each agent checks
//                                          prices itself)
//   "wallet"   key ""                    data: the wallet JSON (actions/wallet_json.hpp)
//   "settings" key the setting's key     data: {"value": text}
// data null = the thing was deleted.
//
// The plaintext sealed into a blob: {"kind", "key", "modified_at": ms, "device", "data"}
// (the contract's fields plus "key", so a receiver can delete what it never saw pushed).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "protocol/message.hpp"
#include "store/store.hpp"

namespace dealstack::sync {

using Json = protocol::Json;

inline constexpr std::size_t kMaxPlaintextBytes = 192 * 1024;  // under the server's 256 KiB blob cap

struct RecordContent {
  std::string kind;
  std::string key;
  std::int64_t modified_at = 0;  // unix ms of the edit
  std::string device;            // the device that made it (ties: the larger one wins)
  std::optional<Json> data;      // none = deleted
};

std::string to_plaintext(const RecordContent& c);
// Errors: "invalid_record" naming the field.
Result<RecordContent> parse_plaintext(std::string_view text);

// Whether (a) beats (b): newer modified_at, ties to the larger device string.
bool wins_over(const RecordContent& a, const RecordContent& b);

bool known_kind(std::string_view kind);

// The current local state of (kind, key): none when it doesn't exist.
Result<std::optional<Json>> read_local(store::Store& store, std::string_view kind, std::string_view key);

// What applying one record did to the agent's watches (for the monitor and events).
struct Applied {
  std::optional<store::Watch> watch_changed;
  std::optional<std::int64_t> watch_removed;
  bool wallet_changed = false;
  bool settings_changed = false;
};

// Makes the local state of (kind, key) equal `data` (none: remove it). Call inside
// Store::apply_remote (no outbox rows). Errors: "invalid_record" (data that doesn't fit the
// kind, a watch whose url/variant differ from the key), the store's ("invalid_argument"...).
Result<Applied> apply_local(store::Store& store, std::string_view kind, std::string_view key,
                            const std::optional<Json>& data);

}  // namespace dealstack::sync
