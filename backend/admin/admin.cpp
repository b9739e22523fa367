#include "admin/admin.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "accounts/account_store.hpp"
#include "crypto/crypto.hpp"
#include "db/sqlite.hpp"
#include "log/request_log.hpp"
#include "offers/offer_store.hpp"
#include "platform/paths.hpp"
#include "rules/rule_packs.hpp"

namespace dealstack::backend::admin {

namespace {

using Json = nlohmann::json;

int fail(const Error& e) {
  std::cerr << "dealstack-server admin: " << e.message << " (" << e.code << ")\n";
  return 1;
}

int usage(const std::string& why) {
  std::cerr << "dealstack-server admin: " << why << "\n"
            << "usage: dealstack-server admin offers import FILE\n"
               "       dealstack-server admin rules keygen --out SEEDFILE\n"
               "       dealstack-server admin rules sign --key SEEDFILE PACK.json\n"
               "       dealstack-server admin rules import ENVELOPE.json\n"
               "       dealstack-server admin tokens revoke|expire --email EMAIL\n"
               "       dealstack-server admin accounts list\n"
               "  (each takes --config FILE, as serve does)\n";
  return 2;
}

// At most `max` bytes of a file. Errors "io_error", "too_large".
Result<std::string> read_file(const std::string& path, std::size_t max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("io_error", path + ": can't be read");
  std::string out;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<std::size_t>(in.gcount()));
    if (out.size() > max) return make_error("too_large", path + ": is over " + std::to_string(max >> 20) + " MiB");
  }
  return out;
}

Result<db::Db> open_db(const Config& config) {
  if (auto s = platform::ensure_private_dir(config.data_dir); !s) return s.error();
  return db::Db::open(config.database());
}

// The value after `flag` in args (from index `from`), if present.
std::string flag_value(const std::vector<std::string>& args, std::size_t from, const char* flag) {
  for (std::size_t i = from; i + 1 < args.size(); ++i)
    if (args[i] == flag) return args[i + 1];
  return {};
}

int offers_import(const Config& config, const std::string& file) {
  auto text = read_file(file, 16u << 20);
  if (!text) return fail(text.error());
  auto db = open_db(config);
  if (!db) return fail(db.error());
  auto summary = offers::import_feed(*db, *text, log::now_ms());
  if (!summary) return fail(summary.error());
  std::cout << Json{{"retailers", summary->retailers}, {"offers", summary->offers}}.dump() << "\n";
  return 0;
}

int rules_keygen(const std::string& out) {
  auto pair = crypto::ed25519_generate();
  if (!pair) return fail(pair.error());
  std::string text = crypto::base64_encode(pair->seed.view()) + "\n";
  const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    crypto::wipe(text);
    return fail(make_error("io_error", out + ": can't create it (" + std::strerror(errno) +
                                           "); an existing key file is never replaced"));
  }
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  crypto::wipe(text);
  if (!ok) return fail(make_error("io_error", out + ": write failed"));
  std::cout << crypto::base64_encode(pair->public_key) << "\n";
  return 0;
}

int rules_sign(const std::string& key_file, const std::string& pack_file) {
  auto key_text = read_file(key_file, 4096);
  if (!key_text) return fail(key_text.error());
  auto seed = rules::parse_seed(*key_text);
  crypto::wipe(*key_text);
  if (!seed) return fail(seed.error());
  auto pack = read_file(pack_file, rules::kMaxPackBytes);
  if (!pack) return fail(pack.error());
  auto envelope = rules::sign_pack(*seed, *pack);
  if (!envelope) return fail(envelope.error());
  std::cout << *envelope << "\n";
  return 0;
}

int rules_import(const Config& config, const std::string& file) {
  auto text = read_file(file, 2 * rules::kMaxPackBytes + 4096);
  if (!text) return fail(text.error());
  auto envelope = rules::check_envelope(*text, config.rule_keys);
  if (!envelope) return fail(envelope.error());
  auto db = open_db(config);
  if (!db) return fail(db.error());
  if (auto s = rules::import_envelope(*db, *envelope, log::now_ms()); !s) return fail(s.error());
  if (!envelope->verified)
    std::cerr << "dealstack-server admin: warning: no rule_keys configured; the signature was not checked here "
                 "(agents check it)\n";
  std::cout << Json{{"retailer", envelope->retailer}, {"version", envelope->version}, {"key_id", envelope->key_id},
                    {"verified", envelope->verified}}
                   .dump()
            << "\n";
  return 0;
}

int tokens(const Config& config, const std::string& what, const std::string& email) {
  auto db = open_db(config);
  if (!db) return fail(db.error());
  auto n = what == "revoke" ? accounts::revoke_all(*db, email, log::now_ms())
                            : accounts::expire_all(*db, email, log::now_ms());
  if (!n) return fail(n.error());
  std::cout << Json{{what == "revoke" ? "revoked" : "expired", *n}}.dump() << "\n";
  return 0;
}

int accounts_list(const Config& config) {
  auto db = open_db(config);
  if (!db) return fail(db.error());
  auto list = accounts::list_accounts(*db, log::now_ms());
  if (!list) return fail(list.error());
  Json out = Json::array();
  for (const auto& a : *list)
    out.push_back({{"id", a.id}, {"email", a.email}, {"created_at", a.created_at}, {"records", a.records},
                   {"sessions", a.live_sessions}});
  std::cout << Json{{"accounts", out}}.dump() << "\n";
  return 0;
}

}  // namespace

int run(const Config& config, const std::vector<std::string>& args) {
  const auto arg = [&](std::size_t i) { return i < args.size() ? args[i] : std::string(); };
  const std::string area = arg(0);
  const std::string verb = arg(1);
  if (area == "offers" && verb == "import" && args.size() == 3) return offers_import(config, args[2]);
  if (area == "rules" && verb == "keygen") {
    const std::string out = flag_value(args, 2, "--out");
    return out.empty() ? usage("rules keygen needs --out SEEDFILE") : rules_keygen(out);
  }
  if (area == "rules" && verb == "sign") {
    const std::string key = flag_value(args, 2, "--key");
    if (key.empty() || args.size() != 5) return usage("rules sign needs --key SEEDFILE and PACK.json");
    const std::string pack = args[2] == "--key" ? args[4] : args[2];
    return rules_sign(key, pack);
  }
  if (area == "rules" && verb == "import" && args.size() == 3) return rules_import(config, args[2]);
  if (area == "tokens" && (verb == "revoke" || verb == "expire")) {
    const std::string email = flag_value(args, 2, "--email");
    return email.empty() ? usage("tokens " + verb + " needs --email EMAIL") : tokens(config, verb, email);
  }
  if (area == "accounts" && verb == "list" && args.size() == 2) return accounts_list(config);
  return usage(args.empty() ? "which command?" : "unknown command: admin " + area + " " + verb);
}

}  // namespace dealstack::backend::admin
