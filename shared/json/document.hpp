// A strict JSON (RFC 8259) reader into a flat, read-only tree, for the request paths where
// nlohmann's DOM is the bottleneck: a 12 KB stacking request took 118 us to parse with
// nlohmann::json natively (300 us in wasm), most of it allocating a std::map node, a
// std::string and a json value per member. Here the whole tree is one vector of nodes,
// strings without escapes are views into the input, and an object's members sit next to
// each other, so reading a 12 KB request allocates a handful of times.
//
// It accepts exactly what nlohmann::json::parse accepts (a test checks both on the same
// inputs, valid and broken) and reports numbers the same way: integers without a sign are
// unsigned, negative ones signed, the rest floating point (kept as text; nothing here
// converts them to double). Duplicate keys: the last one wins, as in nlohmann.
//
// The input must outlive the Document (string values may point into it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace dealstack::json {

enum class Kind : std::uint8_t { null, boolean, signed_integer, unsigned_integer, floating, string, array, object };

class Document;

// One value of the tree. Cheap to copy around by pointer; only valid while its Document is.
class Value {
 public:
  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::null; }
  bool is_boolean() const { return kind_ == Kind::boolean; }
  bool is_string() const { return kind_ == Kind::string; }
  bool is_array() const { return kind_ == Kind::array; }
  bool is_object() const { return kind_ == Kind::object; }
  // Any integer (as nlohmann's is_number_integer); unsigned: written without a minus sign.
  bool is_integer() const { return kind_ == Kind::signed_integer || kind_ == Kind::unsigned_integer; }
  bool is_unsigned() const { return kind_ == Kind::unsigned_integer; }

  bool boolean() const { return boolean_; }
  std::int64_t as_int64() const { return static_cast<std::int64_t>(bits_); }  // wraps above INT64_MAX
  std::uint64_t as_uint64() const { return bits_; }
  // A string's value (unescaped) or a number's text as written.
  std::string_view text() const { return text_; }

  // Arrays and objects: the number of elements or members.
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Array element i (i < size()).
  const Value& operator[](std::size_t i) const { return first_[i]; }
  // Object member i: its key and value.
  std::string_view key_at(std::size_t i) const { return first_[i].key_; }
  const Value& value_at(std::size_t i) const { return first_[i]; }
  // The member named `key` (the last one when a key repeats), or nullptr.
  const Value* find(std::string_view key) const;

 private:
  friend class Document;
  friend class Parser;
  Kind kind_ = Kind::null;
  bool boolean_ = false;
  std::uint32_t count_ = 0;
  std::uint64_t bits_ = 0;
  std::string_view text_;
  std::string_view key_;  // as a member of an object
  const Value* first_ = nullptr;
};

struct Limits {
  std::size_t max_depth = 64;  // arrays and objects nested deeper are refused
};

class Document {
 public:
  // Errors: "invalid_json" with the byte offset and what was wrong there, or "too_deep".
  static Result<Document> parse(std::string_view text, const Limits& limits = {});

  const Value& root() const { return nodes_.back(); }

 private:
  friend class Parser;
  std::vector<Value> nodes_;                        // children before parents; root last
  std::vector<std::unique_ptr<std::string>> owned_;  // strings that had escapes, unescaped
};

}  // namespace dealstack::json
