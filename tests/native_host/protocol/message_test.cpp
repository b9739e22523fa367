#include "protocol/message.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace dealstack::protocol;

TEST_CASE("a request with id, method and params parses") {
  auto r = parse_request(R"({"id":7,"method":"hello","params":{"a":1}})");
  REQUIRE(r.ok());
  CHECK(r->id == 7);
  CHECK(r->method == "hello");
  CHECK(r->params["a"] == 1);
  auto s = parse_request(R"({"id":"x-1","method":"watch.list"})");
  REQUIRE(s.ok());
  CHECK(s->params.is_object());
  CHECK(s->params.empty());
}

TEST_CASE("broken messages name what is wrong, and keep the id when there is one") {
  Json id;
  auto a = parse_request("{\"id\":1,", &id);
  REQUIRE(!a.ok());
  CHECK(a.error().code == "invalid_json");
  auto b = parse_request("[1,2]");
  CHECK(b.error().code == "invalid_request");
  auto c = parse_request(R"({"method":"hello"})");
  CHECK(c.error().code == "invalid_request");
  CHECK(c.error().message.find("id") != std::string::npos);
  auto d = parse_request(R"({"id":1.5,"method":"hello"})");
  CHECK(d.error().code == "invalid_request");
  id = nullptr;
  auto e = parse_request(R"({"id":9,"method":3})", &id);
  CHECK(e.error().code == "invalid_request");
  CHECK(e.error().message.find("method") != std::string::npos);
  CHECK(id == 9);
  auto f = parse_request(R"({"id":9,"method":"hello","params":[1]})");
  CHECK(f.error().code == "invalid_params");
}

TEST_CASE("replies, errors and events have the documented shapes") {
  CHECK(Json::parse(reply_text(3, {{"ok", true}})) == Json{{"id", 3}, {"result", {{"ok", true}}}});
  CHECK(Json::parse(error_text("a", dealstack::make_error("not_found", "no watch 4"))) ==
        Json{{"id", "a"}, {"error", {{"code", "not_found"}, {"message", "no watch 4"}}}});
  CHECK(Json::parse(event_text("alert", {{"kind", "restock"}})) ==
        Json{{"event", "alert"}, {"data", {{"kind", "restock"}}}});
}

TEST_CASE("a message over the limit is split into chunks that reassemble exactly") {
  // Text with quotes, backslashes, control characters and multi-byte characters, which
  // escape to more bytes than they take.
  std::string body;
  for (int i = 0; i < 40000; ++i) body += (i % 7 == 0) ? "\"\\\x01" : (i % 5 == 0 ? "\xe2\x82\xac" : "ab");
  const std::string message = reply_text(42, {{"text", body}});
  const std::size_t limit = 64 * 1024;
  auto parts = split_for_browser(message, limit);
  REQUIRE(parts.size() > 2);
  std::string joined;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    CHECK(parts[i].size() + 4 <= limit);
    Json c = Json::parse(parts[i]);
    CHECK(c["chunk"]["id"] == 42);
    CHECK(c["chunk"]["index"] == i);
    CHECK(c["chunk"]["count"] == parts.size());
    joined += c["chunk"]["data"].get<std::string>();
  }
  CHECK(joined == message);
  // Small messages go as they are.
  auto one = split_for_browser(reply_text(1, {{"a", 1}}), limit);
  REQUIRE(one.size() == 1);
  CHECK(Json::parse(one[0])["result"]["a"] == 1);
}
