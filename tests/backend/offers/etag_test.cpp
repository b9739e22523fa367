#include "offers/etag.hpp"

#include <doctest/doctest.h>

using namespace dealstack::backend;

TEST_CASE("a strong ETag is the quoted first 32 hex digits of the body's SHA-256") {
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
  CHECK(strong_etag("abc") == "\"ba7816bf8f01cfea414140de5dae2223\"");
  CHECK(strong_etag("abc") != strong_etag("abd"));
}

TEST_CASE("If-None-Match matches the tag, a list holding it, a weak form of it, or *") {
  const std::string tag = strong_etag("body");
  CHECK(if_none_match(tag, tag));
  CHECK(if_none_match("\"x\", " + tag, tag));
  CHECK(if_none_match(" \"x\" ,\t" + tag + " ", tag));
  CHECK(if_none_match("W/" + tag, tag));
  CHECK(if_none_match("*", tag));
  CHECK_FALSE(if_none_match("", tag));
  CHECK_FALSE(if_none_match("\"x\"", tag));
  CHECK_FALSE(if_none_match(tag.substr(1), tag));  // unquoted is another tag
  CHECK_FALSE(if_none_match(",,,", tag));
}
