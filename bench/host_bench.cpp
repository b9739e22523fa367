// host_bench: the native-messaging host and the per-user agent (the real `dealstack` binary
// over real pipes and its real Unix socket, in temporary homes), each figure beside a
// baseline measured in the same run. Native only.
//
// Parts (--parts, comma-separated; default all):
//   cold     `dealstack chrome-extension://<id>/` spawned with the agent already running; a
//            hello frame is written to its stdin at once and the time from spawn to the
//            reply frame is taken (then stdin is closed and the exit awaited: "exit").
//            Baselines, interleaved with the host runs: posix_spawn of /bin/true and of
//            `dealstack version` (stdout to /dev/null) until exit. All with posix_spawn.
//   rtt      one long-lived host process; request -> whole reply (all its chunks), timed
//            in this process around write() and the last read(). Baseline: the same request
//            frames through a pipe to a thread of this process that answers each with the
//            same reply frames the host gave (recorded first), over a second pipe: what the
//            bytes alone cost, with no second process or socket hop. Messages:
//              hello          small both ways
//              hello+pad      a 1 MiB request (hello with a params.pad string), small reply
//              1MiB echo      an unknown method named by ~1 MiB of letters: the agent
//                             parses it and its unknown_method error quotes the name, so
//                             ~1 MiB goes each way (just under the browser limit: one frame)
//              watch.list     the --watches list of the memory part (chunked by the host)
//   memory   a fresh agent: VmRSS/VmHWM from /proc/<pid>/status after one hello (0 watches,
//            the baseline), then after --watches watch.add calls over the agent socket
//            (pipelined; http://127.0.0.1:1/... urls, a port nothing listens on).
//   checks   a loopback shop in this process (--shop-ports ports, a product page with
//            JSON-LD Product + Offer from --page, padded to --page-kb with plain markup);
//            --check-watches watches spread over its ports; --checks watch.check calls,
//            --concurrency outstanding, with the agent configured for no per-host gap
//            ($XDG_CONFIG_HOME/dealstack/agent.json). checks/s over wall time, and per agent
//            CPU-second (utime+stime from /proc/<pid>/stat). Baseline: the same urls fetched
//            by http::async_fetch (the agent's own client) on one thread of this process,
//            same concurrency, no extraction or store; CPU of that thread (RUSAGE_THREAD).
//            Skipped, saying so, while the agent answers watch.check with unknown_method.
// Options: --dealstack PATH (required) --page PATH --parts LIST --runs N (40) --round-trips N
//          (2000; fewer for the big messages) --watches N (10000) --check-watches N (256)
//          --checks N (1000) --concurrency N (8) --shop-ports N (8) --page-kb N (100)
// Output (stdout): one JSON object; times in microseconds, memory in KiB. Progress on stderr.
// bench/run.mjs (bench/host.mjs) runs it and prints the table (`npm run bench`).
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "http/client.hpp"
#include "messaging/frame.hpp"
#include "messaging/stream.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace msg = dealstack::messaging;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr const char* kOrigin = "chrome-extension://abcdefghijklmnopabcdefghijklmnop/";
constexpr std::size_t kBig = 0xffffffffu;  // frame cap on what we read: the agent's replies

double us_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

// ---- failure: stop what we started, then exit ----------------------------------------
std::mutex g_started_mutex;
std::set<pid_t> g_started;               // agents and hosts still running
std::set<std::string> g_homes;           // temporary homes not yet removed

[[noreturn]] void fail(const std::string& what) {
  std::cerr << "host_bench: " << what << "\n";
  std::lock_guard<std::mutex> lock(g_started_mutex);
  for (pid_t p : g_started) ::kill(p, SIGTERM);
  for (pid_t p : g_started) ::waitpid(p, nullptr, 0);
  for (const auto& h : g_homes) {
    std::error_code ec;
    std::filesystem::remove_all(h, ec);
  }
  std::_Exit(1);
}

template <typename T>
T must(dealstack::Result<T> r, const std::string& what) {
  if (!r) fail(what + ": " + r.error().code + ": " + r.error().message);
  return std::move(*r);
}

