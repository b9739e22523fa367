#include "install/manifest.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "install/extension_ids.hpp"

using namespace dealstack::install;
using nlohmann::json;

namespace {
const std::string kId = "abcdefghijklmnopabcdefghijklmnop";
const std::string kFile = "com.dealstack.host.json";

std::vector<std::string> codes(const ManifestCheck& c) {
  std::vector<std::string> out;
  for (const auto& i : c.issues) out.push_back(i.code);
  return out;
}

bool has(const ManifestCheck& c, const std::string& code) {
  auto v = codes(c);
  return std::find(v.begin(), v.end(), code) != v.end();
}

// A valid Chromium manifest as JSON, for tests to break one field at a time.
json good_chromium() {
  return json::parse(make_manifest(Family::chromium, "/usr/bin/dealstack", {kId}).value());
}
}  // namespace

TEST_CASE("a Chromium manifest has exactly the five fields browsers read") {
  auto text = make_manifest(Family::chromium, "/opt/ds/dealstack", {kId, "pppppppppppppppppppppppppppppppp"});
  REQUIRE(text.ok());
  CHECK(text->back() == '\n');
  const auto m = json::parse(*text);
  CHECK(m.size() == 5);
  CHECK(m["name"] == "com.dealstack.host");
  CHECK(m["description"].get<std::string>().size() > 0);
  CHECK(m["path"] == "/opt/ds/dealstack");
  CHECK(m["type"] == "stdio");
  CHECK(m["allowed_origins"] == json::array({"chrome-extension://" + kId + "/",
                                             "chrome-extension://pppppppppppppppppppppppppppppppp/"}));
  CHECK(!m.contains("allowed_extensions"));
  const auto check = check_manifest(Family::chromium, kFile, *text);
  CHECK(check.issues.empty());
  CHECK(check.content.path == "/opt/ds/dealstack");
  CHECK(check.content.allowed.size() == 2);
}

TEST_CASE("a Firefox manifest lists allowed_extensions, not origins") {
  auto text = make_manifest(Family::firefox, "/opt/ds/dealstack", {"dealstack@dealstack.dev",
                                                                   "{12345678-9abc-def0-1234-56789abcdef0}"});
  REQUIRE(text.ok());
  const auto m = json::parse(*text);
  CHECK(m["allowed_extensions"] == json::array({"dealstack@dealstack.dev", "{12345678-9abc-def0-1234-56789abcdef0}"}));
  CHECK(!m.contains("allowed_origins"));
  CHECK(check_manifest(Family::firefox, kFile, *text).issues.empty());
  // Checked as the other family, the list is missing.
  CHECK(has(check_manifest(Family::chromium, kFile, *text), "manifest_no_allowed_ids"));
}

TEST_CASE("make_manifest refuses relative paths, no ids and malformed ids") {
  auto rel = make_manifest(Family::chromium, "bin/dealstack", {kId});
  REQUIRE(!rel.ok());
  CHECK(rel.error().code == "invalid_host_path");
  auto none = make_manifest(Family::firefox, "/bin/ds", {});
  REQUIRE(!none.ok());
  CHECK(none.error().code == "no_extension_ids");
  auto bad = make_manifest(Family::chromium, "/bin/ds", {"abcdefghijklmnopabcdefghijklmnoq"});
  REQUIRE(!bad.ok());
  CHECK(bad.error().code == "invalid_extension_id");
  CHECK(bad.error().message.find("abcdefghijklmnopabcdefghijklmnoq") != std::string::npos);
  auto ff = make_manifest(Family::firefox, "/bin/ds", {kId});
  REQUIRE(!ff.ok());
  CHECK(ff.error().code == "invalid_extension_id");
}

TEST_CASE("the default extension ids are well-formed") {
  CHECK(valid_chromium_id(kDevChromiumExtensionId));
  CHECK(valid_firefox_id(kFirefoxExtensionId));
}

TEST_CASE("Chromium ids are 32 letters a-p") {
  CHECK(valid_chromium_id(kId));
  CHECK(!valid_chromium_id(kId.substr(1)));
  CHECK(!valid_chromium_id(kId + "a"));
  CHECK(!valid_chromium_id("abcdefghijklmnopabcdefghijklmnoP"));
  CHECK(!valid_chromium_id("abcdefghijklmnopabcdefghijklmnoq"));
  CHECK(!valid_chromium_id(""));
  CHECK(chromium_origin(kId) == "chrome-extension://" + kId + "/");
  CHECK(id_of_origin(chromium_origin(kId)) == kId);
  CHECK(id_of_origin("chrome-extension://" + kId).empty());        // no trailing slash
  CHECK(id_of_origin("chrome-extension://" + kId + "/x").empty());
  CHECK(id_of_origin("moz-extension://" + kId + "/").empty());
  CHECK(id_of_origin("chrome-extension://*/").empty());
}

