// `dealstack price`: reads a price out of a string (or, with --jsonl, out of many).
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "price/price_json.hpp"
#include "price/price_parser.hpp"

namespace dealstack::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: dealstack price [--currency-hint TEXT] [--decimal-separator C] [--locale TAG] [--] TEXT\n"
    "       dealstack price --jsonl < requests.jsonl\n"
    "\n"
    "Reads the price in TEXT (\"US$ 1,299.99\", \"ab 12,50 €\", \"1'299.–\") and prints one JSON line:\n"
    "  {\"amount\": \"1299.99\"|null, \"amount_text\": \"1,299.99\"|null,\n"
    "   \"currency\": \"USD\"|null, \"currency_text\": \"US$\"|null}\n"
    "amount is a plain decimal string; currency is the ISO 4217 code when it can be told.\n"
    "Several TEXT words are joined with single spaces.\n"
    "\n"
    "options:\n"
    "  --currency-hint TEXT     nearby text that may name the currency\n"
    "  --decimal-separator C    force the decimal separator: '.' or ','\n"
    "  --locale TAG             the page's language as BCP 47 (en-US, de-CH, sv)\n"
    "  --jsonl                  read one request per line on stdin:\n"
    "                           {\"text\", \"currency_hint\", \"decimal_separator\", \"locale\"}\n"
    "                           (every key optional, null allowed) and write one line per\n"
    "                           input line, in order. A line that can't be read gives\n"
    "                           {\"error\": {\"code\", \"message\"}} in its place: codes\n"
    "                           invalid_json, invalid_field, empty_line, line_too_long.\n"
    "                           A decimal_separator other than \".\" or \",\" can't be forced\n"
    "                           and is ignored (the separator is inferred).\n"
    "  --help                   this text\n"
    "\n"
    "exit codes: 0 ok, 2 usage error\n";

// A single --jsonl line longer than this is answered with line_too_long (and not kept in
// memory). Generous: a price request is a few hundred bytes.
constexpr std::size_t kMaxLineBytes = 16u << 20;

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json error_line(std::string_view code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

int usage_error(Io io, const std::string& message) {
  io.err << "dealstack price: " << message << "\n\n" << kUsage;
  return 2;
}

// Reads one line (without its '\n' and a trailing '\r'). Returns false at end of input
// with nothing read. `too_long` is set when the line was longer than kMaxLineBytes; the
// rest of it is skipped.
bool read_line(std::istream& in, std::string& line, bool& too_long) {
  line.clear();
  too_long = false;
  std::streambuf* buf = in.rdbuf();
  bool any = false;
  for (;;) {
    const int ch = buf->sbumpc();
    if (ch == std::char_traits<char>::eof()) break;
    any = true;
    if (ch == '\n') break;
    if (line.size() < kMaxLineBytes)
      line.push_back(static_cast<char>(ch));
    else
      too_long = true;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return any;
}

// One --jsonl request line -> one output line (a result or an error object).
nlohmann::json answer_line(const std::string& line, std::size_t number) {
  const std::string where = "line " + std::to_string(number) + ": ";
  if (line.find_first_not_of(" \t\r") == std::string::npos) return error_line("empty_line", where + "empty line");
  const nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
  if (request.is_discarded()) return error_line("invalid_json", where + "not valid JSON");
  if (!request.is_object()) return error_line("invalid_json", where + "expected a JSON object");

  std::string text, hint, separator, locale;
  for (const auto& [key, target] : {std::pair<const char*, std::string*>{"text", &text},
                                    {"currency_hint", &hint},
                                    {"decimal_separator", &separator},
                                    {"locale", &locale}}) {
    const auto it = request.find(key);
    if (it == request.end() || it->is_null()) continue;
    if (!it->is_string()) return error_line("invalid_field", where + "\"" + key + "\" must be a string or null");
    *target = it->get<std::string>();
  }
  PriceOptions options;
  options.currency_hint = hint;
  options.locale = locale;
  if (separator == "." || separator == ",") options.decimal_separator = separator[0];
  return to_json(parse_price(text, options));
}

int run_jsonl(Io io) {
  std::string line;
  bool too_long = false;
  std::size_t number = 0;
  while (read_line(io.in, line, too_long)) {
    ++number;
    const nlohmann::json answer =
        too_long ? error_line("line_too_long", "line " + std::to_string(number) + ": longer than " +
                                                   std::to_string(kMaxLineBytes) + " bytes")
                 : answer_line(line, number);
    io.out << dump(answer) << '\n';
  }
  io.out.flush();
  return 0;
}

}  // namespace

int price_command(const std::vector<std::string>& args, Io io) {
  std::optional<std::string> hint, separator, locale, text;
  bool jsonl = false;
  bool options_done = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    // Options start with "--" (or are -h); anything else, "-20%" included, is TEXT.
    if (!options_done && (arg.rfind("--", 0) == 0 || arg == "-h")) {
      if (arg == "--") {
        options_done = true;
        continue;
      }
      if (arg == "--help" || arg == "-h") {
        io.out << kUsage;
        return 0;
      }
      if (arg == "--jsonl") {
        jsonl = true;
        continue;
      }
      std::string name = arg, value;
      bool has_value = false;
      if (const auto eq = arg.find('='); eq != std::string::npos) {
        name = arg.substr(0, eq);
        value = arg.substr(eq + 1);
        has_value = true;
      }
      std::optional<std::string>* target = name == "--currency-hint"       ? &hint
                                           : name == "--decimal-separator" ? &separator
                                           : name == "--locale"            ? &locale
                                                                           : nullptr;
      if (!target) return usage_error(io, "unknown option '" + name + "'");
      if (!has_value) {
        if (i + 1 >= args.size()) return usage_error(io, "option '" + name + "' needs a value");
        value = args[++i];
      }
      *target = value;
      continue;
    }
    text = text ? *text + " " + arg : arg;
  }
  if (separator && *separator != "." && *separator != ",")
    return usage_error(io, "--decimal-separator must be '.' or ','");
  if (jsonl) {
    if (text) return usage_error(io, "--jsonl reads stdin and takes no TEXT");
    return run_jsonl(io);
  }
  if (!text) return usage_error(io, "missing TEXT");
  PriceOptions options;
  if (hint) options.currency_hint = *hint;
  if (locale) options.locale = *locale;
  if (separator) options.decimal_separator = (*separator)[0];
  io.out << dump(to_json(parse_price(*text, options))) << '\n';
  return 0;
}

}  // namespace dealstack::cli
