#!/bin/sh
# train_defaults.sh: trains and exports the default models shipped in models/ (docs/trainer.md).
#
#   models/train_defaults.sh [STRATA] [KIND...]     (default: build/native/native_trainer/strata; cae dae vae sparse beta-vae)
#
# Each run goes to runs/<kind>/ (git-ignored; checkpoints allow --resume after a kill), is exported
# to ONNX, and its encoder.onnx, decoder.onnx, config.json and training_log.json are copied to
# models/<kind>/. models/manifest.json is then rebuilt with models/make_manifest.py.
# Epochs (docs/trainer.md): cae 5, dae 5, vae 8, sparse and beta-vae 3 (about an hour of training on
# 2 cores for all five, two runs side by side).
#
# THREADS (default 1) is LibTorch's thread count per run. One thread per run, with two runs side by
# side (KINDS split over two invocations), beat one run with two OpenMP threads on our shared
# 2-core machine: OpenMP threads spin at barriers when a core is taken by another process.
set -eu
cd "$(dirname "$0")/.."
THREADS=${THREADS:-1}
STRATA=${1:-build/native/native_trainer/strata}
[ $# -gt 0 ] && shift
KINDS=${*:-cae dae vae sparse beta-vae}
for kind in $KINDS; do
  case $kind in
    cae) epochs=5 ;;
    dae) epochs=5 ;;
    vae) epochs=8 ;;
    *) epochs=3 ;;
  esac
  if [ -f runs/$kind/checkpoint.pt ]; then
    "$STRATA" train --out runs/$kind --resume --epochs $epochs --threads $THREADS
  else
    "$STRATA" train --kind $kind --out runs/$kind --epochs $epochs --seed 1 --threads $THREADS
  fi
  "$STRATA" export runs/$kind
  mkdir -p models/$kind
  cp runs/$kind/encoder.onnx runs/$kind/decoder.onnx runs/$kind/config.json runs/$kind/training_log.json models/$kind/
done
