#include "log/request_log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>

namespace dealstack::backend::log {

namespace {
std::mutex g_mutex;
std::atomic<bool> g_requests{true};

// One write per line (stderr is unbuffered): a line is never split between threads.
void write_line(std::string line) {
  line.push_back('\n');
  std::lock_guard lock(g_mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
}
}  // namespace

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void set_request_logging(bool on) { g_requests = on; }

std::string_view path_of(std::string_view target) {
  const auto cut = target.find_first_of("?#");
  if (cut != std::string_view::npos) target = target.substr(0, cut);
  return target.substr(0, 200);
}

void request(const RequestLine& l) {
  if (!g_requests) return;
  nlohmann::json j = {{"ts", now_ms()}, {"level", l.status >= 500 ? "error" : "info"}, {"event", "request"},
                      {"method", std::string(l.method)}, {"path", std::string(path_of(l.path))},
                      {"status", l.status}, {"ms", static_cast<double>(static_cast<std::int64_t>(l.ms * 100)) / 100},
                      {"bytes", l.bytes}, {"addr", std::string(l.addr)}};
  j["account"] = l.account ? nlohmann::json(*l.account) : nlohmann::json(nullptr);
  if (!l.error.empty()) j["error"] = std::string(l.error);
  write_line(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void event(std::string_view level, std::string_view name, nlohmann::json fields) {
  nlohmann::json j = {{"ts", now_ms()}, {"level", std::string(level)}, {"event", std::string(name)}};
  if (fields.is_object())
    for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
  write_line(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace dealstack::backend::log
