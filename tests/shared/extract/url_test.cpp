#include "extract/url.hpp"

#include <doctest/doctest.h>

#include <string>

using dealstack::resolve_url;

// RFC 3986 section 5.4 examples, base "http://a/b/c/d;p?q". resolve_url keeps only http(s)
// results, so "g:h" (another scheme) gives "" instead of "g:h".
TEST_CASE("RFC 3986 5.4.1 normal examples") {
  const std::string base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"g", "http://a/b/c/g"},         {"./g", "http://a/b/c/g"},       {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},            {"//g", "http://g"},             {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},     {"#s", "http://a/b/c/d;p?q#s"},  {"g#s", "http://a/b/c/g#s"},
      {"g?y#s", "http://a/b/c/g?y#s"}, {";x", "http://a/b/c/;x"},       {"g;x", "http://a/b/c/g;x"},
      {"g;x?y#s", "http://a/b/c/g;x?y#s"},
      {".", "http://a/b/c/"},          {"./", "http://a/b/c/"},         {"..", "http://a/b/"},
      {"../", "http://a/b/"},          {"../g", "http://a/b/g"},        {"../..", "http://a/"},
      {"../../", "http://a/"},         {"../../g", "http://a/g"},
  };
  for (const auto& [ref, want] : cases) {
    // clang 14 (the wasm build) can't capture a structured binding in INFO's lambda.
    const auto& ref_text = ref;
    INFO("ref: " << ref_text);
    CHECK(resolve_url(base, ref) == want);
  }
  CHECK(resolve_url(base, "g:h") == "");
}

TEST_CASE("RFC 3986 5.4.2 abnormal examples") {
  const std::string base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"../../../g", "http://a/g"},         {"../../../../g", "http://a/g"},
      {"/./g", "http://a/g"},               {"/../g", "http://a/g"},
      {"g.", "http://a/b/c/g."},            {".g", "http://a/b/c/.g"},
      {"g..", "http://a/b/c/g.."},          {"..g", "http://a/b/c/..g"},
      {"./../g", "http://a/b/g"},           {"./g/.", "http://a/b/c/g/"},
      {"g/./h", "http://a/b/c/g/h"},        {"g/../h", "http://a/b/c/h"},
      {"g;x=1/./y", "http://a/b/c/g;x=1/y"}, {"g;x=1/../y", "http://a/b/c/y"},
      {"g?y/./x", "http://a/b/c/g?y/./x"},  {"g?y/../x", "http://a/b/c/g?y/../x"},
      {"g#s/./x", "http://a/b/c/g#s/./x"},  {"g#s/../x", "http://a/b/c/g#s/../x"},
  };
  for (const auto& [ref, want] : cases) {
    // clang 14 (the wasm build) can't capture a structured binding in INFO's lambda.
    const auto& ref_text = ref;
    INFO("ref: " << ref_text);
    CHECK(resolve_url(base, ref) == want);
  }
}

TEST_CASE("absolute http(s) references are returned as they are") {
  CHECK(resolve_url("https://shop.example/a/b", "https://cdn.example/x.jpg") == "https://cdn.example/x.jpg");
  CHECK(resolve_url("", "http://cdn.example/x.jpg") == "http://cdn.example/x.jpg");
  CHECK(resolve_url("https://shop.example/", "HTTPS://CDN.example/X.jpg") == "HTTPS://CDN.example/X.jpg");
}

TEST_CASE("protocol-relative references take the base's scheme") {
  CHECK(resolve_url("https://shop.example/p/1", "//cdn.example/img/1.jpg") == "https://cdn.example/img/1.jpg");
  CHECK(resolve_url("http://shop.example/p/1", "//cdn.example/img/1.jpg") == "http://cdn.example/img/1.jpg");
}

TEST_CASE("a base without a path, with a query or with a fragment") {
  CHECK(resolve_url("https://shop.example", "img/1.jpg") == "https://shop.example/img/1.jpg");
  CHECK(resolve_url("https://shop.example", "?page=2") == "https://shop.example/?page=2");
  CHECK(resolve_url("https://shop.example/p/1?color=red#reviews", "2") == "https://shop.example/p/2");
  CHECK(resolve_url("https://shop.example:8443/p/1", "/img/a.png") == "https://shop.example:8443/img/a.png");
}

TEST_CASE("white space around the reference is ignored") {
  CHECK(resolve_url("https://shop.example/p/", "  \n img/1.jpg\t ") == "https://shop.example/p/img/1.jpg");
}

TEST_CASE("non-web schemes and unusable bases give an empty string") {
  CHECK(resolve_url("https://shop.example/", "javascript:void(0)") == "");
  CHECK(resolve_url("https://shop.example/", "data:image/png;base64,AAAA") == "");
  CHECK(resolve_url("https://shop.example/", "mailto:a@b.example") == "");
  CHECK(resolve_url("", "img/1.jpg") == "");                      // no base at all
  CHECK(resolve_url("file:///tmp/page.html", "img/1.jpg") == "");  // not a web base
  CHECK(resolve_url("shop.example/p", "img/1.jpg") == "");         // no scheme
  CHECK(resolve_url("https://shop.example/", "") == "");
  CHECK(resolve_url("https://shop.example/", "   ") == "");
}

TEST_CASE("a colon after the first slash is not a scheme") {
  CHECK(resolve_url("https://shop.example/a/", "img:1/x.jpg") == "");  // "img:" is a scheme
  CHECK(resolve_url("https://shop.example/a/", "./img:1/x.jpg") == "https://shop.example/a/img:1/x.jpg");
  CHECK(resolve_url("https://shop.example/a/", "/x/y:z.jpg") == "https://shop.example/x/y:z.jpg");
}
