#include "protocol/dispatcher.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace dealstack;
using namespace dealstack::protocol;

TEST_CASE("the dispatcher routes by method and wraps results and errors") {
  Dispatcher d;
  d.add("echo", [](const Json& p) -> Result<Json> { return p; });
  d.add("fail", [](const Json&) -> Result<Json> { return make_error("not_found", "nothing here"); });
  d.add("throw", [](const Json&) -> Result<Json> { throw std::runtime_error("boom"); });
  CHECK(Json::parse(d.handle(R"({"id":1,"method":"echo","params":{"x":2}})")) ==
        Json{{"id", 1}, {"result", {{"x", 2}}}});
  CHECK(Json::parse(d.handle(R"({"id":2,"method":"fail"})"))["error"]["code"] == "not_found");
  auto t = Json::parse(d.handle(R"({"id":3,"method":"throw"})"));
  CHECK(t["error"]["code"] == "internal_error");
  CHECK(t["id"] == 3);
  auto u = Json::parse(d.handle(R"({"id":4,"method":"nope"})"));
  CHECK(u["error"]["code"] == "unknown_method");
  CHECK(u["error"]["message"].get<std::string>().find("nope") != std::string::npos);
  auto v = Json::parse(d.handle("not json"));
  CHECK(v["error"]["code"] == "invalid_json");
  CHECK(v["id"].is_null());
}

TEST_CASE("params getters name the field and enforce types and ranges") {
  const Json j = {{"s", "x"}, {"n", 5}, {"b", true}, {"big", 1e30}, {"neg", -3}, {"u", 18446744073709551615ull}};
  Params p(j);
  CHECK(*p.string("s") == "x");
  CHECK(p.string("missing").error().code == "invalid_params");
  CHECK(p.string("missing").error().message.find("missing") != std::string::npos);
  CHECK(p.string("n").error().message.find("n:") == 0);
  CHECK(*p.integer("n", 0, 10) == 5);
  CHECK(p.integer("n", 6, 10).error().code == "invalid_params");
  CHECK(p.integer("big", 0, 10).error().code == "invalid_params");
  CHECK(p.integer("neg", 0, 10).error().code == "invalid_params");
  CHECK(p.integer("u", 0, 10).error().code == "invalid_params");
  CHECK(!p.optional_integer("missing", 0, 1)->has_value());
  CHECK(*p.boolean("b", false) == true);
  CHECK(*p.boolean("missing", true) == true);
  CHECK(p.boolean("s", true).error().code == "invalid_params");
  CHECK(p.string("s", 0).error().code == "invalid_params");
}
