#!/usr/bin/env bash
# npm start: installs what is missing, builds, then shows the core at work: the products of
# a few bundled sample pages, a few real-world price strings and the best deal stack for a
# sample cart. (Later issues give it the
# full job: the agent, the demo shop and Chromium with the extension.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh native
node scripts/demo.mjs
