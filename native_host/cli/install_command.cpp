// `dealstack install`, `dealstack uninstall` and `dealstack doctor`: argument parsing and
// printing over install/ (installer.hpp, doctor.hpp), which does the work.
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/config.hpp"
#include "cli/commands.hpp"
#include "install/browsers.hpp"
#include "install/doctor.hpp"
#include "install/installer.hpp"
#include "platform/paths.hpp"

namespace dealstack::cli {
namespace {

using nlohmann::json;
namespace inst = dealstack::install;

constexpr std::string_view kInstallUsage =
    "usage: dealstack install [--browser NAME]... [--extension-id ID]... [--user-data-dir DIR]\n"
    "                         [--system] [--host-path PATH] [--json]\n"
    "\n"
    "Writes the native-messaging host manifest com.dealstack.host.json where each browser\n"
    "looks for it, so the dealstack extension can start this program, and the allow-list of\n"
    "extensions the host will answer. What it wrote is recorded so `dealstack uninstall`\n"
    "removes exactly that.\n"
    "\n"
    "options:\n"
    "  --browser NAME       chrome, chromium, edge, brave, vivaldi, firefox or all; may repeat.\n"
    "                       Default: every browser you have run (its folder exists)\n"
    "  --extension-id ID    an extension to allow: a Chromium id (32 letters a-p) or a Firefox\n"
    "                       id (name@domain or {uuid}); may repeat. A family given no id\n"
    "                       keeps the default (the development Chromium id, dealstack@dealstack.dev)\n"
    "  --user-data-dir DIR  write DIR/NativeMessagingHosts/ instead: for a Chromium-family\n"
    "                       browser started with --user-data-dir=DIR\n"
    "  --system             the folders read for every user (run as root); needs --browser\n"
    "  --host-path PATH     the program the manifests name (absolute). Default: this program\n"
    "  --json               print what was written as one JSON object\n"
    "  --help               this text\n"
    "\n"
    "exit codes: 0 installed, 1 failed (the message says why), 2 usage error\n";

constexpr std::string_view kUninstallUsage =
    "usage: dealstack uninstall [--browser NAME]... [--force] [--json]\n"
    "\n"
    "Removes the manifests, allow-lists and folders `dealstack install` recorded writing,\n"
    "and nothing else. A manifest changed since it was written is left in place (and\n"
    "reported) unless --force is given.\n"
    "\n"
    "options:\n"
    "  --browser NAME   only this browser's manifests (chrome, chromium, edge, brave,\n"
    "                   vivaldi, firefox or all); may repeat. Default: all\n"
    "  --force          remove recorded manifests even if they changed\n"
    "  --json           print what was done as one JSON object\n"
    "  --help           this text\n"
    "\n"
    "exit codes: 0 everything selected is gone, 1 something was left (the message says\n"
    "what and why), 2 usage error\n";

constexpr std::string_view kDoctorUsage =
    "usage: dealstack doctor [--browser NAME]... [--json]\n"
    "\n"
    "Checks, for each browser you have run and each manifest dealstack installed: the\n"
    "manifest is there, is valid JSON, is named like its file, names an absolute path to a\n"
    "program that exists, is executable and that only you can change, has type stdio and\n"
    "well-formed extension ids that the allow-list also holds. Then the agent's socket and\n"
    "the database. Each problem comes with the command that fixes it.\n"
    "\n"
    "options:\n"
    "  --browser NAME   only this browser (may repeat). Default: every browser found\n"
    "  --json           {\"ok\", \"manifests\": [{browser, place, file, ok}],\n"
    "                    \"problems\": [{subject, code, message, fix}]}\n"
    "  --help           this text\n"
    "\n"
    "exit codes: 0 all fine, 1 problems found, 2 usage error\n";

int usage_error(Io io, std::string_view command, std::string_view usage, const std::string& message) {
  io.err << "dealstack " << command << ": " << message << "\n\n" << usage;
  return 2;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// A library error: JSON on stdout with --json, a sentence on stderr otherwise. Errors
// about the options exit 2, the rest 1.
int fail(Io io, std::string_view command, bool as_json, const Error& e) {
  const bool usage = e.code == "usage" || e.code == "invalid_extension_id" || e.code == "invalid_host_path";
  if (as_json)
    io.out << dump({{"error", {{"code", e.code}, {"message", e.message}}}}) << "\n";
  else
    io.err << "dealstack " << command << ": " << e.message << "\n";
  return usage ? 2 : 1;
}

// Parses --browser values into `into`; "all" adds every browser.
std::optional<std::string> add_browser(const std::string& name, std::vector<inst::Browser>& into) {
  if (name == "all") {
    into.assign(inst::all_browsers().begin(), inst::all_browsers().end());
    return std::nullopt;
  }
  auto b = inst::parse_browser(name);
  if (!b) return "unknown browser '" + name + "' (chrome, chromium, edge, brave, vivaldi, firefox or all)";
  if (std::find(into.begin(), into.end(), *b) == into.end()) into.push_back(*b);
  return std::nullopt;
}

json manifest_json(const inst::RecordedManifest& m) {
  return {{"browser", inst::browser_name(m.browser)},
          {"place", inst::place_name(m.place)},
          {"file", m.file.string()},
          {"allowed", m.allowed}};
}

// Flags as "--name value" or "--name=value".
struct Args {
  explicit Args(const std::vector<std::string>& l) : list(l) {}
  const std::vector<std::string>& list;
  std::size_t i = 0;
  std::string flag, value;
  bool has_inline = false;

  bool next() {
    if (i >= list.size()) return false;
    flag = list[i++];
    has_inline = false;
    const auto eq = flag.find('=');
    if (flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag.resize(eq);
      has_inline = true;
    }
    return true;
  }
  bool take_value() {
    if (has_inline) return true;
    if (i >= list.size()) return false;
    value = list[i++];
    return true;
  }
};

}  // namespace

int install_command(const std::vector<std::string>& args, Io io) {
  constexpr std::string_view cmd = "install";
  inst::InstallOptions o;
  bool as_json = false;
  Args a(args);
  while (a.next()) {
    if (a.flag == "--help" || a.flag == "-h") {
      io.out << kInstallUsage;
      return 0;
    }
    if (a.flag == "--json") {
      as_json = true;
    } else if (a.flag == "--system") {
      o.scope = inst::Scope::system;
    } else if (a.flag == "--browser" || a.flag == "--extension-id" || a.flag == "--user-data-dir" ||
               a.flag == "--host-path") {
      if (!a.take_value()) return usage_error(io, cmd, kInstallUsage, a.flag + " needs a value");
      if (a.flag == "--browser") {
        if (auto e = add_browser(a.value, o.browsers)) return usage_error(io, cmd, kInstallUsage, *e);
      } else if (a.flag == "--extension-id") {
        o.extension_ids.push_back(a.value);
      } else if (a.flag == "--user-data-dir") {
        if (a.value.empty()) return usage_error(io, cmd, kInstallUsage, "--user-data-dir needs a folder");
        std::error_code ec;
        o.user_data_dir = std::filesystem::absolute(a.value, ec).lexically_normal();
        if (ec) return usage_error(io, cmd, kInstallUsage, "can't make " + a.value + " absolute: " + ec.message());
      } else {
        o.host_path = a.value;
        if (!o.host_path.is_absolute())
          return usage_error(io, cmd, kInstallUsage, "--host-path must be absolute, got '" + a.value + "'");
      }
    } else {
      return usage_error(io, cmd, kInstallUsage, "unknown option '" + a.flag + "'");
    }
  }
  auto paths = platform::user_paths();
  if (!paths) return fail(io, cmd, as_json, paths.error());
  auto r = inst::install(o, *paths, platform::real_env);
  if (!r) return fail(io, cmd, as_json, r.error());

  if (as_json) {
    json manifests = json::array(), lists = json::array();
    for (const auto& m : r->manifests) manifests.push_back(manifest_json(m));
    for (const auto& l : r->allow_lists) lists.push_back(l.string());
    io.out << dump({{"host_path", r->host_path.string()},
                    {"manifests", manifests},
                    {"allow_lists", lists},
                    {"record", r->record.string()}})
           << "\n";
    return 0;
  }
  for (const auto& m : r->manifests) {
    io.out << "Installed the dealstack host for " << inst::browser_label(m.browser) << ":\n  " << m.file.string()
           << "\n";
    for (const auto& id : m.allowed) io.out << "  allows " << id << "\n";
  }
  io.out << "The browsers will start " << r->host_path.string() << ".\n";
  for (const auto& l : r->allow_lists) io.out << "Allow-list: " << l.string() << "\n";
  io.out << "Check it with: dealstack doctor\n";
  return 0;
}

int uninstall_command(const std::vector<std::string>& args, Io io) {
  constexpr std::string_view cmd = "uninstall";
  inst::UninstallOptions o;
  bool as_json = false;
  Args a(args);
  while (a.next()) {
    if (a.flag == "--help" || a.flag == "-h") {
      io.out << kUninstallUsage;
      return 0;
    }
    if (a.flag == "--json") {
      as_json = true;
    } else if (a.flag == "--force") {
      o.force = true;
    } else if (a.flag == "--browser") {
      if (!a.take_value()) return usage_error(io, cmd, kUninstallUsage, "--browser needs a value");
      if (auto e = add_browser(a.value, o.browsers)) return usage_error(io, cmd, kUninstallUsage, *e);
    } else {
      return usage_error(io, cmd, kUninstallUsage, "unknown option '" + a.flag + "'");
    }
  }
  auto paths = platform::user_paths();
  if (!paths) return fail(io, cmd, as_json, paths.error());
  auto r = inst::uninstall(o, *paths);
  if (!r) return fail(io, cmd, as_json, r.error());
  const int code = r->complete() ? 0 : 1;

  if (as_json) {
    json manifests = json::array(), dirs = json::array(), removed_lists = json::array();
    for (const auto& e : r->manifests) {
      json m = manifest_json(e.manifest);
      m["outcome"] = inst::outcome_name(e.outcome);
      if (!e.message.empty()) m["message"] = e.message;
      manifests.push_back(std::move(m));
    }
    for (const auto& d : r->removed_dirs) dirs.push_back(d.string());
    for (const auto& l : r->removed_allow_lists) removed_lists.push_back(l.string());
    io.out << dump({{"ok", code == 0},
                    {"manifests", manifests},
                    {"removed_dirs", dirs},
                    {"removed_allow_lists", removed_lists}})
           << "\n";
    return code;
  }
  if (r->manifests.empty()) io.out << "Nothing to uninstall: dealstack recorded no manifests"
                                   << (o.browsers.empty() ? "" : " for those browsers") << ".\n";
  for (const auto& e : r->manifests) {
    const std::string label(inst::browser_label(e.manifest.browser));
    switch (e.outcome) {
      case inst::Outcome::removed: io.out << "Removed " << label << "'s " << e.manifest.file.string() << "\n"; break;
      case inst::Outcome::missing:
        io.out << label << "'s " << e.manifest.file.string() << " was already gone\n";
        break;
      case inst::Outcome::kept_changed:
        io.out << "Left " << label << "'s " << e.manifest.file.string()
               << ": it changed since dealstack wrote it. Remove it yourself, or run: dealstack uninstall --force\n";
        break;
      case inst::Outcome::failed: io.out << "Could not remove it: " << e.message << "\n"; break;
    }
  }
  for (const auto& l : r->removed_allow_lists) io.out << "Removed the allow-list " << l.string() << "\n";
  for (const auto& d : r->removed_dirs) io.out << "Removed the empty folder " << d.string() << "\n";
  return code;
}

int doctor_command(const std::vector<std::string>& args, Io io) {
  constexpr std::string_view cmd = "doctor";
  inst::DoctorOptions o;
  bool as_json = false;
  Args a(args);
  while (a.next()) {
    if (a.flag == "--help" || a.flag == "-h") {
      io.out << kDoctorUsage;
      return 0;
    }
    if (a.flag == "--json") {
      as_json = true;
    } else if (a.flag == "--browser") {
      if (!a.take_value()) return usage_error(io, cmd, kDoctorUsage, "--browser needs a value");
      if (auto e = add_browser(a.value, o.browsers)) return usage_error(io, cmd, kDoctorUsage, *e);
    } else {
      return usage_error(io, cmd, kDoctorUsage, "unknown option '" + a.flag + "'");
    }
  }
  auto paths = platform::user_paths();
  if (!paths) return fail(io, cmd, as_json, paths.error());
  auto report = inst::run_doctor(o, *paths, platform::real_env);
  // The agent's settings: a file it would refuse keeps it from starting.
  const auto settings = paths->config / "agent.json";
  const auto add_problem = [&report](const std::string& subject, const std::string& code, std::string message,
                                     std::string fix) {
    report.problems.push_back({subject, code, std::move(message), std::move(fix)});
  };
  if (auto config = agent::load_agent_config(settings); !config)
    add_problem("agent", "agent_config_invalid",
                "The agent won't start with its settings: " + config.error().message + ".",
                "edit or remove " + settings.string());
  const int code = report.ok() ? 0 : 1;

  if (as_json) {
    json manifests = json::array(), problems = json::array();
    for (const auto& m : report.manifests)
      manifests.push_back({{"browser", inst::browser_name(m.browser)},
                           {"place", inst::place_name(m.place)},
                           {"file", m.file.string()},
                           {"ok", m.ok}});
    for (const auto& p : report.problems)
      problems.push_back({{"subject", p.subject}, {"code", p.code}, {"message", p.message}, {"fix", p.fix}});
    io.out << dump({{"ok", report.ok()}, {"manifests", manifests}, {"problems", problems}}) << "\n";
    return code;
  }
  for (const auto& m : report.manifests)
    io.out << (m.ok ? "ok       " : "PROBLEM  ") << inst::browser_label(m.browser) << " ("
           << inst::place_name(m.place) << "): " << m.file.string() << "\n";
  if (!report.problems.empty()) io.out << "\n";
  for (const auto& p : report.problems) io.out << p.message << "\n  run: " << p.fix << "\n";
  io.out << (report.ok() ? "\nEverything dealstack needs is in place.\n"
                         : "\n" + std::to_string(report.problems.size()) +
                               (report.problems.size() == 1 ? " problem" : " problems") + " found.\n");
  return code;
}

}  // namespace dealstack::cli
