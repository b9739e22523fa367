// Reading test fixtures (tests only; the shared core itself never touches files).
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace dealstack::test {

inline std::string fixture_path(const std::string& relative) {
  return std::string(DEALSTACK_FIXTURES_DIR) + "/" + relative;
}

inline std::string read_fixture(const std::string& relative) {
  std::ifstream in(fixture_path(relative), std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture: " + relative);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace dealstack::test
