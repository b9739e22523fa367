// What the agent-backed subcommands (watch, history, alerts) share: option scanning, one-line
// usage errors, one agent call with its error line and exit code, and plain-text
// formatting (money with its currency, times, aligned columns, text from web pages made safe
// for a terminal).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "protocol/message.hpp"

namespace dealstack::cli {

// Exit codes of the agent-backed commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;  // the agent refused, not found, check failed, no agent
inline constexpr int kExitUsage = 2;

// Scans "--name value", "--name=value", flags and positionals; "--" ends the options.
class ArgScanner {
 public:
  explicit ArgScanner(const std::vector<std::string>& args) : args_(args) {}
  // The next argument: true while there is one. Then is_option() tells which kind it is,
  // name() is the option's name ("--drop") or the positional itself.
  bool next();
  bool is_option() const { return option_; }
  const std::string& name() const { return name_; }
  // The option's value (inline after '=' or the next argument); nullopt when there is none.
  std::optional<std::string> value();
  // True when a flag that takes no value was given one ("--json=1").
  bool has_inline_value() const { return inline_; }

 private:
  const std::vector<std::string>& args_;
  std::size_t i_ = 0;
  bool options_done_ = false;
  bool option_ = false;
  bool inline_ = false;
  std::string name_, inline_value_;
};

// `j[key]` when `j` is an object holding it, else null: reading the agent's answer never
// throws, whatever shape it has.
const protocol::Json& field(const protocol::Json& j, std::string_view key);
// field() as a bool; `fallback` when absent or not a boolean.
bool flag_field(const protocol::Json& j, std::string_view key, bool fallback);

// Prints "dealstack COMMAND: MESSAGE (see dealstack COMMAND --help)" on err; returns 2.
int usage_error(Io io, std::string_view command, const std::string& message);

// A positive decimal id (1..2^63-1), nothing else.
std::optional<std::int64_t> parse_id(std::string_view text);

// Calls the agent. On success prints the result as one JSON line when `as_json`, else hands
// it to `print`; returns 0. On failure prints "dealstack COMMAND: MESSAGE (CODE)" on err
// and returns 1 (2, as a usage error, when an argument isn't UTF-8 text and so can't be
// sent). `timeout_ms` bounds the whole call.
int run_agent_call(Io io, std::string_view command, std::string_view method, const protocol::Json& params,
                   int timeout_ms, bool as_json, const std::function<void(const protocol::Json&)>& print);

// "39.99 EUR" for ("39.99", "EUR"); the amount alone without a currency; "-" for null.
std::string format_price(const protocol::Json& price, const protocol::Json& currency);
// Unix milliseconds as local "YYYY-MM-DD HH:MM"; `none` for null or not a number.
std::string format_time(const protocol::Json& ms, std::string_view none = "never");
// Unix milliseconds as the UTC date "YYYY-MM-DD".
std::string format_utc_day(std::int64_t ms);
// Seconds as the shortest exact "1d2h30m" form ("90s", "3h", "1d").
std::string format_duration(std::int64_t seconds);
// A JSON string for a terminal: control characters (C0, DEL, C1) become '?', so a page's
// title or an alert message can't move the cursor or change colours. Null gives `none`.
std::string terminal_text(const protocol::Json& value, std::string_view none = "");

// Rows of cells printed in columns two spaces apart, each as wide as its widest cell
// (counted in characters); the last column is not padded.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

}  // namespace dealstack::cli
