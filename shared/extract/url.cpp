#include "extract/url.hpp"

#include <vector>

#include "text/utf8.hpp"

namespace dealstack {
namespace {

struct Parts {
  std::string_view scheme, authority, path, query;
  bool has_authority = false, has_query = false;
};

Parts split(std::string_view u) {
  Parts p;
  auto frag = u.find('#');
  if (frag != std::string_view::npos) u = u.substr(0, frag);
  auto colon = u.find(':');
  auto first_special = u.find_first_of("/?#");
  if (colon != std::string_view::npos && colon > 0 && (first_special == std::string_view::npos || colon < first_special)) {
    p.scheme = u.substr(0, colon);
    u.remove_prefix(colon + 1);
  }
  if (u.substr(0, 2) == "//") {
    u.remove_prefix(2);
    auto end = u.find_first_of("/?");
    p.authority = u.substr(0, end);
    p.has_authority = true;
    u = end == std::string_view::npos ? std::string_view{} : u.substr(end);
  }
  auto q = u.find('?');
  p.path = u.substr(0, q);
  if (q != std::string_view::npos) {
    p.query = u.substr(q + 1);
    p.has_query = true;
  }
  return p;
}

std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  const bool absolute = !path.empty() && path[0] == '/';
  while (i <= path.size()) {
    auto next = path.find('/', i);
    if (next == std::string_view::npos) next = path.size();
    std::string_view seg = path.substr(i, next - i);
    if (seg == "..") {
      if (!out.empty()) out.pop_back();
      if (next == path.size()) out.push_back("");
    } else if (seg == ".") {
      if (next == path.size()) out.push_back("");
    } else if (!(seg.empty() && i == 0 && absolute)) {
      out.push_back(seg);
    }
    i = next + 1;
  }
  std::string r = absolute ? "/" : "";
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (k) r.push_back('/');
    r.append(out[k]);
  }
  return r;
}

bool web_scheme(std::string_view s) {
  const std::string l = utf8::ascii_lower(s);
  return l == "http" || l == "https";
}

}  // namespace

std::string resolve_url(std::string_view base, std::string_view ref) {
  // Trim white space browsers ignore around href values.
  while (!ref.empty() && (ref.front() == ' ' || ref.front() == '\n' || ref.front() == '\t' || ref.front() == '\r'))
    ref.remove_prefix(1);
  while (!ref.empty() && (ref.back() == ' ' || ref.back() == '\n' || ref.back() == '\t' || ref.back() == '\r'))
    ref.remove_suffix(1);
  if (ref.empty()) return {};
  const Parts r = split(ref);
  if (!r.scheme.empty()) return web_scheme(r.scheme) ? std::string(ref) : std::string{};
  const Parts b = split(base);
  if (b.scheme.empty() || !web_scheme(b.scheme) || !b.has_authority) {
    return {};  // no usable base: a relative link can't be made absolute
  }
  std::string out(b.scheme);
  out += "://";
  if (r.has_authority) {
    out.append(r.authority);
    out += remove_dot_segments(r.path);
  } else {
    out.append(b.authority);
    if (r.path.empty()) {
      out.append(b.path.empty() ? "/" : b.path);
      if (!r.has_query && b.has_query) {
        out.push_back('?');
        out.append(b.query);
      }
    } else if (r.path[0] == '/') {
      out += remove_dot_segments(r.path);
    } else {
      std::string merged;
      const auto slash = b.path.rfind('/');
      merged = slash == std::string_view::npos ? "/" : std::string(b.path.substr(0, slash + 1));
      merged.append(r.path);
      out += remove_dot_segments(merged);
    }
  }
  if (r.has_query) {
    out.push_back('?');
    out.append(r.query);
  }
  const auto frag = ref.find('#');
  if (frag != std::string_view::npos) out.append(ref.substr(frag));
  return out;
}

}  // namespace dealstack
