#include "json/document.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

#include "json/utf8_lead.hpp"

namespace dealstack::json {

const Value* Value::find(std::string_view key) const {
  if (kind_ != Kind::object) return nullptr;
  // Objects are small (a request's have at most a few dozen members): a backwards scan finds
  // the last of repeated keys first.
  for (std::size_t i = count_; i-- > 0;)
    if (first_[i].key_ == key) return &first_[i];
  return nullptr;
}

class Parser {
 public:
  Parser(std::string_view text, const Limits& limits, Document& doc)
      : p_(text.data()), begin_(text.data()), end_(text.data() + text.size()), limits_(limits), doc_(doc) {}

  Result<bool> run() {
    // A UTF-8 byte order mark at the very start is skipped (as nlohmann does).
    if (end_ - p_ >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) p_ += 3;
    skip_space();
    if (!value(0)) return error();
    skip_space();
    if (p_ != end_) {
      fail("unexpected text after the value");
      return error();
    }
    doc_.nodes_.reserve(doc_.nodes_.size() + 1);
    doc_.nodes_.push_back(stack_.back());
    // Children were placed by index while the vector grew; now that it is final, point at
    // them.
    Value* base = doc_.nodes_.data();
    for (Value& v : doc_.nodes_)
      if (v.kind_ == Kind::array || v.kind_ == Kind::object) v.first_ = base + v.bits_;
    return true;
  }

 private:
  Error error() const {
    if (too_deep_)
      return make_error("too_deep", "nesting deeper than " + std::to_string(limits_.max_depth) +
                                        " levels");
    return make_error("invalid_json", "at byte " + std::to_string(error_at_ - begin_) + ": " +
                                          message_);
  }
  bool fail(const char* message) {
    if (message_ == nullptr) {
      message_ = message;
      error_at_ = p_;
    }
    return false;
  }

  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(const char* word, std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0)
      return fail("invalid literal");
    p_ += n;
    return true;
  }

