#!/usr/bin/env bash
# rgb_page.sh: the page's study on RGB 3 x 32 x 32 models against the default study (1 x 28 x 28),
# in headless Chromium, back to back on the same machine (docs/explorer.md, "Other input shapes").
#
#   bench/rgb_page.sh [OUT (default build/bench-rgb)] [N (default 300)]
#
# It trains CAE, DAE and VAE at --input 3x32x32 (latents 64 x 8 x 8) on Fashion-MNIST converted
# by the core's rule (gray replicated to RGB, 28 -> 32 by the area filter), one epoch on 6000
# images (enough for real weights; the timing does not depend on how well they reconstruct),
# exports them, publishes them with the built page, and runs tests/browser/bench.mjs (the
# "untouched" pass: the study alone) on the default site and on the RGB one. Needs both presets
# built (scripts/test.sh). Kept runs are reused: a second call only publishes and measures.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/bench-rgb}
n=${2:-300}
strata=build/native/native_trainer/strata
mkdir -p "$out"
for kind in cae dae vae; do
  if [ ! -f "$out/models/$kind/encoder.onnx" ]; then
    "$strata" train --kind "$kind" --input 3x32x32 --epochs 1 --train-limit 6000 --out "$out/run-$kind" --quiet
    "$strata" export "$out/run-$kind" --out "$out/models/$kind"
  fi
done
rm -rf "$out/site"
"$strata" publish --models "$out/models" --out "$out/site" --n 1000 --title "RGB 3x32x32" --page build/wasm/site
echo "== default study (1 x 28 x 28, latents 64 x 7 x 7), N = $n"
node tests/browser/bench.mjs --site build/wasm/site --n "$n" --passes untouched
echo "== RGB study (3 x 32 x 32, latents 64 x 8 x 8), N = $n"
node tests/browser/bench.mjs --site "$out/site" --n "$n" --passes untouched
