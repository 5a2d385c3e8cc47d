#!/bin/sh
# serve.sh [PORT]: builds the browser explorer (the `wasm` preset: core, interface, worker and the
# site folder build/wasm/site/) and serves it on 127.0.0.1 with the cross-origin isolation headers
# ONNX Runtime Web's threads and the core's pthreads need. Prints the URL; Ctrl-C stops.
set -eu
cd "$(dirname "$0")/.."
# Debian's Emscripten 3.1.6: see ../shared/RECIPES.md (acorn for -O2 links, the right Python).
export NODE_PATH=/usr/share/nodejs EMSDK_PYTHON=/usr/bin/python3
[ -d web/node_modules/onnxruntime-web ] || npm ci --prefix web --no-audit --no-fund
cmake --preset wasm >/dev/null
cmake --build --preset wasm
exec node web/serve.mjs "${1:-8080}" build/wasm/site
