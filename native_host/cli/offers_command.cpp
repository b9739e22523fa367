// `dealstack offers import FILE | list [--retailer NAME]`: the offers the agent serves the
// extension per retailer, loaded from a feed file (docs/stacking.md, "Offer feed files").
// import reads and checks the file here (so a bad file names the field before anything is
// sent, and the agent, which checks it again, never reads paths it is given), then sends its
// content with offers.import; list asks offers.list, or offers.get for one retailer.
#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "actions/offers_feed.hpp"
#include "cli/agent_cli.hpp"
#include "cli/commands.hpp"
#include "messaging/frame.hpp"
#include "protocol/wire.hpp"

namespace dealstack::cli {
namespace {

using protocol::Json;

constexpr int kListTimeoutMs = 10'000;
// Storing 100,000 offers in one transaction takes a moment on a slow disk.
constexpr int kImportTimeoutMs = 120'000;
// Room for {"id":..,"method":"offers.import","params":{"feed":...}} around the feed.
constexpr std::size_t kEnvelopeBytes = 256;

constexpr std::string_view kUsage =
    "usage: dealstack offers import FILE [--json]\n"
    "       dealstack offers list [--retailer NAME] [--json]\n"
    "\n"
    "The offers the stacker uses, kept by the per-user agent and served to the extension\n"
    "per retailer (the shop's host name).\n"
    "\n"
    "  import FILE   replace every offer held with those of an offer feed file (JSON,\n"
    "                docs/stacking.md \"Offer feed files\"; '-' reads standard input). The\n"
    "                file is checked whole first: a bad one changes nothing and the error\n"
    "                names the field (retailers[0].offers[3].discount.percent: ...).\n"
    "                At most 16 MiB, and 8 MiB once written compactly (one message).\n"
    "  list          the retailers held, with their number of offers\n"
    "  list --retailer NAME\n"
    "                one retailer's rules and offers (NAME: a host name; case and a\n"
    "                leading \"www.\" don't matter)\n"
    "\n"
    "options:\n"
    "  --json   the agent's answer as one JSON line: import {\"retailers\", \"offers\",\n"
    "           \"imported_at\"}; list {\"retailers\": [{\"retailer\", \"offers\"}], \"imported_at\"};\n"
    "           list --retailer {\"retailer\", \"rules\", \"offers\", \"imported_at\"}\n"
    "  --help   this text\n"
    "exit codes: 0 ok, 1 the file or the agent refused (the message says why),\n"
    "            2 usage error or unreadable file\n";

// The file's text, at most one byte past the limit (a larger file is refused unread).
std::optional<std::string> read_input(Io io, const std::string& path) {
  std::istream* in = &io.in;
  std::ifstream file;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      io.err << "dealstack offers: can't open " << terminal_text(path) << "\n";
      return std::nullopt;
    }
    in = &file;
  }
  std::string text(actions::kMaxFeedBytes + 1, '\0');
  in->read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in->gcount()));
  if (in->bad()) {
    io.err << "dealstack offers: can't read " << terminal_text(path) << "\n";
    return std::nullopt;
  }
  return text;
}

int refuse(Io io, const std::string& path, const Error& e) {
  io.err << "dealstack offers: " << terminal_text(path == "-" ? std::string("standard input") : path) << ": "
         << terminal_text(e.message) << " (" << e.code << ")\n";
  return kExitRefused;
}

int import(Io io, const std::string& path, bool as_json) {
  auto text = read_input(io, path);
  if (!text) return kExitUsage;
  auto json = actions::parse_feed_text(*text);
  if (!json) return refuse(io, path, json.error());
  text->clear();
  text->shrink_to_fit();
  auto feed = actions::read_feed(*json);
  if (!feed) return refuse(io, path, feed.error());
  const std::size_t compact = json->dump(-1, ' ', false, Json::error_handler_t::replace).size();
  if (compact + kEnvelopeBytes > messaging::kDefaultMaxFrame)
    return refuse(io, path,
                  make_error("frame_too_large", "the feed is " + std::to_string(compact) +
                                                    " bytes as compact JSON; one message to the agent carries at most " +
                                                    std::to_string(messaging::kDefaultMaxFrame - kEnvelopeBytes)));
  const Json params{{"feed", std::move(*json)}};
  return run_agent_call(io, "offers", protocol::method::offers_import, params, kImportTimeoutMs, as_json,
                        [&](const Json& r) {
                          // "1 offer", "2 offers": the count, then the noun in the number it needs.
                          const auto counted = [&](const char* key, const char* noun) {
                            const auto it = r.find(key);
                            const bool one = it != r.end() && it->is_number_integer() && *it == 1;
                            return terminal_text(field(r, key), "?") + " " + noun + (one ? "" : "s");
                          };
                          io.out << "imported " << counted("offers", "offer") << " for "
                                 << counted("retailers", "retailer") << "\n";
                        });
}

