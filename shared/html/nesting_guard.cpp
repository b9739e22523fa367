#include "html/nesting_guard.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace dealstack::html {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Tag names are views into the input, in any case; the lists below are lower case.
bool iequals(std::string_view a, std::string_view lower_b) {
  if (a.size() != lower_b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower_b[i]) return false;
  return true;
}

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (iequals(name, n)) return true;
  return false;
}

bool is_void(std::string_view n) {
  return one_of(n, {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                    "track", "wbr", "keygen", "basefont", "bgsound", "frame", "image"});
}

// Elements whose content is text up to their end tag.
bool is_raw_text(std::string_view n) {
  return one_of(n, {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
                    "plaintext"});
}

// Start tags that close an open <p> (the HTML parser's "close a p element").
bool closes_p(std::string_view n) {
  return one_of(n, {"address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div", "dl",
                    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
                    "header", "hgroup", "hr", "li", "dd", "dt", "main", "menu", "nav", "ol", "p", "pre", "section",
                    "summary", "table", "ul", "listing"});
}

// Implied end tags: a new <li> closes the open <li> of its list, <td> the open cell of its
// row, <tr> the open row (and so its cells), and so on. The nearest `targets` element is
// closed with everything above it, searching down the stack until a `boundary`.
struct Implied {
  std::initializer_list<std::string_view> targets;
  std::initializer_list<std::string_view> boundaries;
};

const Implied* implied_for(std::string_view name) {
  char buf[16];
  if (name.size() >= sizeof buf) return nullptr;
  for (std::size_t i = 0; i < name.size(); ++i) buf[i] = lower(name[i]);
  const std::string_view n(buf, name.size());
  static const Implied li{{"li"}, {"ul", "ol", "menu"}};
  static const Implied dtdd{{"dt", "dd"}, {"dl"}};
  static const Implied option{{"option"}, {"select", "datalist", "optgroup"}};
  static const Implied optgroup{{"optgroup"}, {"select"}};
  static const Implied cell{{"td", "th"}, {"tr", "table"}};
  static const Implied row{{"tr"}, {"table", "tbody", "thead", "tfoot"}};
  static const Implied section{{"tbody", "thead", "tfoot"}, {"table"}};
  if (n == "li") return &li;
  if (n == "dt" || n == "dd") return &dtdd;
  if (n == "option") return &option;
  if (n == "optgroup") return &optgroup;
  if (n == "td" || n == "th") return &cell;
  if (n == "tr") return &row;
  if (n == "tbody" || n == "thead" || n == "tfoot") return &section;
  return nullptr;
}

// Pops the stack down through the nearest `targets` element, if one is open above any
// `boundaries` element within kEndTagSearch entries.
void close_implied(std::vector<std::string_view>& open, std::initializer_list<std::string_view> targets,
                   std::initializer_list<std::string_view> boundaries);

// How far down the stack an end tag looks for its element: unmatched end tags are ignored.
constexpr std::size_t kEndTagSearch = 32;

struct Tag {
  bool end = false;
  bool self_closing = false;
  std::string_view name;  // as written (any case)
  std::size_t stop = 0;  // index just past the '>'
};

// Reads the tag starting at s[i] == '<' (followed by a letter, or '/' and a letter).
Tag read_tag(std::string_view s, std::size_t i) {
  Tag t;
  std::size_t j = i + 1;
  if (s[j] == '/') {
    t.end = true;
    ++j;
  }
  const std::size_t name_start = j;
  while (j < s.size() && !is_space(s[j]) && s[j] != '/' && s[j] != '>') ++j;
  t.name = s.substr(name_start, j - name_start);
  char quote = 0;
  for (; j < s.size(); ++j) {
    const char c = s[j];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      t.self_closing = j > 0 && s[j - 1] == '/';
      t.stop = j + 1;
      return t;
    }
  }
  t.stop = s.size();
  return t;
}

