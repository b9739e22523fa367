// `dealstack-server admin ...`: operator commands that work on the data directory directly
// (the server may be running: SQLite's WAL lets both write). Results go to stdout (JSON, or
// the bare value asked for); errors to stderr as "dealstack-server admin: MESSAGE (CODE)".
//
//   admin offers import FILE             check the feed whole, then serve it (replacing the last)
//   admin rules keygen --out SEEDFILE    new Ed25519 key: the seed (base64) into a new 0600 file;
//                                        prints the public key (base64) for "rule_keys"
//   admin rules sign --key SEEDFILE PACK.json   prints the signed envelope (one JSON line)
//   admin rules import ENVELOPE.json     verify (with the configured rule_keys) and serve
//   admin tokens revoke --email E        revoke every token of the account
//   admin tokens expire --email E        make every token of the account expire now
//   admin accounts list                  {"accounts":[{id,email,created_at,records,sessions}]}
#pragma once

#include <string>
#include <vector>

#include "server/config.hpp"

namespace dealstack::backend::admin {

// `args` are the words after "admin". Returns the exit code: 0 done, 1 failed, 2 usage.
int run(const Config& config, const std::vector<std::string>& args);

}  // namespace dealstack::backend::admin
