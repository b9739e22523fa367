#include "extract/text_util.hpp"

#include <charconv>

#include "text/utf8.hpp"

namespace dealstack {

std::string clean_text(std::string_view s) {
  std::string decoded;
  if (s.find('&') == std::string_view::npos) {
    decoded = s;
  } else {
    decoded.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '&') {
        decoded.push_back(s[i]);
        continue;
      }
      const auto semi = s.find(';', i);
      if (semi == std::string_view::npos || semi - i > 10) {
        decoded.push_back('&');
        continue;
      }
      const std::string_view name = s.substr(i + 1, semi - i - 1);
      std::string replacement;
      if (name == "amp") replacement = "&";
      else if (name == "lt") replacement = "<";
      else if (name == "gt") replacement = ">";
      else if (name == "quot") replacement = "\"";
      else if (name == "apos") replacement = "'";
      else if (name == "nbsp") replacement = " ";
      else if (name.size() > 1 && name[0] == '#') {
        unsigned long cp = 0;
        const bool hex = name[1] == 'x' || name[1] == 'X';
        const char* first = name.data() + (hex ? 2 : 1);
        const auto r = std::from_chars(first, name.data() + name.size(), cp, hex ? 16 : 10);
        if (r.ec == std::errc() && r.ptr == name.data() + name.size() && cp > 0 && cp <= 0x10FFFF)
          utf8::append(replacement, static_cast<char32_t>(cp));
      }
      if (replacement.empty()) {
        decoded.push_back('&');
        continue;
      }
      decoded += replacement;
      i = semi;
    }
  }
  return utf8::collapse_whitespace(decoded);
}

int word_overlap(std::string_view a, std::string_view b, std::size_t min_word_bytes) {
  if (a.empty() || b.empty()) return 0;
  const std::string la = utf8::lower(a), lb = utf8::lower(b);
  if (la == lb) return 100;
  int words = 0, found = 0;
  std::size_t i = 0;
  while (i < la.size()) {
    std::size_t j = la.find(' ', i);
    if (j == std::string::npos) j = la.size();
    if (j - i >= min_word_bytes) {
      ++words;
      if (lb.find(la.substr(i, j - i)) != std::string::npos) ++found;
    }
    i = j + 1;
  }
  return words ? found * 100 / words : 0;
}

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > haystack.size()) return false;
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    std::size_t j = 0;
    while (j < needle.size() && lower(haystack[i + j]) == lower(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

}  // namespace dealstack
