#include "notify/notifier.hpp"

#include <utility>

namespace dealstack::notify {

Notifier::Notifier(NotifierOptions options) : options_(std::move(options)) {
  worker_ = std::thread([this] { run(); });
}

Notifier::~Notifier() { stop(); }

bool Notifier::post(Notification n) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queue_.size() >= options_.queue_cap) {
      ++stats_.dropped;
      return false;
    }
    queue_.push_back(std::move(n));
    ++stats_.posted;
  }
  wake_.notify_one();
  return true;
}

void Notifier::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      stats_.abandoned += queue_.size();
      queue_.clear();
    }
  }
  cancel_.store(true);
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

NotifierStats Notifier::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void Notifier::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Notification n = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    auto result = detail::send_notification(n, options_.send, &cancel_);
    lock.lock();
    if (result) {
      ++stats_.sent;
    } else if (result.error().code == "cancelled") {
      ++stats_.abandoned;
    } else {
      ++stats_.failed;
      stats_.last_error = result.error();
    }
  }
}

}  // namespace dealstack::notify
