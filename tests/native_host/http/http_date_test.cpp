#include "http/http_date.hpp"

#include <doctest/doctest.h>

using namespace dealstack::http;

TEST_CASE("the three HTTP-date forms give the same instant") {
  const std::int64_t want = 784111777;  // 1994-11-06 08:49:37 UTC
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == want);
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == want);
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == want);
  CHECK(parse_http_date(" Sun, 06 Nov 1994 08:49:37 GMT ") == want);
}

TEST_CASE("malformed or impossible dates are not dates") {
  CHECK_FALSE(parse_http_date(""));
  CHECK_FALSE(parse_http_date("yesterday"));
  CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"));
  CHECK_FALSE(parse_http_date("Sun, 31 Feb 2021 08:49:37 GMT"));
  CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 24:00:00 GMT"));
  CHECK_FALSE(parse_http_date("Sun, 06 Abc 1994 08:49:37 GMT"));
  CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT trailing"));
  CHECK(parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT") == 1709164800);
  CHECK_FALSE(parse_http_date("Thu, 29 Feb 2023 00:00:00 GMT"));
}

TEST_CASE("formatted dates parse back to the same second") {
  for (std::int64_t t : {0LL, 784111777LL, 951782400LL /* 2000-02-29 */, 1709164800LL, 4102444799LL}) {
    CAPTURE(t);
    auto text = format_http_date(t);
    CHECK(text.size() == 29);
    CHECK(parse_http_date(text) == t);
  }
  CHECK(format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST_CASE("Retry-After in seconds or as a date becomes seconds from now") {
  const std::int64_t now = 1700000000;
  CHECK(parse_retry_after("120", now) == 120);
  CHECK(parse_retry_after(" 0 ", now) == 0);
  CHECK(parse_retry_after("99999999999999999999", now) == kMaxRetryAfterSeconds);
  CHECK(parse_retry_after(format_http_date(now + 90), now) == 90);
  CHECK(parse_retry_after(format_http_date(now - 90), now) == 0);
  CHECK_FALSE(parse_retry_after("-5", now));
  CHECK_FALSE(parse_retry_after("1.5", now));
  CHECK_FALSE(parse_retry_after("soon", now));
  CHECK_FALSE(parse_retry_after("", now));
}
