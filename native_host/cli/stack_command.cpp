// dealstack stack [FILE | -]
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "cli/commands.hpp"
#include "stacking/request_json.hpp"
#include <nlohmann/json.hpp>

#include "stacking/stacker.hpp"

namespace dealstack::cli {
namespace {

constexpr const char* kHelp =
    "usage: dealstack stack [FILE | -]\n"
    "\n"
    "Reads a stacking request (JSON: the cart, the retailer's rules, the offers, the wallet;\n"
    "see docs/stacking.md) from FILE or standard input, and prints the cheapest legal stack\n"
    "as one JSON object: the offers to use, the steps in order with what each saves, the\n"
    "totals, warnings, shortfall hints and the best stack without each layer.\n"
    "\n"
    "exit status: 0 result printed; 1 the request was refused (a JSON error object\n"
    "{\"error\": {\"code\", \"message\"}} naming the field is printed); 2 usage error or\n"
    "unreadable input (message on stderr).\n";

}  // namespace

int stack_command(const std::vector<std::string>& args, Io io) {
  std::string path;
  bool have_path = false;
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      io.out << kHelp;
      return 0;
    }
    if (a.size() > 1 && a[0] == '-') {
      io.err << "dealstack stack: unknown option '" << a << "'\n" << kHelp;
      return 2;
    }
    if (have_path) {
      io.err << "dealstack stack: more than one input file\n";
      return 2;
    }
    path = a;
    have_path = true;
  }
  std::string text;
  {
    std::istream* in = &io.in;
    std::ifstream file;
    if (have_path && path != "-") {
      file.open(path, std::ios::binary);
      if (!file) {
        io.err << "dealstack stack: cannot open " << path << "\n";
        return 2;
      }
      in = &file;
    }
    // Read at most one byte past the limit: a larger request is refused without reading it all.
    text.resize(stacking::kMaxRequestBytes + 1);
    in->read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in->gcount()));
    if (in->bad()) {
      io.err << "dealstack stack: cannot read the input\n";
      return 2;
    }
  }
  auto result = stacking::stack_deals_json(text);
  if (!result) {
    const nlohmann::json e = {{"error", {{"code", result.error().code}, {"message", result.error().message}}}};
    io.out << e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 1;
  }
  io.out << *result << "\n";
  return 0;
}

}  // namespace dealstack::cli