json stats_json(std::vector<double> v) {
  if (v.empty()) return json{{"n", 0}};
  std::sort(v.begin(), v.end());
  const auto rank = [&](double p) {  // nearest rank
    std::size_t k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::min(v.size() - 1, k == 0 ? 0 : k - 1)];
  };
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  return json{{"n", v.size()}, {"min", v.front()}, {"p50", rank(0.5)}, {"p90", rank(0.9)},
              {"p99", rank(0.99)}, {"max", v.back()}, {"mean", mean}};
}

// ---- processes -------------------------------------------------------------------------
// posix_spawn with the given fds as stdin/stdout/stderr (-1: /dev/null) and environment.
pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>* env, int in,
            int out, int err) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  const int fds[3] = {in, out, err};
  for (int i = 0; i < 3; ++i) {
    if (fds[i] >= 0)
      posix_spawn_file_actions_adddup2(&fa, fds[i], i);
    else
      posix_spawn_file_actions_addopen(&fa, i, "/dev/null", i == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  if (env != nullptr) {
    for (const auto& e : *env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(),
                               env != nullptr ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) fail("can't start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// ---- a temporary home: XDG folders and the allow-list the host needs -------------------
struct Home {
  fs::path dir;
  std::vector<std::string> env;
  fs::path socket() const { return dir / "run" / "dealstack" / "agent.sock"; }
  fs::path lock() const { return dir / "run" / "dealstack" / "agent.lock"; }
};

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
  if (!f) fail("can't write " + p.string());
}

Home make_home(const std::optional<json>& agent_config) {
  char tmpl[] = "/tmp/ds-bench-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) fail(std::string("mkdtemp: ") + std::strerror(errno));
  Home h;
  h.dir = tmpl;
  {
    std::lock_guard<std::mutex> lock(g_started_mutex);
    g_homes.insert(h.dir.string());
  }
  fs::create_directories(h.dir / "config" / "dealstack");
  fs::create_directories(h.dir / "data");
  fs::create_directories(h.dir / "run");
  fs::permissions(h.dir / "run", fs::perms::owner_all);
  write_file(h.dir / "config" / "dealstack" / "allowed_origins.json",
             json{{"allowed", {kOrigin}}}.dump());
  if (agent_config) write_file(h.dir / "config" / "dealstack" / "agent.json", agent_config->dump());
  const char* path = std::getenv("PATH");
  h.env = {"PATH=" + std::string(path != nullptr ? path : "/usr/bin:/bin"),
           "HOME=" + h.dir.string(),
           "XDG_CONFIG_HOME=" + (h.dir / "config").string(),
           "XDG_DATA_HOME=" + (h.dir / "data").string(),
           "XDG_RUNTIME_DIR=" + (h.dir / "run").string()};
  return h;
}

int try_connect(const fs::path& path) {
  sockaddr_un addr{};
  const std::string p = path.string();
  if (p.size() >= sizeof addr.sun_path) fail("socket path too long: " + p);
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// ---- the agent -------------------------------------------------------------------------
// `dealstack agent` in the foreground (our child), stopped with SIGTERM (the pid in its
// lock file, which is this child) and the home removed when done.
class Agent {
 public:
  Agent(const std::string& dealstack, const std::optional<json>& config = std::nullopt)
      : home_(make_home(config)) {
    const int log = ::open((home_.dir / "agent.log").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    pid_ = spawn({dealstack, "agent"}, &home_.env, -1, log, log);
    ::close(log);
    {
      std::lock_guard<std::mutex> lock(g_started_mutex);
      g_started.insert(pid_);
    }
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      const int fd = try_connect(home_.socket());
      if (fd >= 0) {
        ::close(fd);
        return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        forget();
        fail("the agent exited at start: " + log_text());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    fail("the agent didn't listen within 10 s: " + log_text());
  }
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;
  ~Agent() {
    pid_t pid = pid_;
    std::ifstream lock(home_.lock());
    pid_t locked = 0;
    if (lock >> locked && locked != pid_)
      std::cerr << "host_bench: note: agent.lock names pid " << locked << ", not our agent " << pid_ << "\n";
    ::kill(pid, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) {
        std::cerr << "host_bench: the agent ignored SIGTERM for 5 s; killing it\n";
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    forget();
    std::error_code ec;
    fs::remove_all(home_.dir, ec);
    std::lock_guard<std::mutex> guard(g_started_mutex);
    g_homes.erase(home_.dir.string());
  }

  pid_t pid() const { return pid_; }
  const Home& home() const { return home_; }
  std::string log_text() const {
    std::ifstream f(home_.dir / "agent.log");
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }

  // VmRSS and VmHWM in KiB.
  std::pair<long, long> memory_kib() const {
    std::ifstream f("/proc/" + std::to_string(pid_) + "/status");
    long rss = -1, hwm = -1;
    for (std::string line; std::getline(f, line);) {
      if (line.rfind("VmRSS:", 0) == 0) rss = std::strtol(line.c_str() + 6, nullptr, 10);
      if (line.rfind("VmHWM:", 0) == 0) hwm = std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return {rss, hwm};
  }
  // utime + stime in seconds (clock-tick resolution).
  double cpu_seconds() const {
    std::ifstream f("/proc/" + std::to_string(pid_) + "/stat");
    std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const auto close = all.rfind(')');
    if (close == std::string::npos) fail("can't read /proc/<agent>/stat");
    std::istringstream rest(all.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {  // field 3 is the state
      if (i == 14) utime = std::stod(field);
      if (i == 15) stime = std::stod(field);
    }
    return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }

 private:
  void forget() {
    std::lock_guard<std::mutex> lock(g_started_mutex);
    g_started.erase(pid_);
  }
  Home home_;
  pid_t pid_ = -1;
};

// A client on the agent's socket (big-endian frames); events are set aside.
class AgentClient {
 public:
  explicit AgentClient(const Agent& agent) : fd_(try_connect(agent.home().socket())), stream_(fd_, fd_) {
    if (fd_ < 0) fail("can't connect to the agent");
  }
  ~AgentClient() { ::close(fd_); }
  int fd() const { return fd_; }
  void send(const json& request) {
    if (!msg::write_frame(stream_, request.dump(), msg::ByteOrder::big, kBig)) fail("write to the agent failed");
  }
  // The next reply (frames with an "id"), events skipped.
  json reply() {
    for (;;) {
      auto f = must(msg::read_frame(stream_, decoder_), "reading from the agent");
      if (!f) fail("the agent closed the connection");
      json j = json::parse(*f, nullptr, false);
      if (j.is_object() && j.contains("id")) return j;
      ++events_;
    }
  }
  json call(const json& request) {
    send(request);
    return reply();
  }
  long events() const { return events_; }

 private:
  int fd_;
  msg::FdStream stream_;
  msg::FrameDecoder decoder_{msg::ByteOrder::big, kBig};
  long events_ = 0;
};

// ---- the host ----------------------------------------------------------------------------
// `dealstack <origin>` with native-order frames on its stdin/stdout pipes.
class Host {
 public:
  Host(const std::string& dealstack, const Home& home) : Host(launch(dealstack, home)) {}
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;
  ~Host() {
    if (pid_ > 0) finish();
  }
  // Closes the port and waits for the exit; the exit code.
  int finish() {
    ::close(to_);
    const int code = wait_exit(pid_);
    ::close(from_);
    std::lock_guard<std::mutex> lock(g_started_mutex);
    g_started.erase(pid_);
    pid_ = -1;
    return code;
  }
  msg::FdStream& stream() { return stream_; }
  msg::FrameDecoder& decoder() { return decoder_; }

 private:
  struct Launched {
    pid_t pid;
    int to;    // its stdin
    int from;  // its stdout
  };
  static Launched launch(const std::string& dealstack, const Home& home) {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) fail("pipe2 failed");
    const pid_t pid = spawn({dealstack, kOrigin}, &home.env, in[0], out[1], -1);
    ::close(in[0]);
    ::close(out[1]);
    std::lock_guard<std::mutex> lock(g_started_mutex);
    g_started.insert(pid);
    return {pid, in[1], out[0]};
  }
  explicit Host(Launched l) : pid_(l.pid), to_(l.to), from_(l.from), stream_(l.from, l.to) {}

  pid_t pid_;
  int to_;
  int from_;
  msg::FdStream stream_;
  msg::FrameDecoder decoder_{msg::ByteOrder::native, kBig};
};

std::unique_ptr<Host> start_host(const std::string& dealstack, const Home& home) {
  return std::make_unique<Host>(dealstack, home);
}

std::string read_one(msg::ByteStream& s, msg::FrameDecoder& d, const char* who) {
  auto f = must(msg::read_frame(s, d), std::string("reading from ") + who);
  if (!f) fail(std::string(who) + " closed its output");
  return std::move(*f);
}

// ---- part: cold start ------------------------------------------------------------------
json cold_part(const std::string& dealstack, int runs) {
  Agent agent(dealstack);
  const std::string hello = json{{"id", 1}, {"method", "hello"}}.dump();
  const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  std::vector<double> reply, exit_, version, truth;
  const auto spawn_to_exit = [&](const std::vector<std::string>& argv) {
    const auto t0 = Clock::now();
    const pid_t pid = spawn(argv, nullptr, -1, devnull, devnull);
    const int code = wait_exit(pid);
    const auto t1 = Clock::now();
    if (code != 0) fail(argv[0] + " exited with " + std::to_string(code));
    return us_between(t0, t1);
  };
  for (int i = -3; i < runs; ++i) {  // 3 warm-up rounds (page cache, dynamic loader)
    const double t_true = spawn_to_exit({"/bin/true"});
    const double t_version = spawn_to_exit({dealstack, "version"});
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) fail("pipe2 failed");
    const auto t0 = Clock::now();
    const pid_t pid = spawn({dealstack, kOrigin}, &agent.home().env, in[0], out[1], devnull);
    ::close(in[0]);
    ::close(out[1]);
    msg::FdStream s(out[0], in[1]);
    if (!msg::write_frame(s, hello, msg::ByteOrder::native)) fail("write to the host failed");
    msg::FrameDecoder d(msg::ByteOrder::native, kBig);
    const std::string r = read_one(s, d, "the host");
    const auto t1 = Clock::now();
    ::close(in[1]);
    const int code = wait_exit(pid);
    const auto t2 = Clock::now();
    ::close(out[0]);
    json j = json::parse(r, nullptr, false);
    if (!j.is_object() || !j.contains("result")) fail("the host answered hello with " + r);
    if (code != 0) fail("the host exited with " + std::to_string(code));
    if (i < 0) continue;
    reply.push_back(us_between(t0, t1));
    exit_.push_back(us_between(t0, t2));
    version.push_back(t_version);
    truth.push_back(t_true);
  }
  ::close(devnull);
  return json{{"runs", runs}, {"host_reply", stats_json(reply)}, {"host_exit", stats_json(exit_)},
              {"version_exit", stats_json(version)}, {"true_exit", stats_json(truth)}};
}

// ---- part: round trips -------------------------------------------------------------------
struct Message {
  std::string name;
  std::string request;  // payload
  int round_trips;
};

// Times `n` request -> whole reply (`frames` frames) round trips on a stream.
std::vector<double> time_trips(msg::ByteStream& s, msg::FrameDecoder& d, const std::string& request,
                               std::size_t frames, int n) {
  std::vector<double> t;
  t.reserve(n);
  for (int i = 0; i < n; ++i) {
    const auto t0 = Clock::now();
    if (!msg::write_frame(s, request, msg::ByteOrder::native, kBig)) fail("write failed");
    for (std::size_t k = 0; k < frames; ++k) read_one(s, d, "the peer");
    t.push_back(us_between(t0, Clock::now()));
  }
  return t;
}

// The baseline: a thread answering each request frame with `reply_frames` (native order)
// over a pipe pair.
std::vector<double> time_echo(const std::string& request, const std::vector<std::string>& reply_frames, int n) {
  int req[2], rep[2];
  if (::pipe2(req, O_CLOEXEC) != 0 || ::pipe2(rep, O_CLOEXEC) != 0) fail("pipe2 failed");
  std::thread echo([&] {
    msg::FdStream s(req[0], rep[1]);
    msg::FrameDecoder d(msg::ByteOrder::native, kBig);
    for (;;) {
      auto f = msg::read_frame(s, d);
      if (!f || !*f) break;
      for (const auto& r : reply_frames)
        if (!msg::write_frame(s, r, msg::ByteOrder::native, kBig)) return;
    }
  });
  msg::FdStream s(rep[0], req[1]);
  msg::FrameDecoder d(msg::ByteOrder::native, kBig);
  time_trips(s, d, request, reply_frames.size(), std::max(1, n / 10));  // warm-up
  auto t = time_trips(s, d, request, reply_frames.size(), n);
  ::close(req[1]);
  echo.join();
  ::close(req[0]);
  ::close(rep[0]);
  ::close(rep[1]);
  return t;
}

json rtt_one(const std::string& dealstack, const Agent& agent, const Message& m) {
  auto host = start_host(dealstack, agent.home());
  // The reply as the host gives it (its frames), kept for the baseline.
  if (!msg::write_frame(host->stream(), m.request, msg::ByteOrder::native, kBig)) fail("write to the host failed");
  std::vector<std::string> frames{read_one(host->stream(), host->decoder(), "the host")};
  json first = json::parse(frames[0], nullptr, false);
  if (first.is_object() && first.contains("chunk")) {
    const std::size_t count = first["chunk"].value("count", std::size_t{1});
    while (frames.size() < count) frames.push_back(read_one(host->stream(), host->decoder(), "the host"));
  } else if (!first.is_object() || !first.contains("id")) {
    fail(m.name + ": the host answered " + frames[0].substr(0, 200));
  }
  std::size_t reply_bytes = 0;
  for (const auto& f : frames) reply_bytes += f.size();
  time_trips(host->stream(), host->decoder(), m.request, frames.size(), std::max(1, m.round_trips / 10));
  auto through_host = time_trips(host->stream(), host->decoder(), m.request, frames.size(), m.round_trips);
  const int code = host->finish();
  if (code != 0) fail(m.name + ": the host exited with " + std::to_string(code));
  auto echo = time_echo(m.request, frames, m.round_trips);
  std::string answer = first.contains("chunk") ? "chunked" : first.contains("error") ? first["error"].value("code", "error") : "result";
  return json{{"name", m.name}, {"request_bytes", m.request.size()}, {"reply_bytes", reply_bytes},
              {"reply_frames", frames.size()}, {"reply", answer}, {"host", stats_json(through_host)},
              {"echo", stats_json(echo)}};
}

std::vector<Message> rtt_messages(int round_trips) {
  const std::size_t mib = 1 << 20;
  std::vector<Message> out;
  out.push_back({"hello", json{{"id", 1}, {"method", "hello"}}.dump(), round_trips});
  {
    json j{{"id", 2}, {"method", "hello"}, {"params", {{"pad", ""}}}};
    const std::size_t base = j.dump().size();
    j["params"]["pad"] = std::string(mib - base, 'x');
    out.push_back({"hello+pad (1 MiB request)", j.dump(), std::max(10, round_trips / 20)});
  }
  {
    // unknown_method's message quotes the method: ~1 MiB back, kept under the browser's
    // 1 MiB frame limit (so one frame, no chunks).
    const std::size_t name = mib - 256;
    out.push_back({"1 MiB echo (unknown method)", json{{"id", 3}, {"method", std::string(name, 'm')}}.dump(),
                   std::max(10, round_trips / 20)});
  }
  return out;
}

// ---- part: memory (and the big watch.list round trip on that agent) ---------------------
json add_watches(AgentClient& c, int n, const std::function<std::string(int)>& url_of,
                 std::vector<long long>* ids) {
  // Pipelined: a writer thread sends them all while this thread reads the replies.
  std::thread writer([&] {
    for (int i = 0; i < n; ++i)
      c.send(json{{"id", i}, {"method", "watch.add"}, {"params", {{"url", url_of(i)}}}});
  });
  const auto t0 = Clock::now();
  int errors = 0;
  json first_error;
  for (int i = 0; i < n; ++i) {
    json r = c.reply();
    if (r.contains("error")) {
      if (errors++ == 0) first_error = r["error"];
    } else if (ids != nullptr && r.contains("result") && r["result"].contains("id")) {
      ids->push_back(r["result"]["id"].get<long long>());
    }
  }
  const double s = us_between(t0, Clock::now()) / 1e6;
  writer.join();
  if (errors > 0) fail("watch.add: " + std::to_string(errors) + " errors, e.g. " + first_error.dump());
  return json{{"watches", n}, {"seconds", s}, {"per_second", n / s}};
}

json memory_part(const std::string& dealstack, int watches, int round_trips, json* big_rtt) {
  Agent agent(dealstack);
  AgentClient c(agent);
  if (!c.call(json{{"id", 0}, {"method", "hello"}}).contains("result")) fail("hello failed");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto [rss0, hwm0] = agent.memory_kib();
  const double cpu0 = agent.cpu_seconds();
  std::cerr << "host_bench: memory: adding " << watches << " watches\n";
  json adds = add_watches(c, watches, [](int i) { return "http://127.0.0.1:1/p/" + std::to_string(i); }, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto [rss1, hwm1] = agent.memory_kib();
  const double cpu1 = agent.cpu_seconds();
  adds["agent_cpu_seconds"] = cpu1 - cpu0;
  json out{{"watches", watches}, {"empty", {{"rss_kib", rss0}, {"hwm_kib", hwm0}}},
           {"full", {{"rss_kib", rss1}, {"hwm_kib", hwm1}}}, {"adds", adds}};
  if (big_rtt != nullptr) {
    *big_rtt = rtt_one(dealstack, agent, {"watch.list (" + std::to_string(watches) + " watches)",
                                          json{{"id", 4}, {"method", "watch.list"}}.dump(),
                                          std::max(5, round_trips / 100)});
    const auto [rss2, hwm2] = agent.memory_kib();
    out["after_list"] = {{"rss_kib", rss2}, {"hwm_kib", hwm2}};
  }
  return out;
}

// ---- part: checks against a loopback shop ----------------------------------------------
// Blocking accept loops, a few threads per port; one response per connection (Connection:
// close), so the figures don't hinge on whether a client reuses connections.
class Shop {
 public:
  Shop(int ports, int threads_per_port, std::string page) : page_(std::move(page)) {
    response_ = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-cache\r\n"
                "Connection: close\r\nContent-Length: " + std::to_string(page_.size()) + "\r\n\r\n" + page_;
    for (int p = 0; p < ports; ++p) {
      const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a.sin_port = 0;
      if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 512) != 0)
        fail(std::string("shop: can't listen: ") + std::strerror(errno));
      socklen_t len = sizeof a;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
      listeners_.push_back(fd);
      ports_.push_back(ntohs(a.sin_port));
      for (int t = 0; t < threads_per_port; ++t) threads_.emplace_back([this, fd] { serve(fd); });
    }
  }
  ~Shop() {
    for (int fd : listeners_) ::shutdown(fd, SHUT_RDWR);  // wakes the accept() calls
    for (auto& t : threads_) t.join();
    for (int fd : listeners_) ::close(fd);
  }
  const std::vector<int>& ports() const { return ports_; }
  long hits() const { return hits_.load(); }

 private:
  void serve(int listener) {
    std::string req;
    char buf[4096];
    for (;;) {
      const int c = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;
      }
      timeval tv{5, 0};
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      req.clear();
      bool complete = false;
      while (req.size() < 65536) {
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        req.append(buf, static_cast<std::size_t>(n));
        if (req.find("\r\n\r\n") != std::string::npos) {
          complete = true;
          break;
        }
      }
      if (complete) {
        std::size_t at = 0;
        while (at < response_.size()) {
          const ssize_t n = ::send(c, response_.data() + at, response_.size() - at, MSG_NOSIGNAL);
          if (n <= 0) break;
          at += static_cast<std::size_t>(n);
        }
        ++hits_;
        ::shutdown(c, SHUT_WR);
      }
      ::close(c);
    }
  }
  std::string page_;
  std::string response_;
  std::vector<int> listeners_;
  std::vector<int> ports_;
  std::vector<std::thread> threads_;
  std::atomic<long> hits_{0};
};

// The fixture's product page, padded before </body> with plain markup (navigation,
// description, related items without prices) to about `kib` KiB, as real pages are.
std::string shop_page(const fs::path& fixture, int kib) {
  std::ifstream f(fixture, std::ios::binary);
  std::string page((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (page.empty()) fail("can't read " + fixture.string());
  std::string pad = "<nav class=\"site-nav\"><ul>\n";
  for (int i = 0; i < 40; ++i)
    pad += "<li class=\"nav-item\"><a href=\"/c/" + std::to_string(i) + "\">Category " + std::to_string(i) + "</a></li>\n";
  pad += "</ul></nav>\n<section class=\"description\">\n";
  const std::size_t want = static_cast<std::size_t>(kib) * 1024;
  for (int i = 0; page.size() + pad.size() < want; ++i) {
    if (i % 4 == 0)
      pad += "<p>Brushed stainless steel body with a concealed element, a removable limescale filter and "
             "a 360-degree base. Boils 1.7 litres in about four minutes and switches off when dry.</p>\n";
    else
      pad += "<div class=\"card\"><a href=\"/p/related-" + std::to_string(i) + "\"><img src=\"/img/r" +
             std::to_string(i) + ".jpg\" alt=\"Related item " + std::to_string(i) +
             "\" loading=\"lazy\"><span class=\"title\">Related item " + std::to_string(i) + "</span></a></div>\n";
  }
  pad += "</section>\n";
  const auto at = page.rfind("</body>");
  page.insert(at == std::string::npos ? page.size() : at, pad);
  return page;
}

// Fetches every url in turn (`total` in all, `window` at once) with the agent's HTTP client
// on one thread; that thread's CPU time.
json fetch_baseline(const std::vector<std::string>& urls, int total, int window) {
  json out;
  std::thread t([&] {
    boost::asio::io_context io;
    dealstack::http::ClientOptions opt;
    int started = 0, done = 0, errors = 0;
    std::string first_error;
    std::function<void()> next = [&] {
      if (started >= total) return;
      const std::string url = urls[static_cast<std::size_t>(started++) % urls.size()];
      dealstack::http::async_fetch(io, {url, {}, {}, {}}, opt, [&](dealstack::Result<dealstack::http::Response> r) {
        ++done;
        if (!r || r->status != 200) {
          if (errors++ == 0) first_error = r ? "status " + std::to_string(r->status) : r.error().message;
        }
        next();
      });
    };
    rusage ru0{}, ru1{};
    ::getrusage(RUSAGE_THREAD, &ru0);
    const auto t0 = Clock::now();
    for (int i = 0; i < window; ++i) next();
    io.run();
    const double wall = us_between(t0, Clock::now()) / 1e6;
    ::getrusage(RUSAGE_THREAD, &ru1);
    const auto sec = [](const timeval& a, const timeval& b) {
      return static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_usec - a.tv_usec) / 1e6;
    };
    const double cpu = sec(ru0.ru_utime, ru1.ru_utime) + sec(ru0.ru_stime, ru1.ru_stime);
    out = json{{"fetches", done}, {"errors", errors}, {"wall_seconds", wall}, {"cpu_seconds", cpu},
               {"per_second", done / wall}, {"per_cpu_second", cpu > 0 ? done / cpu : 0.0}};
    if (errors > 0) out["first_error"] = first_error;
  });
  t.join();
  return out;
}

json checks_part(const std::string& dealstack, const fs::path& fixture, int watches, int checks, int window,
                 int ports, int page_kib) {
  const std::string page = shop_page(fixture, page_kib);
  Shop shop(ports, 4, page);
  std::vector<std::string> urls;
  for (int i = 0; i < watches; ++i)
    urls.push_back("http://127.0.0.1:" + std::to_string(shop.ports()[static_cast<std::size_t>(i % ports)]) +
                   "/p/" + std::to_string(i));
  const json config{{"monitor", {{"min_host_gap_ms", 0}, {"rate_per_minute", 10000}}},
                    {"notifications", {{"desktop", false}}}};
  json out{{"watches", watches}, {"concurrency", window}, {"shop_ports", ports}, {"page_bytes", page.size()},
           {"agent_config", config}};
  out["baseline"] = fetch_baseline(urls, checks, window);

  Agent agent(dealstack, config);
  AgentClient c(agent);
  std::vector<long long> ids;
  add_watches(c, watches, [&](int i) { return urls[static_cast<std::size_t>(i)]; }, &ids);
  json probe = c.call(json{{"id", "probe"}, {"method", "watch.check"}, {"params", {{"id", ids.at(0)}}}});
  if (probe.contains("error") && probe["error"].value("code", "") == "unknown_method") {
    out["status"] = "skipped";
    out["reason"] = "watch.check not available";
    return out;
  }
  if (probe.contains("error")) out["probe_error"] = probe["error"];
  // Let any checks the agent starts by itself for new watches finish first.
  const auto quiet_deadline = Clock::now() + std::chrono::seconds(60);
  for (long last = -1; Clock::now() < quiet_deadline;) {
    const long h = shop.hits();
    if (h == last) break;
    last = h;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  const long hits0 = shop.hits();
  const double cpu0 = agent.cpu_seconds();
  const auto t0 = Clock::now();
  int sent = 0, ok = 0, errors = 0;
  json first_error;
  std::map<std::string, int> error_codes;
  const auto send_next = [&] {
    c.send(json{{"id", sent}, {"method", "watch.check"}, {"params", {{"id", ids[static_cast<std::size_t>(sent) % ids.size()]}}}});
    ++sent;
  };
  while (sent < std::min(window, checks)) send_next();
  for (int got = 0; got < checks; ++got) {
    json r = c.reply();
    if (r.contains("error")) {
      ++error_codes[r["error"].value("code", "?")];
      if (errors++ == 0) first_error = r["error"];
    } else {
      ++ok;
    }
    if (sent < checks) send_next();
  }
  const double wall = us_between(t0, Clock::now()) / 1e6;
  const double cpu = agent.cpu_seconds() - cpu0;
  out["status"] = "ok";
  out["checks"] = checks;
  out["ok"] = ok;
  out["errors"] = errors;
  if (errors > 0) {
    out["first_error"] = first_error;
    out["error_codes"] = error_codes;
  }
  out["shop_hits"] = shop.hits() - hits0;
  out["wall_seconds"] = wall;
  out["agent_cpu_seconds"] = cpu;
  out["per_second"] = ok / wall;
  out["per_cpu_second"] = cpu > 0 ? ok / cpu : 0.0;
  const auto [rss, hwm] = agent.memory_kib();
  out["agent_memory"] = {{"rss_kib", rss}, {"hwm_kib", hwm}};
  return out;
}

int int_arg(const std::map<std::string, std::string>& a, const std::string& k, int fallback) {
  auto it = a.find(k);
  if (it == a.end()) return fallback;
  const int v = std::atoi(it->second.c_str());
  if (v <= 0) fail("--" + k + " must be a positive integer, got \"" + it->second + "\"");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  std::map<std::string, std::string> a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) fail("unexpected argument " + k);
    a[k.substr(2)] = argv[i + 1];
  }
  if (argc % 2 == 0) fail(std::string("option ") + argv[argc - 1] + " needs a value");
  const std::string dealstack = a.count("dealstack") ? a["dealstack"] : "";
  if (dealstack.empty() || ::access(dealstack.c_str(), X_OK) != 0) fail("--dealstack: no program at \"" + dealstack + "\"");
  const std::string parts = a.count("parts") ? a["parts"] : "cold,rtt,memory,checks";
  const auto want = [&](const std::string& p) { return ("," + parts + ",").find("," + p + ",") != std::string::npos; };
  const int runs = int_arg(a, "runs", 40);
  const int round_trips = int_arg(a, "round-trips", 2000);
  const int watches = int_arg(a, "watches", 10000);

  json out{{"dealstack", dealstack}, {"cpus", std::thread::hardware_concurrency()}};
  if (want("cold")) {
    std::cerr << "host_bench: cold start, " << runs << " runs\n";
    out["cold"] = cold_part(dealstack, runs);
  }
  json big_rtt;
  if (want("memory")) {
    out["memory"] = memory_part(dealstack, watches, round_trips, want("rtt") ? &big_rtt : nullptr);
  }
  if (want("rtt")) {
    std::cerr << "host_bench: round trips\n";
    Agent agent(dealstack);
    out["rtt"] = json::array();
    for (const auto& m : rtt_messages(round_trips)) out["rtt"].push_back(rtt_one(dealstack, agent, m));
    if (!big_rtt.is_null()) out["rtt"].push_back(big_rtt);
  }
  if (want("checks")) {
    std::cerr << "host_bench: checks\n";
    const fs::path page = a.count("page") ? fs::path(a["page"]) : fs::path();
    if (page.empty()) fail("--page: the product page fixture is needed for the checks part");
    out["checks"] = checks_part(dealstack, page, int_arg(a, "check-watches", 256), int_arg(a, "checks", 1000),
                                int_arg(a, "concurrency", 8), int_arg(a, "shop-ports", 8), int_arg(a, "page-kb", 100));
  }
  std::cout << out.dump() << "\n";
  return 0;
}
