#!/usr/bin/env bash
# npm start: installs what is missing, builds the program, the wasm core and the extension,
# shows a few things the command line does, then the extension at work in Chromium on a demo
# shop served on loopback (scripts/start.mjs: headless with screenshots when there is no
# display, else a browser window until Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh native wasm
node scripts/build_extension.mjs
node scripts/demo.mjs --short
node scripts/start.mjs "$@"
