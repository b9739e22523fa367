// Reading a secret (a passphrase, a password, a token) for a CLI command: from the terminal
// with echo off, or from standard input with --stdin; never from the arguments or the
// environment (other users' processes can read those). Bytes are read from fd 0 with
// read(2) one at a time, not through std::cin, so no stdio buffer keeps a copy, and every
// buffer of ours is wiped before it is freed.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "cli/commands.hpp"
#include "crypto/crypto.hpp"

namespace dealstack::cli {

// One line from fd 0 without its line ending (all of the input, less one final newline, with
// `whole_input`). Keeps at most cap + 1 bytes, so a caller can tell "too long" from "at the
// limit"; reads on to the line's end either way. None at end of input before any byte, or
// on a read error.
std::optional<crypto::SecretBytes> read_secret(std::size_t cap, bool whole_input = false);

struct SecretPrompt {
  std::string_view command;  // "vault": messages start "dealstack vault: "
  std::string_view what;     // "passphrase": "no passphrase was given"
  const char* prompt;        // shown on the terminal ("Vault passphrase: ")
  std::size_t cap;           // bytes, as read_secret
  bool from_stdin = false;   // --stdin
  bool whole_input = false;  // --stdin reads all of standard input (a terminal: one line)
};

// The secret, or none after saying why on io.err: standard input isn't a terminal and no
// --stdin was given, the input ended, or the line was empty.
std::optional<crypto::SecretBytes> ask_secret(Io io, const SecretPrompt& p);

}  // namespace dealstack::cli
