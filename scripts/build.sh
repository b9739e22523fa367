#!/usr/bin/env bash
# Configures and builds the given CMake presets (default: native). Usage:
#   scripts/build.sh [native] [native-asan] [wasm]
set -euo pipefail
cd "$(dirname "$0")/.."
# Emscripten 3.1.6's JS optimizer needs Debian's acorn, which lives in /usr/share/nodejs.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
presets=("$@")
((${#presets[@]})) || presets=(native)
for preset in "${presets[@]}"; do
  if [ ! -f "build/$preset/CMakeCache.txt" ]; then
    cmake --preset "$preset" >/dev/null
  fi
  echo "build: $preset"
  cmake --build --preset "$preset"
done
