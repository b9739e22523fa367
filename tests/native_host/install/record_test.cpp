#include "install/record.hpp"

#include <doctest/doctest.h>

#include <string>

#include "test_support.hpp"

using namespace dealstack::install;
using install_test::mode_of;
using install_test::spit;
using install_test::TempDir;

TEST_CASE("a record saves and loads back; an empty one removes the file") {
  TempDir t;
  const auto file = t.path / "data" / "installed.json";
  auto none = load_record(file);
  REQUIRE(none.ok());
  CHECK(none->manifests.empty());

  InstallRecord rec;
  RecordedManifest m;
  m.browser = Browser::brave;
  m.place = Place::profile;
  m.file = "/p/NativeMessagingHosts/com.dealstack.host.json";
  m.allowed = {"chrome-extension://abcdefghijklmnopabcdefghijklmnop/"};
  m.content = "{\"x\": \"\\u0001 bytes\"}\n";
  m.allow_list = "/c/allowed_origins.json";
  rec.manifests.push_back(m);
  rec.created_dirs = {"/p/NativeMessagingHosts"};
  rec.allow_lists = {"/c/allowed_origins.json"};
  REQUIRE(save_record(file, rec).ok());
  CHECK(mode_of(file) == 0600);
  CHECK(mode_of(file.parent_path()) == 0700);

  auto back = load_record(file);
  REQUIRE(back.ok());
  REQUIRE(back->manifests.size() == 1);
  CHECK(back->manifests[0].browser == Browser::brave);
  CHECK(back->manifests[0].place == Place::profile);
  CHECK(back->manifests[0].file == m.file);
  CHECK(back->manifests[0].allowed == m.allowed);
  CHECK(back->manifests[0].content == m.content);
  CHECK(back->manifests[0].allow_list == m.allow_list);
  CHECK(back->created_dirs == rec.created_dirs);
  CHECK(back->allow_lists == rec.allow_lists);

  REQUIRE(save_record(file, InstallRecord{}).ok());
  CHECK(!std::filesystem::exists(file));
}

TEST_CASE("a damaged record is invalid_record naming the file") {
  TempDir t;
  const auto file = t.path / "installed.json";
  for (const std::string text :
       {"nope", "[]", "{}", "{\"manifests\": [1]}", "{\"manifests\": [{\"browser\": \"chrome\"}]}",
        "{\"manifests\": [{\"browser\": \"netscape\", \"place\": \"user\", \"file\": \"/a\", \"allowed\": [],"
        " \"content\": \"\", \"allow_list\": \"/l\"}]}",
        "{\"manifests\": [{\"browser\": \"chrome\", \"place\": \"user\", \"file\": \"rel\", \"allowed\": [],"
        " \"content\": \"\", \"allow_list\": \"/l\"}]}",
        "{\"manifests\": [], \"created_dirs\": [\"relative\"]}"}) {
    CAPTURE(text);
    spit(file, text);
    auto r = load_record(file);
    REQUIRE(!r.ok());
    CHECK(r.error().code == "invalid_record");
    CHECK(r.error().message.find(file.string()) != std::string::npos);
  }
}
