// A small fixed pool of threads for the password hashes (scrypt at N = 2^17 takes ~0.3 s and
// 128 MiB each): at most `threads` run at once, so registrations and logins can neither starve
// the I/O threads nor exhaust memory, and at most `max_queued` wait; beyond that submit()
// refuses and the caller answers 503 "unavailable".
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dealstack::backend::accounts {

class HashPool {
 public:
  // threads: how many hashes run at once (default 2); max_queued: jobs waiting (default 64).
  explicit HashPool(std::size_t threads = 2, std::size_t max_queued = 64);
  ~HashPool();  // finishes the running jobs, drops the queued ones
  HashPool(const HashPool&) = delete;
  HashPool& operator=(const HashPool&) = delete;

  // False when the queue is full or the pool is stopping: the job was not taken.
  bool submit(std::function<void()> job);
  void stop();

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  std::size_t max_queued_;
  bool stopping_ = false;
};

}  // namespace dealstack::backend::accounts
