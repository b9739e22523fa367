// The sync protocol without I/O (docs/sync.md, "Rounds"): builds the body of each
// POST /v1/sync from the outbox and the cursor, and applies the server's answer to the store.
// The service (sync/service.hpp) does the HTTP; tests drive this directly.
//
// A round: next_request() takes up to max_push outbox rows (oldest first), seals each
// thing's CURRENT local state (data null when it is gone) with modified_at = max(its outbox
// time, the last known modified_at of that record + 1), and remembers them as in flight.
// apply_response() then, in ONE transaction (Store::apply_remote: no outbox rows):
//   - "applied": the record's version is kept; the outbox row is deleted only if no newer
//     change was made while the push was in flight (its gen is unchanged).
//   - "conflict" and pulled "records": the server's content is opened and compared with the
//     local one. Same modified_at and device = our own earlier push (a crash between the
//     server applying it and us deleting the row): adopted. Otherwise the newer edit wins
//     (ties: the larger device string); the loser goes to sync_history. A winning local edit
//     stays in the outbox with the server's version as its base, and is pushed next round.
//   - the cursor moves to the server's.
// Nothing is lost at any crash point: the outbox row goes only with the transaction that
// records the server's version.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "crypto/crypto.hpp"
#include "store/store.hpp"
#include "sync/records.hpp"

namespace dealstack::sync {

inline constexpr std::size_t kMaxPushPerRound = 500;
inline constexpr std::size_t kPullLimit = 1000;
inline constexpr std::size_t kMaxHistoryRows = 10'000;  // older losers are dropped

// The sync_state row (database.cpp, version 5).
struct SyncState {
  std::optional<std::string> server;  // base URL, none = logged out
  std::optional<std::string> email;
  std::string device;                 // this agent's id, random, kept across logins
  std::int64_t cursor = 0;
  std::optional<std::int64_t> last_sync_at;
  std::optional<std::string> offers_etag;
  std::optional<std::int64_t> offers_synced_at;
  std::optional<std::string> error_code;
  std::optional<std::string> error_message;
};

// Reads the row, making it (with a fresh random device id) when missing.
Result<SyncState> load_state(store::Store& store);
Status save_state(store::Store& store, const SyncState& state);
// Rows in the outbox / records known.
Result<std::int64_t> pending_count(store::Store& store);
Result<std::int64_t> record_count(store::Store& store);
// Puts every local thing into the outbox (rows already there keep their time; new ones get
// time 0: "not edited since sync began", so a copy on the server wins over them). Used at
// login so what existed before is pushed too.
Status enqueue_everything(store::Store& store);
// Forgets the account's records and cursor (logout; the outbox stays).
Status forget_account(store::Store& store);

struct RoundResult {
  std::size_t pushed = 0;     // pushes sent in the request
  std::size_t applied = 0;    // of them, applied by the server
  std::size_t conflicts = 0;  // of them, refused because another edit came first
  std::size_t pulled = 0;     // records received
  std::size_t rejected = 0;   // records that didn't open or apply (kept out, counted)
  bool more = false;          // the server has more records after the cursor
  std::vector<Applied> changes;  // what remote records changed locally
};

class Session {
 public:
  // `sync_key`: the vault's account/sync_key; `device`: this agent's id.
  static Result<Session> make(store::Store& store, const crypto::SecretBytes& sync_key,
                              std::string device, store::Clock clock = store::system_clock_ms);

  // The JSON body of the next POST /v1/sync.
  Result<Json> next_request(std::size_t max_push = kMaxPushPerRound, std::size_t limit = kPullLimit);
  // Applies the server's 200 answer to the last request. Errors: "invalid_response" (not the
  // contract's shape), the store's (nothing applied then: the round can be repeated).
  Result<RoundResult> apply_response(const Json& response);

  const crypto::SecretBytes& id_key() const { return id_key_; }

 private:
  struct InFlight {
    std::string id, kind, key;
    std::int64_t gen = 0;
    std::int64_t base_version = 0;
    RecordContent content;
  };
  Session(store::Store& store, crypto::SecretBytes sync_key, crypto::SecretBytes id_key, std::string device,
          store::Clock clock)
      : store_(&store), sync_key_(std::move(sync_key)), id_key_(std::move(id_key)), device_(std::move(device)),
        clock_(std::move(clock)) {}

  store::Store* store_;
  crypto::SecretBytes sync_key_;
  crypto::SecretBytes id_key_;
  std::string device_;
  store::Clock clock_;
  std::vector<InFlight> in_flight_;
};

}  // namespace dealstack::sync
