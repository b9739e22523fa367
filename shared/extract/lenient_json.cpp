#include "extract/lenient_json.hpp"

#include <string>

namespace dealstack {
namespace {

using json = nlohmann::json;

// nlohmann's DOM builder, except that floating-point numbers are stored as their exact
// source text (a string) instead of a double.
// Nesting deeper than `max_depth` stops the parse (the block is refused).
class ExactNumberBuilder : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  ExactNumberBuilder(json& root, std::size_t max_depth) : json_sax_dom_parser(root, false), max_depth_(max_depth) {}
  bool number_float(double, const std::string& text) {
    std::string copy = text;
    return string(copy);
  }
  bool start_object(std::size_t n) { return ++depth_ <= max_depth_ && json_sax_dom_parser::start_object(n); }
  bool start_array(std::size_t n) { return ++depth_ <= max_depth_ && json_sax_dom_parser::start_array(n); }
  bool end_object() {
    --depth_;
    return json_sax_dom_parser::end_object();
  }
  bool end_array() {
    --depth_;
    return json_sax_dom_parser::end_array();
  }

 private:
  std::size_t max_depth_;
  std::size_t depth_ = 0;
};

std::optional<json> parse_exact(std::string_view text, std::size_t max_depth) {
  json root;
  ExactNumberBuilder builder(root, max_depth);
  if (!json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json, true)) return std::nullopt;
  if (root.is_discarded()) return std::nullopt;
  return root;
}

// The UTF-16 code unit of the "\uXXXX" escape at in[at], or -1 when there is none.
int u_escape(std::string_view in, std::size_t at) {
  if (at + 6 > in.size() || in[at] != '\\' || in[at + 1] != 'u') return -1;
  int v = 0;
  for (std::size_t k = at + 2; k < at + 6; ++k) {
    const char h = in[k];
    int d = -1;
    if (h >= '0' && h <= '9') d = h - '0';
    else if (h >= 'a' && h <= 'f') d = h - 'a' + 10;
    else if (h >= 'A' && h <= 'F') d = h - 'A' + 10;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// One pass that turns shop-JSON into JSON: drops comments, HTML comment markers and
// CDATA markers outside strings, trailing commas, escapes raw control characters inside
// strings and fixes invalid escapes. Returns false when nesting is deeper than max_depth.
bool repair(std::string_view in, std::string& out, std::size_t max_depth) {
  out.clear();
  out.reserve(in.size());
  bool in_string = false;
  std::size_t depth = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (in_string) {
      if (c == '\\') {
        if (i + 1 >= in.size()) break;
        const char e = in[i + 1];
        // "\u" needs four hex digits ("\u12 " is kept as the text "u12 "), and a surrogate
        // needs its pair: a lone one would make the whole block unreadable, so it becomes
        // U+FFFD.
        const int unit = u_escape(in, i);
        if (unit >= 0xD800 && unit <= 0xDFFF) {
          const int low = unit <= 0xDBFF ? u_escape(in, i + 6) : -1;
          if (low >= 0xDC00 && low <= 0xDFFF) {
            out.append(in.substr(i, 12));
            i += 11;
          } else {
            out += "\\uFFFD";
            i += 5;
          }
          continue;
        }
        if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't' ||
            unit >= 0) {
          out.push_back(c);
          out.push_back(e);
        } else if (static_cast<unsigned char>(e) < 0x20) {
          out.push_back(' ');
        } else {
          out.push_back(e);  // "\'" and friends: keep the character, drop the backslash
        }
        ++i;
      } else if (c == '"') {
        in_string = false;
        out.push_back(c);
      } else if (static_cast<unsigned char>(c) < 0x20) {
        out += c == '\n' ? "\\n" : (c == '\t' ? "\\t" : (c == '\r' ? "\\r" : " "));
      } else {
        out.push_back(c);
      }
      continue;
    }
    if (c == ']' && in.substr(i, 3) == "]]>") {  // CDATA end marker
      i += 2;
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        out.push_back(c);
        break;
      case '{':
      case '[':
        if (++depth > max_depth) return false;
        out.push_back(c);
        break;
      case '}':
      case ']': {
        if (depth > 0) --depth;
        // Drop a trailing comma: the last non-space character we wrote.
        std::size_t j = out.size();
        while (j > 0 && (out[j - 1] == ' ' || out[j - 1] == '\n' || out[j - 1] == '\t' || out[j - 1] == '\r')) --j;
        if (j > 0 && out[j - 1] == ',') out.erase(j - 1, 1);
        out.push_back(c);
        break;
      }
      case '/':
        if (i + 1 < in.size() && in[i + 1] == '/') {
          while (i < in.size() && in[i] != '\n') ++i;
          out.push_back('\n');
        } else if (i + 1 < in.size() && in[i + 1] == '*') {
          const auto end = in.find("*/", i + 2);
          i = end == std::string_view::npos ? in.size() : end + 1;
          out.push_back(' ');
        } else {
          out.push_back(c);
        }
        break;
      case '<':
        if (in.substr(i, 4) == "<!--") {
          i += 3;
        } else if (in.substr(i, 9) == "<![CDATA[") {
          i += 8;
        } else {
          out.push_back(c);
        }
        break;
      case '-':
        if (in.substr(i, 3) == "-->") {
          i += 2;
        } else {
          out.push_back(c);
        }
        break;
      default:
        out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
    }
  }
  return true;
}

// Splits repaired text into top-level values: from each '{' or '[' at depth 0 to its
// matching close. Text between values (stray words, semicolons) is skipped.
std::vector<std::string_view> top_level_values(std::string_view s) {
  std::vector<std::string_view> values;
  bool in_string = false;
  std::size_t depth = 0, start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      if (depth > 0) in_string = true;
    } else if (c == '{' || c == '[') {
      if (depth++ == 0) start = i;
    } else if ((c == '}' || c == ']') && depth > 0) {
      if (--depth == 0) values.push_back(s.substr(start, i + 1 - start));
    }
  }
  if (depth > 0) values.push_back(s.substr(start));  // unterminated: try it anyway
  return values;
}

}  // namespace

std::vector<json> parse_lenient_json(std::string_view text, const LenientJsonLimits& limits) {
  std::vector<json> out;
  if (text.size() > limits.max_bytes) return out;
  // Fast path: well-formed JSON (with at most surrounding white space).
  if (auto v = parse_exact(text, limits.max_depth)) {
    if (v->is_object() || v->is_array()) out.push_back(std::move(*v));
    return out;
  }
  std::string repaired;
  if (!repair(text, repaired, limits.max_depth)) return out;
  for (std::string_view piece : top_level_values(repaired)) {
    if (auto v = parse_exact(piece, limits.max_depth)) {
      out.push_back(std::move(*v));
      continue;
    }
    // An unterminated value: close what is open and try once more.
    std::string closed(piece);
    std::string closers;
    bool in_string = false;
    for (std::size_t i = 0; i < closed.size(); ++i) {
      const char c = closed[i];
      if (in_string) {
        if (c == '\\') ++i;
        else if (c == '"') in_string = false;
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{') {
        closers.push_back('}');
      } else if (c == '[') {
        closers.push_back(']');
      } else if ((c == '}' || c == ']') && !closers.empty()) {
        closers.pop_back();
      }
    }
    if (in_string) closed.push_back('"');
    while (!closed.empty() && (closed.back() == ',' || closed.back() == ':' || closed.back() == ' ')) closed.pop_back();
    closed.append(closers.rbegin(), closers.rend());
    if (auto v = parse_exact(closed, limits.max_depth)) out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace dealstack