// What an offer is, in a few words: its code, label, name or source.
std::string offer_summary(const Json& o) {
  for (const char* key : {"code", "label", "name", "source", "card"})
    if (const Json& v = field(o, key); v.is_string()) return terminal_text(v);
  return "";
}

void print_list(std::ostream& out, const Json& r) {
  const Json& list = field(r, "retailers");
  if (field(r, "imported_at").is_null()) {
    out << "no offers imported (dealstack offers import FILE)\n";
    return;
  }
  out << "imported " << format_time(field(r, "imported_at")) << "\n";
  if (!list.is_array() || list.empty()) {
    out << "no retailers\n";
    return;
  }
  std::vector<std::vector<std::string>> rows{{"RETAILER", "OFFERS"}};
  for (const Json& e : list) rows.push_back({terminal_text(field(e, "retailer"), "?"), terminal_text(field(e, "offers"), "?")});
  print_table(out, rows);
}

void print_retailer(std::ostream& out, const Json& r) {
  const Json& offers = field(r, "offers");
  out << terminal_text(field(r, "retailer"), "?") << ": ";
  if (!offers.is_array() || offers.empty()) {
    out << (field(r, "imported_at").is_null() ? "no offers imported\n" : "no offers\n");
    return;
  }
  out << offers.size() << (offers.size() == 1 ? " offer" : " offers") << ", imported "
      << format_time(field(r, "imported_at")) << "\n";
  if (const Json& rules = field(r, "rules"); !rules.is_null()) out << "rules: " << terminal_text(rules) << "\n";
  std::vector<std::vector<std::string>> rows{{"ID", "KIND", "NEEDS", "WHAT"}};
  for (const Json& o : offers)
    rows.push_back({terminal_text(field(o, "id"), "?"), terminal_text(field(o, "kind"), "?"),
                    terminal_text(field(o, "requires_membership"), "-"), offer_summary(o)});
  print_table(out, rows);
}

}  // namespace

int offers_command(const std::vector<std::string>& args, Io io) {
  constexpr std::string_view cmd = "offers";
  bool as_json = false, help = false;
  std::optional<std::string> retailer;
  std::vector<std::string> positional;
  ArgScanner a(args);
  while (a.next()) {
    if (!a.is_option() || a.name() == "-") {
      positional.push_back(a.name());
      continue;
    }
    const std::string flag = a.name();
    if (flag == "--retailer") {
      auto v = a.value();
      if (!v || v->empty()) return usage_error(io, cmd, "--retailer needs a shop's host name");
      retailer = *v;
      continue;
    }
    if (flag != "--json" && flag != "--help" && flag != "-h") return usage_error(io, cmd, "unknown option '" + flag + "'");
    if (a.has_inline_value()) return usage_error(io, cmd, flag + " takes no value");
    (flag == "--json" ? as_json : help) = true;
  }
  if (help) {
    io.out << kUsage;
    return kExitOk;
  }
  if (positional.empty()) return usage_error(io, cmd, "say import FILE or list");
  const std::string& sub = positional[0];
  if (sub == "import") {
    if (positional.size() != 2) return usage_error(io, cmd, "import takes one FILE ('-' for standard input)");
    if (retailer) return usage_error(io, cmd, "--retailer goes with list, not import");
    return import(io, positional[1], as_json);
  }
  if (sub == "list") {
    if (positional.size() != 1) return usage_error(io, cmd, "unexpected argument '" + positional[1] + "'");
    if (retailer)
      return run_agent_call(io, cmd, protocol::method::offers_get, {{"retailer", *retailer}}, kListTimeoutMs, as_json,
                            [&](const Json& r) { print_retailer(io.out, r); });
    return run_agent_call(io, cmd, protocol::method::offers_list, Json::object(), kListTimeoutMs, as_json,
                          [&](const Json& r) { print_list(io.out, r); });
  }
  return usage_error(io, cmd, "unknown subcommand '" + sub + "' (import or list)");
}

}  // namespace dealstack::cli
