#!/usr/bin/env bash
# Every test: the core's doctest suite natively, under ASan+UBSan and as wasm under node,
# then the node tests of the CLI, host and agent, of the built ES module, of the docs, and
# of the built extension in headless Chromium with the real host and agent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh native native-asan wasm
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
node scripts/build_extension.mjs
for preset in native native-asan wasm; do
  echo "test: $preset"
  ctest --preset "$preset"
done
node --test tests/native_host/ tests/wasm/ tests/docs/ tests/extension/ tests/backend/
