// The real dealstack-server for the sync tests: started by the test in a temporary data
// folder (port 0 on 127.0.0.1: it prints the port and its generated CA's path on its first
// stdout line), spoken to with the agent's own HTTPS client trusting that CA, and its admin
// commands run as the program. Stopped with SIGTERM (SIGKILL after 10 s) by the destructor.
//
// The binary is bin/dealstack-server beside DEALSTACK_BINARY: build it with
// `cmake --build BUILD --target dealstack-server` (sync_tests depends on it when the
// backend is configured).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;

namespace dealstack::sync::testing {

inline std::filesystem::path server_binary() {
  return std::filesystem::path(DEALSTACK_BINARY).parent_path() / "dealstack-server";
}

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
};

// Runs the program to completion with `args`, stdout captured, stderr into `err_file`.
inline RunResult run_program(const std::filesystem::path& program, const std::vector<std::string>& args,
                             const std::filesystem::path& err_file) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  std::vector<std::string> argv_s{program.string()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    throw std::runtime_error("cannot start " + program.string() + ": " + std::strerror(rc));
  }
  RunResult result;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    result.out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

class RealServer {
 public:
  // `dir`: an existing private folder for the config, data and logs.
  explicit RealServer(const std::filesystem::path& dir) : dir_(dir) {
    if (!std::filesystem::exists(server_binary()))
      throw std::runtime_error(server_binary().string() + " is missing: build it with --target dealstack-server");
    config_ = dir / "server.json";
    // Fast password hashes (no accounts are used here) and no rate limits in the way. No
    // rule_keys: the server then serves envelopes it can't check, which lets a test serve a
    // tampered one; the agent checks them anyway.
    nlohmann::json config = {{"listen", {{"address", "127.0.0.1"}, {"port", 0}}},
                             {"data_dir", (dir / "data").string()},
                             {"accounts", {{"scrypt_log2_n", 12}}},
                             {"log_requests", true}};
    std::ofstream(config_) << config.dump();
    log_ = dir / "server.log";

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    const std::string bin = server_binary().string();
    std::vector<std::string> argv_s{bin, "serve", "--config", config_.string()};
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      throw std::runtime_error("cannot start dealstack-server: " + std::string(std::strerror(rc)));
    }
    // The first line, within 20 s (the first start generates the CA and certificate).
    std::string out;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (out.find('\n') == std::string::npos && std::chrono::steady_clock::now() < until) {
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[1024];
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    const auto first = nlohmann::json::parse(out.substr(0, out.find('\n')), nullptr, false);
    if (first.is_discarded() || !first.is_object() || first.value("event", "") != "listening") {
      stop();
      throw std::runtime_error("dealstack-server did not start: " + out + "\n" + logs());
    }
    port_ = first["port"].get<int>();
    ca_ = first["ca"].get<std::string>();
  }
  ~RealServer() { stop(); }
  RealServer(const RealServer&) = delete;
  RealServer& operator=(const RealServer&) = delete;

  // "https://localhost:PORT" (the generated certificate names localhost and 127.0.0.1).
  std::string base_url() const { return "https://localhost:" + std::to_string(port_); }
  const std::string& ca_file() const { return ca_; }

  // `dealstack-server admin ARGS --config FILE`.
  RunResult admin(std::initializer_list<std::string> args) const {
    std::vector<std::string> a{"admin"};
    a.insert(a.end(), args.begin(), args.end());
    a.push_back("--config");
    a.push_back(config_.string());
    return run_program(server_binary(), a, dir_ / "admin.log");
  }

  std::string logs() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > until) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }

 private:
  std::filesystem::path dir_;
  std::filesystem::path config_;
  std::filesystem::path log_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string ca_;
};

}  // namespace dealstack::sync::testing
