#!/usr/bin/env bash
# test.sh: build everything and run every test, from a fresh Debian 12 machine.
#
# 1. set-up: Debian packages (scripts/setup.sh) and the page's npm packages (web/, locked);
#    the house style and the core's layering (scripts/check_style.sh)
# 2. native: configure, build and ctest the `native` preset (core unit tests, CLI end-to-end
#    tests, the numpy/scipy reference check, the trainer's tests)
#    and the same suite again under the `native-debug` preset (AddressSanitizer + UBSan)
# 3. fuzz: the libFuzzer targets' regressions and a short run of each (scripts/fuzz.sh)
# 4. WebAssembly: the `wasm` preset, its core tests run under Node
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs EMSDK_PYTHON=/usr/bin/python3   # Debian emscripten quirks (RECIPES.md)

bash scripts/setup.sh all
if [ -f web/package-lock.json ]; then
  npm ci --prefix web --no-audit --no-fund
fi

# The house style (.clang-format, web/.prettierrc.json) and the core's layering, before building.
echo "== style"
bash scripts/check_style.sh

echo "== native"
cmake --workflow --preset native

# The same native suite under AddressSanitizer + UndefinedBehaviorSanitizer: a memory error, a
# leak or undefined behaviour in our code fails the run (docs/faults.md: coverage and cost).
echo "== native-debug (sanitizers)"
cmake --workflow --preset native-debug

# Every libFuzzer target (fuzz/, docs/fuzzing.md): replay its regressions, then fuzz 8 s each
# (5 targets: under a minute in all). The long runs are done by hand: scripts/fuzz.sh --seconds 600.
echo "== fuzz"
bash scripts/fuzz.sh --seconds 8

echo "== wasm"
cmake --workflow --preset wasm
