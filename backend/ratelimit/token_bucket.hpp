// Token buckets: `rate` tokens per second refill a bucket holding at most `burst`; a request
// takes one token or is refused with the seconds to wait (Retry-After). RateLimiter keeps one
// bucket per key (a client address, an account id) behind a mutex, sharded so threads rarely
// meet, and forgets buckets that have refilled (a full bucket is the same as none), so
// memory stays bounded by the clients active in the last burst/rate seconds.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace dealstack::backend::ratelimit {

using Clock = std::chrono::steady_clock;

struct Limit {
  double rate = 50;    // tokens per second; <= 0 disables the limit
  double burst = 200;  // bucket size (requests allowed at once)
};

class TokenBucket {
 public:
  TokenBucket() = default;
  TokenBucket(const Limit& limit, Clock::time_point now) : tokens_(limit.burst), last_(now) {}
  // 0 when a token was taken; else the whole seconds until one will be there (>= 1).
  std::int64_t take(const Limit& limit, Clock::time_point now);
  bool full(const Limit& limit, Clock::time_point now) const;

 private:
  double tokens_ = 0;
  Clock::time_point last_{};
};

class RateLimiter {
 public:
  explicit RateLimiter(Limit limit) : limit_(limit) {}
  // 0 = allowed; else Retry-After seconds.
  std::int64_t take(const std::string& key, Clock::time_point now = Clock::now());
  std::size_t size();  // buckets held (for tests)
  const Limit& limit() const { return limit_; }

 private:
  static constexpr std::size_t kShards = 16;
  static constexpr std::size_t kSweepAt = 4096;     // buckets per shard before full ones are dropped
  static constexpr std::size_t kMaxPerShard = 65536; // past this (many addresses at once) start afresh
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, TokenBucket> buckets;
    std::size_t next_sweep = kSweepAt;  // doubles with the live buckets, so sweeps stay rare
  };
  Limit limit_;
  Shard shards_[kShards];
};

}  // namespace dealstack::backend::ratelimit
