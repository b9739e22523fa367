#include "install/doctor.hpp"

#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "install/installer.hpp"
#include "install/manifest.hpp"
#include "platform/paths.hpp"
#include "test_support.hpp"

using namespace dealstack::install;
using install_test::env_of;
using install_test::spit;
using install_test::TempDir;
namespace fs = std::filesystem;

namespace {

// A real listening Unix socket at `path`, closed (and left behind, stale) on destruction.
struct Listener {
  int fd = -1;
  explicit Listener(const fs::path& path) {
    fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 4) == 0);
  }
  ~Listener() { ::close(fd); }
};

struct Setup {
  TempDir tmp;
  dealstack::platform::EnvLookup env;
  dealstack::platform::Paths paths;
  fs::path host;
  Setup() {
    env = env_of({{"HOME", tmp.path.string()}, {"XDG_RUNTIME_DIR", (tmp.path / "run").string()}});
    paths = dealstack::platform::user_paths(env).value();
    host = tmp.path / "bin" / "dealstack";
    spit(host, "#!/bin/sh\n");
    ::chmod(host.c_str(), 0755);
    REQUIRE(dealstack::platform::ensure_private_dir(paths.runtime).ok());
    REQUIRE(dealstack::platform::ensure_private_dir(paths.data).ok());
    spit(paths.database(), "");
    ::chmod(paths.database().c_str(), 0600);
  }
  void install_for(std::vector<Browser> browsers) {
    InstallOptions o;
    o.browsers = std::move(browsers);
    o.host_path = host;
    o.os = Os::Linux;
    REQUIRE(install(o, paths, env).ok());
  }
  fs::path manifest(Browser b) const { return manifest_dir(b, Scope::user, Os::Linux, env).value() / manifest_file_name(); }
  DoctorReport run() const {
    DoctorOptions o;
    o.os = Os::Linux;
    return run_doctor(o, paths, env);
  }
};

std::vector<std::string> codes(const DoctorReport& r) {
  std::vector<std::string> out;
  for (const auto& p : r.problems) out.push_back(p.code);
  return out;
}

const Problem* find(const DoctorReport& r, const std::string& code) {
  for (const auto& p : r.problems)
    if (p.code == code) return &p;
  return nullptr;
}

}  // namespace

TEST_CASE("doctor is happy with a fresh install, a live agent and a database") {
  Setup s;
  s.install_for({Browser::chromium, Browser::firefox});
  Listener agent(s.paths.socket());
  const auto r = s.run();
  CHECK(codes(r).empty());
  CHECK(r.ok());
  REQUIRE(r.manifests.size() == 2);
  CHECK(r.manifests[0].ok);
  CHECK(r.manifests[1].ok);
}

TEST_CASE("doctor with nothing installed and no browser says to install") {
  Setup s;
  Listener agent(s.paths.socket());
  const auto r = s.run();
  CHECK(codes(r) == std::vector<std::string>{"no_browser"});
  CHECK(r.problems[0].fix == "dealstack install --browser NAME");
}

TEST_CASE("a browser that was run but has no manifest is reported with the install command") {
  Setup s;
  fs::create_directories(s.tmp.path / ".config" / "microsoft-edge");
  Listener agent(s.paths.socket());
  const auto r = s.run();
  REQUIRE(codes(r) == std::vector<std::string>{"manifest_missing"});
  CHECK(r.problems[0].subject == "edge");
  CHECK(r.problems[0].message.find("Microsoft Edge") != std::string::npos);
  CHECK(r.problems[0].fix == "dealstack install --browser edge");
}

TEST_CASE("doctor names broken manifests, hosts and permissions with their fixes") {
  Setup s;
  s.install_for({Browser::chrome});
  Listener agent(s.paths.socket());
  const auto file = s.manifest(Browser::chrome);

  ::chmod(file.c_str(), 0666);
  auto r = s.run();
  REQUIRE(codes(r) == std::vector<std::string>{"manifest_writable_by_others"});
  CHECK(r.problems[0].fix == "chmod 644 '" + file.string() + "'");
  ::chmod(file.c_str(), 0644);

  ::chmod(s.host.c_str(), 0666);
  r = s.run();
  CHECK(codes(r) == std::vector<std::string>{"host_not_executable", "host_writable_by_others"});
  CHECK(find(r, "host_writable_by_others")->fix == "chmod go-w '" + s.host.string() + "'");
  ::chmod(s.host.c_str(), 0755);

  fs::remove(s.host);
  r = s.run();
  REQUIRE(codes(r) == std::vector<std::string>{"host_missing"});
  CHECK(r.problems[0].message.find(s.host.string()) != std::string::npos);
  CHECK(r.problems[0].fix == "dealstack install --browser chrome");
  spit(s.host, "#!/bin/sh\n");
  ::chmod(s.host.c_str(), 0755);

  spit(file, "{\"name\": \"com.dealstack.host\",");
  r = s.run();
  REQUIRE(codes(r) == std::vector<std::string>{"manifest_invalid_json"});
  CHECK(r.problems[0].message.find("not valid JSON") != std::string::npos);
  CHECK(!r.manifests[0].ok);
}

TEST_CASE("doctor sees an id the allow-list lacks, and a missing allow-list") {
  Setup s;
  s.install_for({Browser::vivaldi});
  Listener agent(s.paths.socket());
  const auto file = s.manifest(Browser::vivaldi);
  auto m = install_test::slurp(file);
  const std::string other = "chrome-extension://pppppppppppppppppppppppppppppppp/";
  m.replace(m.find("chrome-extension://"), other.size(), other);
  spit(file, m);
  auto r = s.run();
  REQUIRE(codes(r) == std::vector<std::string>{"allow_list_mismatch"});
  CHECK(r.problems[0].message.find(other) != std::string::npos);

  fs::remove(s.paths.config / "allowed_origins.json");
  r = s.run();
  CHECK(codes(r) == std::vector<std::string>{"allow_list_missing"});
}

TEST_CASE("doctor checks the agent's socket and the database") {
  Setup s;
  s.install_for({Browser::brave});
  auto r = s.run();
  CHECK(codes(r) == std::vector<std::string>{"agent_not_running"});
  CHECK(r.problems[0].fix == "dealstack agent");
  {
    Listener agent(s.paths.socket());
  }
  r = s.run();  // the socket file is left, nobody listens
  CHECK(codes(r) == std::vector<std::string>{"agent_socket_stale"});
  fs::remove(s.paths.socket());
  spit(s.paths.socket(), "");
  r = s.run();
  CHECK(codes(r) == std::vector<std::string>{"agent_socket_not_socket"});
  fs::remove(s.paths.socket());

  Listener agent(s.paths.socket());
  ::chmod(s.paths.database().c_str(), 0666);
  r = s.run();
  REQUIRE(codes(r) == std::vector<std::string>{"database_unsafe"});
  CHECK(r.problems[0].fix == "chmod 600 '" + s.paths.database().string() + "'");
  fs::remove(s.paths.database());
  r = s.run();
  CHECK(codes(r) == std::vector<std::string>{"database_missing"});
}

TEST_CASE("doctor reports a damaged install record instead of failing") {
  Setup s;
  Listener agent(s.paths.socket());
  spit(record_file(s.paths), "][");
  const auto r = s.run();
  REQUIRE(find(r, "record_invalid") != nullptr);
  CHECK(find(r, "record_invalid")->fix.find(record_file(s.paths).string()) != std::string::npos);
}
