#!/usr/bin/env bash
# npm start: installs what is missing, builds, then shows the program at work: the products
# of a few bundled sample pages, a few real-world price strings, the best deal stack for a
# sample cart, and a price watch (the real agent checking a loopback shop until it alerts).
# (A later issue adds Chromium with the extension.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh native
node scripts/demo.mjs
