// Desktop notifications off the caller's thread: the agent's event loop posts and moves on,
// one worker thread sends them in order with send_notification (send.hpp). The queue is
// bounded so a missing or hung notification server costs memory for at most `queue_cap`
// notifications; beyond that posts are dropped and counted.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "core/result.hpp"
#include "notify/notification.hpp"
#include "notify/send.hpp"

namespace dealstack::notify {

struct NotifierOptions {
  NotifyOptions send;           // bus, per-notification time limit, app name, limits
  std::size_t queue_cap = 16;   // notifications waiting to be sent, at most. Default: 16
};

struct NotifierStats {
  std::uint64_t posted = 0;     // accepted into the queue
  std::uint64_t sent = 0;       // the server gave an id
  std::uint64_t failed = 0;     // send_notification returned an error
  std::uint64_t dropped = 0;    // refused by post(): queue full, or after stop()
  std::uint64_t abandoned = 0;  // still queued (or being sent) when stop() was called
  std::optional<Error> last_error;  // of the most recent failed send
};

class Notifier {
 public:
  explicit Notifier(NotifierOptions options = {});
  ~Notifier();  // stop()
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  // Queues `n` and returns at once (it never waits for D-Bus: the lock it takes is never held
  // while sending). False when it was dropped: the queue holds queue_cap already, or stop()
  // has been called.
  bool post(Notification n);

  // Stops taking posts, abandons what is queued, cancels a send in flight (within about
  // 50 ms) and joins the worker. Safe to call more than once.
  void stop();

  NotifierStats stats() const;

 private:
  void run();

  const NotifierOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Notification> queue_;
  NotifierStats stats_;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};
  std::thread worker_;
};

}  // namespace dealstack::notify
