#!/usr/bin/env bash
# Installs whatever is missing for building and testing dealstack on Debian 12, then the npm
# dependencies. Safe to run again: it does nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages. Why each is here: README.md, "Dependencies".
APT_PACKAGES=(
  g++ cmake ninja-build pkg-config      # the native toolchain
  libgumbo-dev                          # HTML5 parsing (native build)
  chromium                              # tests of the wasm module in a real MV3 service worker
  nlohmann-json3-dev                    # JSON
  doctest-dev                           # C++ unit tests
  emscripten                            # the WebAssembly build
  libsqlite3-dev                        # the agent's store
  libboost-dev                          # Boost.Beast + Asio: the agent's HTTP client, sockets
  libssl-dev                            # TLS for the HTTP client (OpenSSL)
  libdbus-1-dev                         # desktop notifications for alerts (D-Bus, libdbus)
  dbus-daemon                           # a real session bus for the notification tests
  sqlite3                               # the crash test reads the agent's database file (integrity_check, rows)
  libsecret-1-dev                       # the vault's key in the OS keyring (Secret Service)
  gnome-keyring                         # a real Secret Service for the vault's keyring tests
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# npm dependencies (gumbo's C sources for wasm, test and bundling tools), from the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund >/dev/null
fi
