#include "agent/config.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "native_host/notify/session_bus.hpp"  // TempDir

using dealstack::agent::AgentConfig;
using dealstack::agent::load_agent_config;
using dealstack::agent::parse_agent_config;

TEST_CASE("agent.json: every field is read; absent fields keep their defaults") {
  auto c = parse_agent_config(R"({"monitor": {"min_host_gap_ms": 0, "rate_per_minute": 600, "max_in_flight": 3,
      "jitter_percent": 0, "base_backoff_ms": 2000, "ca_file": "/tmp/ca.pem"},
      "notifications": {"desktop": false}, "messaging": {"max_frame_bytes": 65536}})",
                              "agent.json");
  REQUIRE_MESSAGE(c.ok(), c.error().message);
  CHECK(c->monitor.schedule.min_host_gap_ms == 0);
  CHECK(c->monitor.schedule.global_rate_per_minute == 600);
  CHECK(c->monitor.max_in_flight == 3);
  CHECK(c->monitor.schedule.jitter_percent == 0);
  CHECK(c->monitor.schedule.base_backoff_ms == 2000);
  CHECK(c->monitor.client.ca_file == "/tmp/ca.pem");
  CHECK_FALSE(c->desktop_notifications);
  CHECK(c->max_frame == 65536);

  auto d = parse_agent_config("{}", "agent.json");
  REQUIRE(d.ok());
  const AgentConfig defaults;
  CHECK(d->monitor.schedule.min_host_gap_ms == defaults.monitor.schedule.min_host_gap_ms);
  CHECK(d->monitor.schedule.global_rate_per_minute == defaults.monitor.schedule.global_rate_per_minute);
  CHECK_FALSE(d->monitor.client.ca_file.has_value());
  CHECK(d->desktop_notifications);
  CHECK_FALSE(d->max_frame.has_value());
}

TEST_CASE("agent.json: bad input is refused with the file and the field named") {
  const auto refused = [](const std::string& text, const std::string& names) {
    CAPTURE(text);
    auto c = parse_agent_config(text, "/home/u/.config/dealstack/agent.json");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == "invalid_config");
    CHECK_MESSAGE(c.error().message.find(names) != std::string::npos, c.error().message);
    CHECK(c.error().message.find("/home/u/.config/dealstack/agent.json") == 0);
  };
  refused("{", "not valid JSON");
  refused("[]", "JSON object");
  refused(R"({"monitr": {}})", "monitr");
  refused(R"({"monitor": []})", "monitor");
  refused(R"({"monitor": {"min_host_gap": 5}})", "monitor.min_host_gap");
  refused(R"({"monitor": {"min_host_gap_ms": -1}})", "monitor.min_host_gap_ms");
  refused(R"({"monitor": {"min_host_gap_ms": "10"}})", "monitor.min_host_gap_ms must be an integer");
  refused(R"({"monitor": {"rate_per_minute": 0}})", "monitor.rate_per_minute");
  refused(R"({"monitor": {"max_in_flight": 1000}})", "monitor.max_in_flight");
  refused(R"({"monitor": {"jitter_percent": 51}})", "monitor.jitter_percent");
  refused(R"({"monitor": {"base_backoff_ms": 10}})", "monitor.base_backoff_ms");
  refused(R"({"monitor": {"ca_file": ""}})", "monitor.ca_file");
  refused(R"({"notifications": {"desktop": "yes"}})", "notifications.desktop");
  refused(R"({"notifications": {"sound": true}})", "notifications.sound");
  refused(R"({"messaging": {"max_frame_bytes": 100}})", "messaging.max_frame_bytes");
  refused(R"({"messaging": {"max_frame": 4096}})", "messaging.max_frame");
  refused(std::string(dealstack::agent::kMaxConfigBytes + 1, ' '), "larger than");
}

TEST_CASE("agent.json: a missing file gives the defaults; a bad file is an error naming it") {
  dealstack::notify::testing::TempDir dir;
  auto missing = load_agent_config(dir.path() / "agent.json");
  REQUIRE(missing.ok());
  CHECK(missing->desktop_notifications);
  std::ofstream(dir.path() / "agent.json") << R"({"monitor": {"max_in_flight": 2}})";
  auto read = load_agent_config(dir.path() / "agent.json");
  REQUIRE(read.ok());
  CHECK(read->monitor.max_in_flight == 2);
  std::ofstream(dir.path() / "agent.json") << "not json";
  auto bad = load_agent_config(dir.path() / "agent.json");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == "invalid_config");
  CHECK(bad.error().message.find((dir.path() / "agent.json").string()) != std::string::npos);
}
