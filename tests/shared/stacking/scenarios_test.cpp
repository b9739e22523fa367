// Runs every scenario in tests/fixtures/stacking/scenarios/ (one JSON file each):
//   {"name": "...", "why": "how the expected numbers were worked out by hand",
//    "request": {...},                         the stacking request
//    "expect": {...}}                          a partial result: every key given must match
// or, for requests that must be refused,
//    "expect_error": {"code": "...", "field": "offers[0].discount.percent"}
// In "expect", objects match when each listed key matches (other keys are ignored) and
// arrays match element by element with the same length. The same files feed the
// native-vs-wasm parity test (tests/wasm/stack_parity.test.mjs) and the schema test.
#include "stacking/stacker.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixtures.hpp"

using nlohmann::json;
using namespace dealstack;

namespace {

void match(const json& expected, const json& actual, const std::string& path,
           std::vector<std::string>& mismatches) {
  if (expected.is_object()) {
    if (!actual.is_object()) {
      mismatches.push_back(path + ": expected an object, got " + actual.dump());
      return;
    }
    for (const auto& [key, value] : expected.items()) {
      const auto it = actual.find(key);
      if (it == actual.end()) {
        mismatches.push_back(path + "." + key + ": missing");
        continue;
      }
      match(value, *it, path + "." + key, mismatches);
    }
  } else if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      mismatches.push_back(path + ": expected " + expected.dump() + ", got " + actual.dump());
      return;
    }
    for (std::size_t i = 0; i < expected.size(); ++i)
      match(expected[i], actual[i], path + "[" + std::to_string(i) + "]", mismatches);
  } else if (expected != actual) {
    mismatches.push_back(path + ": expected " + expected.dump() + ", got " + actual.dump());
  }
}

std::vector<std::string> scenario_files() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(test::fixture_path("stacking/scenarios")))
    if (entry.path().extension() == ".json") files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("stacking scenarios match their hand-computed answers") {
  const auto files = scenario_files();
  CHECK(files.size() >= 1);
  for (const std::string& file : files) {
    CAPTURE(file);
    const json fx = json::parse(test::read_fixture("stacking/scenarios/" + file), nullptr, false);
    REQUIRE_FALSE(fx.is_discarded());
    REQUIRE(fx.contains("request"));
    const std::string request = fx["request"].dump();
    auto result = stacking::stack_deals_json(request);
    if (fx.contains("expect_error")) {
      REQUIRE_FALSE(result.ok());
      CHECK(result.error().code == fx["expect_error"]["code"].get<std::string>());
      if (fx["expect_error"].contains("field")) {
        const std::string field = fx["expect_error"]["field"].get<std::string>();
        CAPTURE(result.error().message);
        CHECK(result.error().message.rfind(field + ":", 0) == 0);
      }
      continue;
    }
    if (!result.ok()) FAIL_CHECK(result.error().code << ": " << result.error().message);
    if (!result.ok()) continue;
    // The writer's text is what nlohmann would write for the same document (keys in order).
    const json doc = json::parse(*result, nullptr, false);
    REQUIRE_FALSE(doc.is_discarded());
    CHECK(doc.dump(-1, ' ', false, json::error_handler_t::replace) == *result);
    std::vector<std::string> mismatches;
    match(fx["expect"], doc, "result", mismatches);
    std::string report;
    for (const auto& m : mismatches) report += m + "\n";
    CHECK_MESSAGE(mismatches.empty(), report);
    // Same request, same bytes.
    auto again = stacking::stack_deals_json(request);
    REQUIRE(again.ok());
    CHECK(*again == *result);
  }
}
