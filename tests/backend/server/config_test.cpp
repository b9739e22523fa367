#include "server/config.hpp"

#include <doctest/doctest.h>

using namespace dealstack::backend;

TEST_CASE("no settings: the documented defaults") {
  auto c = parse_config("{}", "test.json");
  REQUIRE(c.ok());
  CHECK(c->address == "127.0.0.1");
  CHECK(c->port == 8443);
  CHECK(c->max_body_bytes == 8u << 20);
  CHECK(c->token_lifetime_seconds == 30 * 24 * 3600);
  CHECK(c->scrypt_log2_n == 17);
  CHECK(c->per_address.rate == 50);
  CHECK(c->per_address.burst == 200);
  CHECK(c->per_account.rate == 20);
  CHECK(c->auth_per_address.burst == 10);
  CHECK(c->auth_per_address.rate == doctest::Approx(10.0 / 60));
  CHECK(c->data_dir.filename() == "dealstack-server");
}

TEST_CASE("settings override the defaults") {
  auto c = parse_config(R"({"listen":{"address":"::1","port":0},"data_dir":"/srv/ds","threads":3,
    "limits":{"max_body_bytes":4096,"header_timeout_ms":500},"accounts":{"token_lifetime_seconds":60,"scrypt_log2_n":12},
    "rate_limits":{"per_address":{"per_second":5,"burst":7},"auth_per_address":{"per_minute":0}},
    "rule_keys":["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],"log_requests":false})",
                        "test.json");
  REQUIRE_MESSAGE(c.ok(), c.error().message);
  CHECK(c->address == "::1");
  CHECK(c->port == 0);
  CHECK(c->data_dir == "/srv/ds");
  CHECK(c->database() == "/srv/ds/server.sqlite3");
  CHECK(c->threads == 3);
  CHECK(c->max_body_bytes == 4096);
  CHECK(c->header_timeout_ms == 500);
  CHECK(c->token_lifetime_seconds == 60);
  CHECK(c->scrypt_log2_n == 12);
  CHECK(c->per_address.rate == 5);
  CHECK(c->per_address.burst == 7);
  CHECK(c->auth_per_address.rate == 0);
  REQUIRE(c->rule_keys.size() == 1);
  CHECK(c->rule_keys[0] == std::string(32, '\0'));
  CHECK_FALSE(c->log_requests);
}

TEST_CASE("bad settings are refused naming the file and the setting") {
  auto expect = [](const char* text, const char* needle) {
    auto c = parse_config(text, "my.json");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == "invalid_config");
    CHECK_MESSAGE(c.error().message.find(needle) != std::string::npos, c.error().message);
    CHECK(c.error().message.rfind("my.json: ", 0) == 0);
  };
  expect("nope", "not valid JSON");
  expect(R"({"lisen":{}})", "lisen");
  expect(R"({"listen":{"port":70000}})", "listen.port");
  expect(R"({"listen":{"port":"8443"}})", "listen.port: must be an integer");
  expect(R"({"limits":{"max_body":1}})", "limits.max_body");
  expect(R"({"accounts":{"scrypt_log2_n":30}})", "accounts.scrypt_log2_n");
  expect(R"({"tls":{"cert":"/x.pem"}})", "tls");
  expect(R"({"rule_keys":["short"]})", "rule_keys[0]");
  expect(R"({"rate_limits":{"per_address":{"per_second":-1}}})", "rate_limits.per_address.per_second");
}