TEST_CASE("Firefox ids are name@domain or a braced uuid") {
  CHECK(valid_firefox_id("dealstack@dealstack.dev"));
  CHECK(valid_firefox_id("@dealstack"));
  CHECK(valid_firefox_id("{12345678-9abc-def0-1234-56789ABCDEF0}"));
  CHECK(!valid_firefox_id("dealstack"));
  CHECK(!valid_firefox_id("dealstack@"));
  CHECK(!valid_firefox_id("deal stack@x.dev"));
  CHECK(!valid_firefox_id("a@b@c"));
  CHECK(!valid_firefox_id("{12345678-9abc-def0-1234-56789abcdef}"));
  CHECK(!valid_firefox_id("{12345678-9abc-def0-1234-56789abcdefg}"));
  CHECK(!valid_firefox_id("12345678-9abc-def0-1234-56789abcdef0"));
  CHECK(!valid_firefox_id(std::string(250, 'a') + "@b.dev"));
}

TEST_CASE("host names follow Chromium's rules") {
  CHECK(valid_host_name("com.dealstack.host"));
  CHECK(valid_host_name("a_b.c9"));
  CHECK(!valid_host_name("Com.dealstack.host"));
  CHECK(!valid_host_name(".com.dealstack"));
  CHECK(!valid_host_name("com.dealstack."));
  CHECK(!valid_host_name("com..dealstack"));
  CHECK(!valid_host_name("com-dealstack"));
  CHECK(!valid_host_name(""));
  CHECK(manifest_file_name() == "com.dealstack.host.json");
  CHECK(valid_host_name(kHostName));
}

TEST_CASE("check_manifest names each broken field") {
  CHECK(codes(check_manifest(Family::chromium, kFile, "{\"name\":")) == std::vector<std::string>{"manifest_invalid_json"});
  CHECK(codes(check_manifest(Family::chromium, kFile, "[1]")) == std::vector<std::string>{"manifest_not_object"});

  auto m = good_chromium();
  m["name"] = "com.other.host";
  CHECK(codes(check_manifest(Family::chromium, kFile, m.dump())) == std::vector<std::string>{"manifest_name_mismatch"});
  // The same name is right in its own file.
  CHECK(check_manifest(Family::chromium, "com.other.host.json", m.dump()).issues.empty());
  m["name"] = "Com.Dealstack";
  CHECK(has(check_manifest(Family::chromium, kFile, m.dump()), "manifest_bad_name"));

  m = good_chromium();
  m["description"] = "";
  CHECK(codes(check_manifest(Family::chromium, kFile, m.dump())) == std::vector<std::string>{"manifest_bad_description"});
  m.erase("description");
  CHECK(has(check_manifest(Family::chromium, kFile, m.dump()), "manifest_bad_description"));

  m = good_chromium();
  m["path"] = "dealstack";
  auto rel = check_manifest(Family::chromium, kFile, m.dump());
  CHECK(codes(rel) == std::vector<std::string>{"manifest_bad_path"});
  CHECK(rel.issues[0].message.find("\"dealstack\"") != std::string::npos);
  m["path"] = 7;
  CHECK(has(check_manifest(Family::chromium, kFile, m.dump()), "manifest_bad_path"));

  m = good_chromium();
  m["type"] = "socket";
  CHECK(codes(check_manifest(Family::chromium, kFile, m.dump())) == std::vector<std::string>{"manifest_bad_type"});

  m = good_chromium();
  m["allowed_origins"] = json::array();
  CHECK(codes(check_manifest(Family::chromium, kFile, m.dump())) == std::vector<std::string>{"manifest_no_allowed_ids"});
  m["allowed_origins"] = json::array({"chrome-extension://*/", 3});
  auto bad = check_manifest(Family::chromium, kFile, m.dump());
  CHECK(codes(bad) == std::vector<std::string>{"manifest_bad_allowed_id", "manifest_bad_allowed_id"});
  CHECK(bad.issues[0].message.find("chrome-extension://*/") != std::string::npos);
}

TEST_CASE("check_manifest keeps messages short for huge values") {
  auto m = good_chromium();
  m["path"] = std::string(100000, 'x');
  auto c = check_manifest(Family::chromium, kFile, m.dump());
  REQUIRE(c.issues.size() == 1);
  CHECK(c.issues[0].message.size() < 400);
}
