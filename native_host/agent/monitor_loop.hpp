// The agent's monitor loop: the scheduler (monitor/scheduler.hpp) driven by a timer on the
// agent's io_context, each due watch fetched with the asynchronous HTTP client, read and
// stored as one check (monitor/check.hpp), alerts handed to the agent. Single-threaded: every
// call and callback runs on the io_context's thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/result.hpp"
#include "http/client.hpp"
#include "monitor/check.hpp"
#include "monitor/scheduler.hpp"
#include "store/store.hpp"

namespace dealstack::agent {

struct MonitorOptions {
  monitor::SchedulerOptions schedule;  // per-host gap, global rate, backoff, jitter
  http::ClientOptions client;          // timeouts, limits, extra CA file
  std::size_t max_in_flight = 8;       // checks running at once (each on another host), >= 1
  // The extraction rule pack's text for a page's host (monitor::ReadOptions::rules_for_host).
  // Default (unset): the packs sync stored after verifying their signatures, looked up in
  // the loop's store (sync::rule_pack_for_host); a lookup that fails means no pack.
  std::function<std::optional<std::string>(const std::string& host)> rules_for_host;
};

struct MonitorHooks {
  // After every stored check (the watch's last_check_at, title or state changed).
  std::function<void(const monitor::CheckDone&)> checked;
  // A check raised an alert (already stored).
  std::function<void(const store::Alert&, const store::Watch&)> alert;
};

class MonitorLoop {
 public:
  using CheckCallback = std::function<void(Result<monitor::CheckDone>)>;

  MonitorLoop(boost::asio::io_context& io, store::Store& store, MonitorOptions options, MonitorHooks hooks);
  ~MonitorLoop();
  MonitorLoop(const MonitorLoop&) = delete;
  MonitorLoop& operator=(const MonitorLoop&) = delete;

  // Schedules every active watch in the store, each at its stored next check (at once for a
  // watch never checked). Errors: the store's, "invalid_scheduler_options".
  Status start();

  // A watch was added or edited (or paused: then it is no longer checked).
  Status watch_changed(const store::Watch& watch);
  void watch_removed(std::int64_t id);

  // Checks the watch as soon as its host allows (ahead of every scheduled check) and calls
  // `done` once that check is stored, or failed. Paused watches are checked too. Errors
  // (through `done`, at once): "not_found"; "shop_busy" when the shop asked us to wait
  // (Retry-After) for more than a minute: the watch is then checked first once it may be.
  void check_now(std::int64_t id, CheckCallback done);

  // Cancels the timer; checks in flight finish without being stored, and their check_now
  // callers are told "agent_stopping" at once. (Destroying the loop calls no callbacks.)
  void stop();

  std::size_t scheduled() const;
  std::size_t in_flight() const { return in_flight_; }

 private:
  void pump();
  void start_check(std::int64_t id, std::int64_t now);
  void finish_check(std::int64_t id, const Result<http::Response>& response, std::int64_t started_at);
  void arm_timer(std::int64_t now);
  void fail_waiters(std::int64_t id, const Error& error);

  boost::asio::io_context& io_;
  store::Store& store_;
  MonitorOptions options_;
  MonitorHooks hooks_;
  std::optional<monitor::Scheduler> scheduler_;
  boost::asio::steady_timer timer_;
  std::size_t in_flight_ = 0;
  bool stopped_ = false;
  std::map<std::int64_t, std::vector<CheckCallback>> waiters_;  // check_now callers by watch
  std::set<std::int64_t> paused_manual_;  // paused watches scheduled only for a check_now
  std::shared_ptr<bool> alive_;  // guards callbacks that outlive the loop
  monitor::RulePackCache rule_cache_;  // packs parsed once, however many checks use them
};

// The host a watch's checks are counted against (host, plus the port when not the default).
std::string schedule_host(const std::string& url);

}  // namespace dealstack::agent
