// A compact JSON writer that appends straight to a string, for the result documents on the
// hot path (the stacker's result took 85 us to build and dump through nlohmann::json in
// wasm, most of it allocating a node per member). It writes exactly the bytes
// nlohmann::json::dump() writes for the same document (ensure_ascii off, invalid UTF-8
// replaced by U+FFFD), provided the caller writes each object's keys in ascending byte
// order, as nlohmann's std::map keeps them (tests/shared/json/writer_test.cpp checks both).
//
//   Writer w;
//   w.begin_object();
//   w.key("net");   w.value("12.50");
//   w.key("steps"); w.begin_array(); w.value(1); w.end_array();
//   w.end_object();
//   std::string text = std::move(w).take();
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dealstack::json {

class Writer {
 public:
  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view k);
  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(const std::string& s) { value(std::string_view(s)); }
  void value(std::int64_t n);
  void value(int n) { value(static_cast<std::int64_t>(n)); }
  void value(bool b);
  void null();

  const std::string& text() const { return out_; }
  std::string take() && { return std::move(out_); }

 private:
  void separate();  // a comma before every element but the first of its container
  void string(std::string_view s);

  std::string out_;
  bool first_ = true;       // nothing written yet in the innermost container
  bool after_key_ = false;  // a key was just written: its value follows without a comma
};

}  // namespace dealstack::json
