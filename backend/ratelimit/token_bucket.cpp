#include "ratelimit/token_bucket.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace dealstack::backend::ratelimit {

namespace {
double refilled(double tokens, Clock::time_point last, const Limit& limit, Clock::time_point now) {
  const double seconds = std::chrono::duration<double>(now - last).count();
  return std::min(limit.burst, tokens + std::max(0.0, seconds) * limit.rate);
}
}  // namespace

std::int64_t TokenBucket::take(const Limit& limit, Clock::time_point now) {
  if (limit.rate <= 0) return 0;
  tokens_ = refilled(tokens_, last_, limit, now);
  last_ = std::max(last_, now);
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return 0;
  }
  const double wait = (1 - tokens_) / limit.rate;
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait)));
}

bool TokenBucket::full(const Limit& limit, Clock::time_point now) const {
  return refilled(tokens_, last_, limit, now) >= limit.burst;
}

std::int64_t RateLimiter::take(const std::string& key, Clock::time_point now) {
  if (limit_.rate <= 0) return 0;
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard lock(shard.mutex);
  if (shard.buckets.size() >= shard.next_sweep) {
    std::erase_if(shard.buckets, [&](const auto& kv) { return kv.second.full(limit_, now); });
    // Bounded memory before exactness: a flood of distinct keys resets this shard's buckets.
    if (shard.buckets.size() >= kMaxPerShard) shard.buckets.clear();
    shard.next_sweep = std::max(kSweepAt, shard.buckets.size() * 2);
  }
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) it = shard.buckets.emplace(key, TokenBucket(limit_, now)).first;
  return it->second.take(limit_, now);
}

std::size_t RateLimiter::size() {
  std::size_t n = 0;
  for (auto& s : shards_) {
    std::lock_guard lock(s.mutex);
    n += s.buckets.size();
  }
  return n;
}

}  // namespace dealstack::backend::ratelimit
