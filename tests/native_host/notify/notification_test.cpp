#include "notify/notification.hpp"

#include <doctest/doctest.h>

#include <string>

#include "text/utf8.hpp"

using namespace dealstack::notify;

namespace {

Notification basic() {
  Notification n;
  n.summary = "Price drop";
  n.body = "Now 19.99 EUR";
  return n;
}

}  // namespace

TEST_CASE("escape_markup replaces the five markup characters and keeps the rest") {
  CHECK(escape_markup("a & b < c > d \" e ' f") == "a &amp; b &lt; c &gt; d &quot; e &apos; f");
  CHECK(escape_markup("<b>bold</b>") == "&lt;b&gt;bold&lt;/b&gt;");
  CHECK(escape_markup("&amp;") == "&amp;amp;");
  CHECK(escape_markup("Grüße 🎉") == "Grüße 🎉");
  CHECK(escape_markup("") == "");
}

TEST_CASE("truncate_utf8 keeps short text and cuts long text on a character boundary") {
  CHECK(truncate_utf8("short", 10) == "short");
  CHECK(truncate_utf8("exactly10!", 10) == "exactly10!");
  CHECK(truncate_utf8("0123456789ab", 10) == "0123456\xE2\x80\xA6");

  // Every bound from 0 to past the end: never longer than the bound, always valid UTF-8,
  // and what is kept (before the ellipsis) is a prefix of the input.
  const std::string mixed = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8E\x89z";  // a é € 🎉 z
  for (std::size_t max = 0; max <= mixed.size() + 1; ++max) {
    CAPTURE(max);
    const std::string cut = truncate_utf8(mixed, max);
    CHECK(cut.size() <= max);
    CHECK(dealstack::utf8::is_valid(cut));
    std::string kept = cut;
    if (cut.size() >= 3 && cut.compare(cut.size() - 3, 3, "\xE2\x80\xA6") == 0 && cut != mixed) {
      kept.resize(cut.size() - 3);
    }
    CHECK(mixed.compare(0, kept.size(), kept) == 0);
  }
  // The cut falls before a 4-byte character rather than inside it.
  CHECK(truncate_utf8(mixed, 9) == "a\xC3\xA9\xE2\x82\xAC\xE2\x80\xA6");
}

TEST_CASE("prepare escapes the body but not the summary, and keeps the fields") {
  Notification n = basic();
  n.summary = "Tom & Jerry <DVD>";
  n.body = "Was <s>29.99</s> & now 19.99";
  n.app_icon = "dialog-information";
  n.expire_timeout_ms = 7000;
  n.urgency = Urgency::critical;
  auto p = prepare(n);
  REQUIRE(p.ok());
  CHECK(p->summary == "Tom & Jerry <DVD>");
  CHECK(p->body == "Was &lt;s&gt;29.99&lt;/s&gt; &amp; now 19.99");
  CHECK(p->app_icon == "dialog-information");
  CHECK(p->expire_timeout_ms == 7000);
  CHECK(p->urgency == 2);
}

TEST_CASE("prepare makes the summary one line and removes control characters") {
  Notification n = basic();
  n.summary = "line one\nline two\r\t\x1b[31m";
  n.body = "first\nsecond\x07";
  auto p = prepare(n);
  REQUIRE(p.ok());
  CHECK(p->summary == "line one line two   [31m");
  CHECK(p->body == "first\nsecond ");
}

TEST_CASE("prepare replaces invalid UTF-8, which D-Bus would refuse") {
  Notification n = basic();
  n.summary = "bad \xFF byte";
  n.body = "cut \xE2\x82";
  auto p = prepare(n);
  REQUIRE(p.ok());
  CHECK(dealstack::utf8::is_valid(p->summary));
  CHECK(p->summary == "bad \xEF\xBF\xBD byte");
  CHECK(dealstack::utf8::is_valid(p->body));
}

TEST_CASE("prepare bounds summary and body before escaping, so no entity is cut") {
  Limits limits;
  limits.max_summary_bytes = 12;
  limits.max_body_bytes = 10;
  Notification n = basic();
  n.summary = "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9";  // 7 × é, 14 bytes
  n.body = "&&&&&&&&&&&&&&&&";
  auto p = prepare(n, limits);
  REQUIRE(p.ok());
  CHECK(p->summary.size() <= 12);
  CHECK(p->summary == "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xE2\x80\xA6");
  // 7 ampersands and the ellipsis fit in 10 bytes; each ampersand becomes a whole entity.
  CHECK(p->body == "&amp;&amp;&amp;&amp;&amp;&amp;&amp;\xE2\x80\xA6");
}

TEST_CASE("prepare appends the url to the body as an escaped link") {
  Notification n = basic();
  n.url = "https://shop.example/p?id=1&ref=\"x\"";
  auto p = prepare(n);
  REQUIRE(p.ok());
  CHECK(p->body ==
        "Now 19.99 EUR\n<a href=\"https://shop.example/p?id=1&amp;ref=&quot;x&quot;\">"
        "https://shop.example/p?id=1&amp;ref=&quot;x&quot;</a>");
  n.body.clear();
  p = prepare(n);
  REQUIRE(p.ok());
  CHECK(p->body.rfind("<a href=", 0) == 0);
}

TEST_CASE("prepare refuses what it cannot send faithfully") {
  auto code_of = [](const Notification& n, const Limits& l = {}) {
    auto p = prepare(n, l);
    return p.ok() ? std::string("ok") : p.error().code;
  };
  Notification n = basic();
  n.summary = "";
  CHECK(code_of(n) == "invalid_notification");
  n.summary = " \n\t ";
  CHECK(code_of(n) == "invalid_notification");

  n = basic();
  n.expire_timeout_ms = -2;
  auto p = prepare(n);
  REQUIRE_FALSE(p.ok());
  CHECK(p.error().code == "invalid_notification");
  CHECK(p.error().message.find("expire_timeout_ms") != std::string::npos);
  n.expire_timeout_ms = 0;
  CHECK(code_of(n) == "ok");

  n = basic();
  n.url = "javascript:alert(1)";
  CHECK(code_of(n) == "invalid_notification");
  n.url = "file:///etc/passwd";
  CHECK(code_of(n) == "invalid_notification");
  n.url = "https://shop.example/a b";
  CHECK(code_of(n) == "invalid_notification");
  n.url = "HTTP://shop.example/";
  CHECK(code_of(n) == "ok");
  Limits short_urls;
  short_urls.max_url_bytes = 20;
  n.url = "https://shop.example/a-longer-path";
  CHECK(code_of(n, short_urls) == "invalid_notification");

  n = basic();
  n.urgency = static_cast<Urgency>(7);
  CHECK(code_of(n) == "invalid_notification");
}

TEST_CASE("prepare drops an over-long icon instead of sending half a name") {
  Limits limits;
  limits.max_icon_bytes = 8;
  Notification n = basic();
  n.app_icon = "a-very-long-icon-name";
  auto p = prepare(n, limits);
  REQUIRE(p.ok());
  CHECK(p->app_icon.empty());
  n.app_icon = "short";
  p = prepare(n, limits);
  REQUIRE(p.ok());
  CHECK(p->app_icon == "short");
}
