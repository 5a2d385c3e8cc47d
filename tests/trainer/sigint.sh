#!/bin/sh
# sigint.sh: Ctrl-C on a real `strata train` process saves a checkpoint and exits with 130; the
# checkpoint is complete (it exports) and --resume accepts it. Run by ctest as trainer_sigint.
#   sigint.sh STRATA
set -eu
STRATA=$1
DIR=$(mktemp -d /tmp/strata_test_sigint_XXXXXX)
trap 'rm -rf "$DIR"' EXIT
# A long run (one full epoch, about a minute) so the signal lands in the middle of it.
"$STRATA" train --kind vae --out "$DIR/run" --epochs 1 --threads 1 --eval-images 10 2> "$DIR/log" &
PID=$!
# Wait until training has started (the first progress line), then interrupt.
for i in $(seq 100); do
  grep -q "vae epoch 1/1" "$DIR/log" 2>/dev/null && break
  sleep 0.2
done
kill -INT $PID
rc=0
wait $PID || rc=$?
[ "$rc" = 130 ] || { echo "expected exit status 130 after SIGINT, got $rc"; cat "$DIR/log"; exit 1; }
grep -q "interrupted: checkpoint saved" "$DIR/log" || { echo "no checkpoint message"; cat "$DIR/log"; exit 1; }
[ -f "$DIR/run/checkpoint.pt" ] || { echo "no checkpoint.pt"; exit 1; }
ls "$DIR/run" | grep -q tmp && { echo "a temporary file was left behind"; exit 1; }
"$STRATA" export "$DIR/run" > /dev/null
# Resuming with --epochs 0 is refused before any training: proves the run's config.json is read.
if "$STRATA" train --out "$DIR/run" --resume --epochs 0 2> "$DIR/err"; then echo "--epochs 0 accepted"; exit 1; fi
grep -q -- "--epochs must be at least 1" "$DIR/err" || { cat "$DIR/err"; exit 1; }
echo "sigint: ok"
