// dealstack extract [--url URL] [--charset NAME] [--rules PACK.json] [FILE | -]
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "cli/commands.hpp"
#include "extract/product.hpp"
#include "extract/product_json.hpp"
#include "extract/rules.hpp"

namespace dealstack::cli {
namespace {

constexpr const char* kHelp =
    "usage: dealstack extract [--url URL] [--charset NAME] [--rules PACK.json] [FILE | -]\n"
    "\n"
    "Reads the product on an HTML page (FILE, or standard input for '-' or no FILE) and\n"
    "prints it as one JSON object.\n"
    "\n"
    "  --url URL       the page's address: resolves relative links (image, url)\n"
    "  --charset NAME  the charset the server declared (Content-Type), if known\n"
    "  --rules FILE    a retailer's extraction rule pack (docs/rules.md), applied whatever\n"
    "                  the page's host; fields it supplied have the source \"rules\"\n"
    "\n"
    "exit status: 0 product printed; 3 no product on the page (a JSON error object is\n"
    "printed); 2 usage error, unreadable input or an invalid rule pack (message on stderr).\n";

// The pack file's text, read up to one byte past the pack limit (parse_rule_pack refuses it).
bool read_pack(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  text.resize(kMaxRulePackBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return false;
  text.resize(static_cast<std::size_t>(in.gcount()));
  return true;
}

}  // namespace

int extract_command(const std::vector<std::string>& args, Io io) {
  std::string url, charset, path, rules_path;
  bool have_rules = false;
  bool have_path = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      io.out << kHelp;
      return 0;
    }
    if (a == "--url" || a == "--charset" || a == "--rules") {
      if (i + 1 >= args.size()) {
        io.err << "dealstack extract: " << a << " needs a value\n";
        return 2;
      }
      (a == "--url" ? url : a == "--charset" ? charset : rules_path) = args[++i];
      have_rules = have_rules || a == "--rules";
    } else if (a.size() > 1 && a[0] == '-' && a != "-") {
      io.err << "dealstack extract: unknown option '" << a << "'\n" << kHelp;
      return 2;
    } else if (have_path) {
      io.err << "dealstack extract: more than one input file\n";
      return 2;
    } else {
      path = a;
      have_path = true;
    }
  }

  // The pack first: a broken pack is reported before the page is read.
  std::optional<RulePack> pack;
  if (have_rules) {
    std::string text;
    if (!read_pack(rules_path, text)) {
      io.err << "dealstack extract: cannot read '" << rules_path << "'\n";
      return 2;
    }
    auto parsed = parse_rule_pack(text);
    if (!parsed) {
      io.err << "dealstack extract: '" << rules_path << "': " << parsed.error().message << " (" << parsed.error().code
             << ")\n";
      return 2;
    }
    pack = std::move(*parsed);
  }

  ExtractOptions options;
  if (pack) options.rules = &*pack;
  std::string bytes;
  {
    std::istream* in = &io.in;
    std::ifstream file;
    if (have_path && path != "-") {
      file.open(path, std::ios::binary);
      if (!file) {
        io.err << "dealstack extract: cannot read '" << path << "'\n";
        return 2;
      }
      in = &file;
    }
    // Read at most one byte past the limit, so an oversized page is refused without
    // holding all of it.
    const std::size_t cap = options.max_input_bytes + 1;
    bytes.resize(std::min<std::size_t>(cap, 1 << 20));
    std::size_t got = 0;
    while (*in && got < cap) {
      if (got == bytes.size()) bytes.resize(std::min(cap, bytes.size() * 2));
      in->read(bytes.data() + got, static_cast<std::streamsize>(bytes.size() - got));
      got += static_cast<std::size_t>(in->gcount());
    }
    if (in->bad()) {
      io.err << "dealstack extract: error reading " << (have_path && path != "-" ? "'" + path + "'" : "standard input")
             << "\n";
      return 2;
    }
    bytes.resize(got);
  }
  options.url = url;
  options.transport_charset = charset;
  auto product = extract_product(bytes, options);
  if (!product) {
    const Error& e = product.error();
    if (e.code == "no_product") {
      io.out << to_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return 3;
    }
    io.err << "dealstack extract: " << e.message << " (" << e.code << ")\n";
    return 2;
  }
  // Invalid UTF-8 can't reach here (pages are decoded first), but never let it abort us.
  io.out << to_json(*product).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return 0;
}

}  // namespace dealstack::cli
