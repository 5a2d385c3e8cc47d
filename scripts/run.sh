#!/usr/bin/env bash
# run.sh: the main job, from a fresh Debian 12 machine: build the browser explorer on the bundled
# models and serve it.
#
# 1. installs what is missing (scripts/setup.sh: core, WebAssembly, browser packages)
# 2. scripts/serve.sh: installs the page's locked npm packages if missing, builds the `wasm`
#    preset (core, Dear ImGui interface, worker, site folder build/wasm/site) and serves it on
#    127.0.0.1 with the cross-origin isolation headers; prints the URL to open. Ctrl-C stops.
#
#   scripts/run.sh [PORT]        (default 8080)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh core wasm browser
exec bash scripts/serve.sh "$@"
