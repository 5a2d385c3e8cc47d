#!/usr/bin/env bash
# bench_core.sh: the core benchmark, everything on the same latents in one run.
#
#   1. numpy/scipy reference (vectorised) on synthetic 64x7x7 latents, N = 300, clean + 6 noisy;
#      it also saves those latents to build/bench-latents
#   2. the native core on the same files (2 threads, then 1), and its scaling with N
#   3. the WebAssembly core under Node on the same files (2 threads)
# Needs the native and wasm presets built (scripts/test.sh does both). Results: docs/core.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
dir=build/bench-latents
# The machine's environment may pin OpenBLAS to an older kernel (OPENBLAS_CORETYPE, L2 size) for
# safety; that slows numpy, so the reference runs without both, as a fair opponent.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/reference_geometry.py --bench --repeat 5 --save "$dir"
# OpenBLAS's OpenMP threads cost more than they bring on these small batched problems: numpy's
# best configuration here is one thread, so it is timed that way too.
OMP_NUM_THREADS=1 env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/reference_geometry.py --bench --repeat 5 --load "$dir"
./build/native/bench/bench_geometry --latents "$dir" --repeat 5
./build/native/bench/bench_geometry --latents "$dir" --repeat 5 --threads 1
node build/wasm/bench/bench_geometry.js --latents "$dir" --repeat 3 --threads 2
node build/wasm/bench/bench_geometry.js --latents "$dir" --repeat 3 --threads 1
./build/native/bench/bench_geometry --scaling --repeat 3
