#!/usr/bin/env bash
# example.sh: `strata geometry` on the bundled example latents, from a fresh Debian 12 machine.
#
# 1. installs what is missing (scripts/setup.sh core)  2. builds `strata` without the trainer
#    (build/run: Release, no LibTorch needed)
# 3. runs `strata geometry` on the bundled example latent set (models/example: latents of the
#    shipped CAE for the first 100 Fashion-MNIST test images, clean and at two noise levels)
#    and prints the summary; the full result lands in build/example/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh core
cmake -S . -B build/run -DCMAKE_BUILD_TYPE=Release -DSTRATA_BUILD_TRAINER=OFF -DSTRATA_BUILD_TESTS=OFF \
  -DSTRATA_BUILD_BENCH=OFF >/dev/null
cmake --build build/run --target strata -j2
mkdir -p build/example
ex=models/example
./build/run/native_trainer/strata geometry \
  --clean "$ex/cae_sigma0.npy" --noisy "0.1=$ex/cae_sigma0.1.npy" --noisy "0.3=$ex/cae_sigma0.3.npy" \
  --out build/example/result.json --csv build/example
echo "full result: build/example/result.json, tables: build/example/summary.csv and samples.csv"
