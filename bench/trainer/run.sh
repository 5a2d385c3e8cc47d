#!/bin/sh
# run.sh: training throughput of `strata train` (LibTorch, C++) against PyTorch eager (Python) on
# the same model, batch, thread count and images, measured in one run (interleaved, so both see
# the same machine load), plus the time split of `strata characterize` on models/.
#
#   bench/trainer/run.sh [STRATA]        (default build/native/native_trainer/strata)
#   env: IMAGES (12800) BATCH (128) THREADS (2) KINDS ("cae vae") REPEATS (2) CHARACTERIZE (1)
#
# Python: Debian's python3-torch via /usr/bin/python3 (bench/trainer/pytorch_reference.py holds the
# same layers as native_trainer/network.cpp). Figures go to stdout; docs/trainer.md records them.
set -eu
cd "$(dirname "$0")/../.."
STRATA=${1:-build/native/native_trainer/strata}
IMAGES=${IMAGES:-12800}; BATCH=${BATCH:-128}; THREADS=${THREADS:-2}
KINDS=${KINDS:-cae vae}; REPEATS=${REPEATS:-2}
TMP=$(mktemp -d /tmp/strata_bench_XXXXXX)
trap 'rm -rf "$TMP"' EXIT
echo "training throughput: $IMAGES images, batch $BATCH, $THREADS threads, 1 epoch per measurement"
for kind in $KINDS; do
  for rep in $(seq "$REPEATS"); do
    "$STRATA" train --kind "$kind" --out "$TMP/$kind$rep" --epochs 1 --train-limit "$IMAGES" --batch "$BATCH" \
      --threads "$THREADS" --eval-images 100 --quiet > /dev/null
    cpp=$(/usr/bin/python3 -c "import json,sys; print('%.1f' % json.load(open(sys.argv[1]))['history'][0]['images_per_s'])" "$TMP/$kind$rep/training_log.json")
    py=$(/usr/bin/python3 bench/trainer/pytorch_reference.py bench --kind "$kind" --images "$IMAGES" --batch "$BATCH" \
      --threads "$THREADS" | sed -n 's/.*: \([0-9.]*\) img\/s.*/\1/p')
    ratio=$(/usr/bin/python3 -c "print('%.2f' % ($cpp / $py))")
    echo "  $kind run $rep: strata train $cpp img/s, PyTorch eager $py img/s, ratio $ratio"
    echo "$kind $cpp $py" >> "$TMP/all.txt"
  done
done
# Other processes on a shared machine only ever slow a run down, so the best run of each side is
# the least disturbed figure; the median is printed too.
/usr/bin/python3 - "$TMP/all.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for kind in dict.fromkeys(r[0] for r in rows):
    c = [float(r[1]) for r in rows if r[0] == kind]; p = [float(r[2]) for r in rows if r[0] == kind]
    print("  %s summary over %d runs: best %.0f vs %.0f img/s (ratio %.2f), median %.0f vs %.0f img/s (ratio %.2f)"
          % (kind, len(c), max(c), max(p), max(c) / max(p), statistics.median(c), statistics.median(p),
             statistics.median(c) / statistics.median(p)))
PY
if [ "${CHARACTERIZE:-1}" = 1 ] && [ -f models/manifest.json ]; then
  echo "characterize on models/ (300 images, 7 noise levels):"
  "$STRATA" characterize --models models --out "$TMP/char.json" --quiet
  /usr/bin/python3 -c "
import json,sys; j=json.load(open(sys.argv[1]))
for m in j['models']: t=m['timing']; print('  %-9s encode %.2f s  decode %.2f s  analysis %.2f s' % (m['name'], t['encode_s'], t['decode_s'], t['analysis_s']))
t=j['timing']; print('  total     encode %.2f s  decode %.2f s  analysis %.2f s  (wall %.2f s)' % (t['encode_s'], t['decode_s'], t['analysis_s'], t['total_s']))" "$TMP/char.json"
fi