  bool value(std::size_t depth) {
    if (p_ == end_) return fail("unexpected end of input");
    Value v;
    switch (*p_) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        v.kind_ = Kind::string;
        if (!string(v.text_)) return false;
        break;
      case 't':
        if (!literal("true", 4)) return false;
        v.kind_ = Kind::boolean;
        v.boolean_ = true;
        break;
      case 'f':
        if (!literal("false", 5)) return false;
        v.kind_ = Kind::boolean;
        break;
      case 'n':
        if (!literal("null", 4)) return false;
        break;
      default:
        if (!number(v)) return false;
    }
    stack_.push_back(v);
    return true;
  }

  // Moves the top `n` values of the stack into the document as one container's children.
  void close(Kind kind, std::size_t n) {
    Value c;
    c.kind_ = kind;
    c.count_ = static_cast<std::uint32_t>(n);
    c.bits_ = doc_.nodes_.size();
    doc_.nodes_.insert(doc_.nodes_.end(), stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
    stack_.resize(stack_.size() - n);
    stack_.push_back(c);
  }

  bool enter(std::size_t depth) {
    if (depth + 1 > limits_.max_depth) {
      too_deep_ = true;
      return fail("too deep");
    }
    ++p_;
    skip_space();
    return true;
  }

  bool array(std::size_t depth) {
    if (!enter(depth)) return false;
    std::size_t n = 0;
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      close(Kind::array, 0);
      return true;
    }
    for (;;) {
      if (!value(depth + 1)) return false;
      ++n;
      skip_space();
      if (p_ == end_) return fail("unexpected end of input in an array");
      if (*p_ == ',') {
        ++p_;
        skip_space();
        continue;
      }
      if (*p_ == ']') {
        ++p_;
        close(Kind::array, n);
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  bool object(std::size_t depth) {
    if (!enter(depth)) return false;
    std::size_t n = 0;
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      close(Kind::object, 0);
      return true;
    }
    for (;;) {
      if (p_ == end_ || *p_ != '"') return fail("expected a member name in quotes");
      std::string_view key;
      if (!string(key)) return false;
      skip_space();
      if (p_ == end_ || *p_ != ':') return fail("expected ':'");
      ++p_;
      skip_space();
      if (!value(depth + 1)) return false;
      stack_.back().key_ = key;
      ++n;
      skip_space();
      if (p_ == end_) return fail("unexpected end of input in an object");
      if (*p_ == ',') {
        ++p_;
        skip_space();
        continue;
      }
      if (*p_ == '}') {
        ++p_;
        close(Kind::object, n);
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(Value& v) {
    const char* start = p_;
    const bool negative = *p_ == '-';
    if (negative) ++p_;
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return fail("invalid value");
    bool integral = true;
    std::uint64_t magnitude = 0;
    bool overflow = false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
        const unsigned digit = static_cast<unsigned>(*p_ - '0');
        if (magnitude > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) overflow = true;
        else magnitude = magnitude * 10 + digit;
        ++p_;
      }
    }
    if (p_ != end_ && *p_ == '.') {
      integral = false;
      ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return fail("expected a digit after '.'");
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return fail("expected a digit in the exponent");
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    v.text_ = std::string_view(start, static_cast<std::size_t>(p_ - start));
    constexpr std::uint64_t kMinMagnitude = std::uint64_t{1} << 63;  // |INT64_MIN|
    if (!integral || overflow || (negative && magnitude > kMinMagnitude)) {
      v.kind_ = Kind::floating;
      // Like nlohmann, refuse what doesn't fit a double (1e999); only the check needs strtod.
      const std::string copy(v.text_);
      if (std::isinf(std::strtod(copy.c_str(), nullptr))) return fail("number out of range");
    } else if (negative) {
      v.kind_ = Kind::signed_integer;
      v.bits_ = ~magnitude + 1;  // two's complement of the magnitude
    } else {
      v.kind_ = Kind::unsigned_integer;
      v.bits_ = magnitude;
    }
    return true;
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool hex4(unsigned& out) {
    if (end_ - p_ < 4) return fail("expected four hex digits after \\u");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = hex(p_[i]);
      if (h < 0) return fail("expected four hex digits after \\u");
      out = out * 16 + static_cast<unsigned>(h);
    }
    p_ += 4;
    return true;
  }

  static void put_utf8(std::string& s, unsigned cp) {
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // One UTF-8 sequence starting at p_ (a lead byte >= 0x80), as RFC 3629 allows it.
  bool utf8_sequence() {
    const auto b = [&](std::ptrdiff_t i) { return static_cast<unsigned char>(p_[i]); };
    const unsigned char c = b(0);
    const auto in = [](unsigned char x, unsigned lo, unsigned hi) { return x >= lo && x <= hi; };
    const std::ptrdiff_t left = end_ - p_;
    const Utf8Lead lead = utf8_lead(c);
    const int n = lead.length;
    if (n == 0) return fail("invalid UTF-8 in a string");
    if (left < n || !in(b(1), lead.low, lead.high)) return fail("invalid UTF-8 in a string");
    for (int i = 2; i < n; ++i)
      if (!in(b(i), 0x80, 0xBF)) return fail("invalid UTF-8 in a string");
    p_ += n;
    return true;
  }

  // A string at p_ (on its opening quote). Without escapes its value is a view into the
  // input; with them, an unescaped copy the document owns.
  bool string(std::string_view& out) {
    ++p_;
    const char* start = p_;
    std::string* copy = nullptr;
    const char* flushed = start;  // with a copy: input from here on isn't in it yet
    for (;;) {
      if (p_ == end_) return fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') break;
      if (c < 0x20) return fail("control character in a string (escape it)");
      if (c >= 0x80) {
        if (!utf8_sequence()) return false;
        continue;
      }
      if (c != '\\') {
        ++p_;
        continue;
      }
      if (copy == nullptr) {
        doc_.owned_.push_back(std::make_unique<std::string>());
        copy = doc_.owned_.back().get();
      }
      copy->append(flushed, p_);
      ++p_;
      if (p_ == end_) return fail("unterminated string");
      const char e = *p_++;
      switch (e) {
        case '"': copy->push_back('"'); break;
        case '\\': copy->push_back('\\'); break;
        case '/': copy->push_back('/'); break;
        case 'b': copy->push_back('\b'); break;
        case 'f': copy->push_back('\f'); break;
        case 'n': copy->push_back('\n'); break;
        case 'r': copy->push_back('\r'); break;
        case 't': copy->push_back('\t'); break;
        case 'u': {
          unsigned cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return fail("lone low surrogate in \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned low = 0;
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
              return fail("high surrogate without a low one in \\u escape");
            p_ += 2;
            if (!hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF)
              return fail("high surrogate without a low one in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          put_utf8(*copy, cp);
          break;
        }
        default:
          --p_;
          return fail("invalid escape in a string");
      }
      flushed = p_;
    }
    if (copy == nullptr) {
      out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    } else {
      copy->append(flushed, p_);
      out = *copy;
    }
    ++p_;  // the closing quote
    return true;
  }

  const char* p_;
  const char* begin_;
  const char* end_;
  Limits limits_;
  Document& doc_;
  std::vector<Value> stack_;
  const char* message_ = nullptr;
  const char* error_at_ = nullptr;
  bool too_deep_ = false;
};

Result<Document> Document::parse(std::string_view text, const Limits& limits) {
  Document doc;
  // Roughly one node per 12 bytes of a typical request: one allocation up front for
  // requests of up to ~50 KB; bigger inputs (which may be one long string) grow as needed.
  doc.nodes_.reserve(std::min<std::size_t>(text.size() / 12 + 4, 4096));
  Parser parser(text, limits, doc);
  auto r = parser.run();
  if (!r) return r.error();
  return doc;
}

}  // namespace dealstack::json
