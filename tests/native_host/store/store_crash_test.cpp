#include "store/store.hpp"

#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

using namespace dealstack;
using namespace dealstack::store;
using dealstack::store::testing::TempDir;

namespace {

constexpr std::int64_t kT0 = 1'700'000'000'000LL;
constexpr std::int64_t kRoundSpan = 1'000'000'000LL;  // ms between rounds' first observations

// The i-th check of a round: the price changes every second check, so half the checks write a
// history row and half only move last_check_at.
std::int64_t at_of(int round, std::int64_t i) { return kT0 + round * kRoundSpan + i * 1000; }
std::int64_t price_of(std::int64_t i) { return 1000 + (i / 2) % 5; }

// The child: records checks forever, writing "<i> <changed>\n" to `out` after each commit.
[[noreturn]] void record_forever(const std::filesystem::path& db, std::int64_t watch_id, int round, int out) {
  auto s = Store::open(db);
  if (!s.ok()) ::_exit(2);
  for (std::int64_t i = 0;; ++i) {
    Observation o;
    o.at = at_of(round, i);
    o.price = price_of(i);
    o.currency = "EUR";
    o.availability = "in_stock";
    auto r = s->record_observation(watch_id, o);
    if (!r.ok()) ::_exit(3);
    char line[64];
    const int n = std::snprintf(line, sizeof line, "%lld %d\n", static_cast<long long>(i), r->changed ? 1 : 0);
    if (::write(out, line, static_cast<std::size_t>(n)) != n) ::_exit(4);  // one write: never torn
  }
}

struct Reported {
  std::int64_t i = 0;
  bool changed = false;
};

}  // namespace

TEST_CASE("kill -9 while recording: the file passes integrity_check and no reported commit is lost") {
  TempDir dir;
  std::int64_t watch_id = 0;
  {
    auto s = Store::open(dir.db());
    REQUIRE(s.ok());
    Watch w;
    w.url = "https://crash.example/p";
    auto added = s->add_watch(w);
    REQUIRE(added.ok());
    watch_id = added->id;
  }  // closed: a connection must not cross fork()

  const auto seed = std::random_device{}();
  CAPTURE(seed);
  std::mt19937 rng(seed);
  constexpr int kRounds = 6;
  std::size_t total_changes = 0;
  for (int round = 0; round < kRounds; ++round) {
    CAPTURE(round);
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[0]);
      record_forever(dir.db(), watch_id, round, fds[1]);
    }
    ::close(fds[1]);

    // Let it commit a random number of checks, then kill it a random moment later.
    const int commits_before_kill = 5 + static_cast<int>(rng() % 150);
    std::string text;
    int lines = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    bool child_gone = false;
    while (lines < commits_before_kill && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) {
        child_gone = true;
        break;
      }
      text.append(buf, static_cast<std::size_t>(n));
      for (ssize_t k = 0; k < n; ++k) lines += buf[k] == '\n';
    }
    REQUIRE_MESSAGE(!child_gone, "the recording child stopped by itself");
    REQUIRE(lines >= commits_before_kill);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
    REQUIRE(::kill(pid, SIGKILL) == 0);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status));
    // Whatever the child reported before it died is still in the pipe.
    for (;;) {
      char buf[4096];
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n <= 0) break;
      text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);

    std::vector<Reported> reported;
    std::istringstream in(text);
    Reported r;
    int changed = 0;
    while (in >> r.i >> changed) {
      r.changed = changed != 0;
      reported.push_back(r);
    }
    REQUIRE(reported.size() >= static_cast<std::size_t>(commits_before_kill));

    auto s = Store::open(dir.db());
    REQUIRE_MESSAGE(s.ok(), s.error().message);
    auto check = s->database().integrity_check();
    REQUIRE(check.ok());
    CHECK(*check == "ok");
    auto rows = s->history(watch_id, at_of(round, 0), at_of(round, 0) + kRoundSpan - 1);
    REQUIRE(rows.ok());
    std::size_t found = 0;
    for (const auto& rep : reported) {
      if (!rep.changed) continue;
      ++total_changes;
      const std::int64_t at = at_of(round, rep.i);
      bool present = false;
      for (const auto& row : *rows)
        if (row.at == at) present = row.price == std::optional<std::int64_t>(price_of(rep.i));
      CHECK_MESSAGE(present, "committed change " << rep.i << " is missing");
      found += present;
    }
    // At most one more row than reported: committed, then killed before it was reported.
    CHECK(rows->size() >= found);
    CHECK(rows->size() <= found + 1);
    auto w = s->get_watch(watch_id);
    REQUIRE(w.ok());
    REQUIRE(w->last_check_at.has_value());
    CHECK(*w->last_check_at >= at_of(round, reported.back().i));
    CHECK(*w->last_check_at <= at_of(round, reported.back().i + 1));
  }
  CHECK(total_changes > 0);
}