// Index past the end of a raw-text element's content: its "</name" end tag or the input end.
std::size_t skip_raw_text(std::string_view s, std::size_t from, std::string_view name) {
  for (std::size_t k = from; k + 1 + name.size() < s.size(); ++k) {
    if (s[k] != '<' || s[k + 1] != '/') continue;
    std::size_t m = 0;
    while (m < name.size() && lower(s[k + 2 + m]) == lower(name[m])) ++m;
    if (m == name.size()) return k;
  }
  return s.size();
}

void close_implied(std::vector<std::string_view>& open, std::initializer_list<std::string_view> targets,
                   std::initializer_list<std::string_view> boundaries) {
  const std::size_t limit = std::min(open.size(), kEndTagSearch);
  for (std::size_t k = 1; k <= limit; ++k) {
    const std::string_view name = open[open.size() - k];
    if (one_of(name, targets)) {
      open.resize(open.size() - k);
      return;
    }
    if (one_of(name, boundaries)) return;
  }
}

// One pass; when `out` is null it only measures. Returns true when something was too deep.
bool scan(std::string_view s, std::size_t max_depth, std::string* out) {
  std::vector<std::string_view> open;        // approximate open elements
  std::vector<std::string_view> suppressed;  // start tags dropped, awaiting their end tags
  bool too_deep = false;
  std::size_t copied = 0;  // s[0, copied) is already in *out
  auto drop = [&](std::size_t from, std::size_t to) {
    if (out) {
      out->append(s.substr(copied, from - copied));
      copied = to;
    }
  };
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t lt = s.find('<', i);
    if (lt == std::string_view::npos || lt + 1 >= s.size()) break;
    const char c1 = s[lt + 1];
    if (c1 == '!') {
      if (s.substr(lt, 4) == "<!--") {
        const auto end = s.find("-->", lt + 4);
        i = end == std::string_view::npos ? s.size() : end + 3;
      } else {
        const auto end = s.find('>', lt + 2);
        i = end == std::string_view::npos ? s.size() : end + 1;
      }
      continue;
    }
    if (c1 == '?') {
      const auto end = s.find('>', lt + 2);
      i = end == std::string_view::npos ? s.size() : end + 1;
      continue;
    }
    if (!(is_alpha(c1) || (c1 == '/' && lt + 2 < s.size() && is_alpha(s[lt + 2])))) {
      i = lt + 1;
      continue;
    }
    Tag tag = read_tag(s, lt);
    i = tag.stop;
    if (tag.end) {
      if (!suppressed.empty() && same_name(suppressed.back(), tag.name)) {
        suppressed.pop_back();
        drop(lt, tag.stop);
        continue;
      }
      const std::size_t limit = std::min(open.size(), kEndTagSearch);
      for (std::size_t k = 1; k <= limit; ++k) {
        if (same_name(open[open.size() - k], tag.name)) {
          open.resize(open.size() - k);
          break;
        }
      }
      continue;
    }
    if (is_raw_text(tag.name)) {
      i = skip_raw_text(s, i, tag.name);
      continue;
    }
    if (is_void(tag.name) || tag.self_closing) continue;
    if (closes_p(tag.name)) close_implied(open, {"p"}, {"div", "table", "ul", "ol", "button", "section", "article"});
    if (const Implied* implied = implied_for(tag.name)) close_implied(open, implied->targets, implied->boundaries);
    if (open.size() >= max_depth) {
      too_deep = true;
      if (!out) return true;
      suppressed.push_back(tag.name);
      drop(lt, tag.stop);
      continue;
    }
    open.push_back(tag.name);
  }
  if (out) out->append(s.substr(copied));
  return too_deep;
}

}  // namespace

std::optional<std::string> limit_nesting(std::string_view html, std::size_t max_depth) {
  if (!scan(html, max_depth, nullptr)) return std::nullopt;
  std::string out;
  out.reserve(html.size());
  scan(html, max_depth, &out);
  return out;
}

}  // namespace dealstack::html
