#!/usr/bin/env bash
# bench_core.sh: the core benchmark, everything on the same latents in one run.
#
#   1. numpy/scipy reference (vectorised) on synthetic 64x7x7 latents, N = 300, clean + 6 noisy;
#      it also saves those latents to build/bench-latents. Timed with OpenBLAS on 2 threads and on 1.
#   2. the native core on the same files, 2 threads and 1, and its scaling with N
#   3. the WebAssembly core under Node on the same files, 2 threads and 1
#   4. a summary: native against numpy at equal threads
# Needs the native and wasm presets built (scripts/test.sh does both). Figures: docs/core.md
# ("Speed"), the one place the project's core figures are written down.
#
# Decomposition routes, so the comparison is read right: the reference decomposes each mode's
# covariance directly (numpy's batched eigh, LAPACK's divide-and-conquer dsyevd, 64 x 64 for
# mode 3); the core takes mode 3 through the 49 x 49 Gram matrix (spsd.hpp) with Eigen's
# tridiagonal QR. Both use a full symmetric eigendecomposition of every N x N kernel.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
dir=build/bench-latents
log=build/bench-core.log
: > "$log"
# The machine's environment may pin OpenBLAS to an older kernel (OPENBLAS_CORETYPE, L2 size) for
# safety; that slows numpy, so the reference runs without both, as a fair opponent.
numpy() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS="$1" OPENBLAS_NUM_THREADS="$1" \
            /usr/bin/python3 bench/reference_geometry.py --bench --repeat 5 "${@:2}" | tee -a "$log"; }
numpy 2 --save "$dir"
numpy 1 --load "$dir"
for t in 2 1; do ./build/native/bench/bench_geometry --latents "$dir" --repeat 5 --threads $t | tee -a "$log"; done
for t in 2 1; do node build/wasm/bench/bench_geometry.js --latents "$dir" --repeat 3 --threads $t | tee -a "$log"; done
./build/native/bench/bench_geometry --scaling --repeat 3

# 4. Summary: the lines above, in order: numpy 2, numpy 1, native 2, native 1, wasm 2, wasm 1.
mapfile -t t < <(grep -oE '(log-euclidean: |analysis time \(best of [0-9]+\): )[0-9.]+ s' "$log" | grep -oE '[0-9.]+ s$' | tr -d ' s')
if [ ${#t[@]} -eq 6 ]; then
  echo "summary (N = 300, 7 sets, log-euclidean, the same latents):"
  awk -v np2="${t[0]}" -v np1="${t[1]}" -v n2="${t[2]}" -v n1="${t[3]}" -v w2="${t[4]}" -v w1="${t[5]}" 'BEGIN {
    printf "  2 threads: native %.3f s, numpy %.3f s: %.1fx; WebAssembly %.3f s (%.2fx native)\n", n2, np2, np2 / n2, w2, w2 / n2
    printf "  1 thread:  native %.3f s, numpy %.3f s: %.1fx; WebAssembly %.3f s (%.2fx native)\n", n1, np1, np1 / n1, w1, w1 / n1 }'
fi
