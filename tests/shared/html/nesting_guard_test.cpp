#include "html/nesting_guard.hpp"

#include <doctest/doctest.h>

#include <string>

using dealstack::html::limit_nesting;

namespace {
std::string nested(const std::string& open, const std::string& close, int n, const std::string& inner) {
  std::string s;
  for (int i = 0; i < n; ++i) s += open;
  s += inner;
  for (int i = 0; i < n; ++i) s += close;
  return s;
}
}  // namespace

TEST_CASE("nesting guard leaves ordinary pages alone, without copying") {
  CHECK_FALSE(limit_nesting("<html><body><div><p>a<p>b<ul><li>1<li>2</ul></div></body></html>", 8));
  // Unclosed <p>/<li> and void elements don't pile up depth.
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "<p>para<br><img src=x><li>item";
  CHECK_FALSE(limit_nesting(many, 16));
  // Tags inside comments, scripts and attribute values are not tags.
  CHECK_FALSE(limit_nesting("<!--" + nested("<div>", "", 50, "") + "--><script>" + nested("<b>", "", 50, "") +
                                "</script><a title='<div><div><div>'>x</a>",
                            8));
}

TEST_CASE("nesting guard drops start and end tags past the limit and keeps their text") {
  const auto out = limit_nesting(nested("<div>", "</div>", 10, "deep text") + "<p>after</p>", 4);
  REQUIRE(out);
  CHECK(*out == nested("<div>", "</div>", 4, "deep text") + "<p>after</p>");
}

TEST_CASE("nesting guard handles 100,000 nested elements in one pass") {
  const std::string page = "<h1>Widget</h1>" + nested("<div class=\"x\">", "</div>", 100000, "x") + "<b>tail</b>";
  const auto out = limit_nesting(page, 512);
  REQUIRE(out);
  CHECK(out->find("<h1>Widget</h1>") == 0);
  CHECK(out->size() < 512 * 24 + 100);
  CHECK(out->find("<b>tail</b>") != std::string::npos);
  // Unclosed formatting elements too.
  const auto bold = limit_nesting(nested("<b>", "", 100000, "x"), 512);
  REQUIRE(bold);
  CHECK(bold->size() == 512 * 3 + 1);
}

TEST_CASE("nesting guard survives truncated tags and stray angle brackets") {
  CHECK_FALSE(limit_nesting("<div", 4));
  CHECK_FALSE(limit_nesting("a < b > c </ <<>> <!", 4));
  CHECK_FALSE(limit_nesting("<div title=\"unterminated", 4));
  CHECK_FALSE(limit_nesting("", 4));
}

TEST_CASE("nesting guard: a new row closes the open row and its cells (tables without end tags)") {
  std::string table = "<table>";
  for (int i = 0; i < 3000; ++i) table += "<tr><td>cell<td>cell<th>head";
  table += "</table>";
  CHECK_FALSE(limit_nesting(table, 16));
  std::string lists = "<dl>";
  for (int i = 0; i < 3000; ++i) lists += "<dt>term<dd><p>text<ul><li>a<li>b</ul>";
  CHECK_FALSE(limit_nesting(lists, 16));
  std::string select = "<select>";
  for (int i = 0; i < 3000; ++i) select += "<optgroup label=g><option>a<option>b";
  CHECK_FALSE(limit_nesting(select, 16));
}
