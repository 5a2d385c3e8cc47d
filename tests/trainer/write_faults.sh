#!/usr/bin/env bash
# write_faults.sh: failing writes on the real `strata` program. For each output (the exported ONNX
# pair, the training checkpoint, the characterize and geometry results with their CSV tables) and
# each fault, the command exits with status 1, the error names the path and the reason, the
# previous files are byte-identical and no temporary file is left. Run by ctest as
# trainer_write_faults (GROUP basic), trainer_write_faults_sysfs and trainer_write_faults_mount;
# docs/faults.md has the matrix.
#   write_faults.sh STRATA SOURCE_DIR GROUP
#
# Faults that work as root (CI runs as root, where chmod stops nothing):
#   basic   EFBIG   `ulimit -f` (strata ignores SIGXFSZ, so write() fails instead of the process dying)
#           ENOTDIR an output under a regular file
#   sysfs   /sys    sysfs refuses new files even for root
#   mount   ENOSPC  a full tmpfs        } need mount rights: the script re-runs itself in a private
#           EROFS   a read-only tmpfs   } mount namespace (unshare -m)
# A group that cannot run on this machine (a /sys that accepts files, no mount rights) exits with
# status 77, which ctest reports as skipped.
set -euo pipefail
STRATA=$1
SRC=$2
GROUP=${3:-basic}
SKIP=77
case "$GROUP" in basic|sysfs|mount) ;; *) echo "write_faults: unknown group '$GROUP' (basic, sysfs, mount)"; exit 2 ;; esac
if [ "$GROUP" = mount ] && [ -z "${STRATA_FAULTS_NS:-}" ]; then
  if ! unshare -m --propagation private true 2>/dev/null; then
    echo "write_faults: SKIPPED: ENOSPC and EROFS need a private mount namespace (unshare -m: root with CAP_SYS_ADMIN)"
    exit $SKIP
  fi
  export STRATA_FAULTS_NS=1
  exec unshare -m --propagation private bash "$0" "$@"
fi
DIR=$(mktemp -d /tmp/strata_test_write_faults_XXXXXX)
cleanup() { umount "$DIR/small" 2>/dev/null || true; rm -rf "$DIR"; }
trap cleanup EXIT
EX=$SRC/models/example
S=$DIR/snap

fail() { echo "write_faults: FAILED: $*"; [ -f "$DIR/err" ] && cat "$DIR/err"; exit 1; }
# snapshot FILE...: keep copies to compare with after a failed write.
snapshot() { rm -rf "$S"; mkdir -p "$S"; for f in "$@"; do cp "$f" "$S/$(echo "$f" | tr / _)"; done; }
# intact FILE...: byte-identical to the snapshot.
intact() { for f in "$@"; do cmp -s "$f" "$S/$(echo "$f" | tr / _)" || fail "$f changed"; done; }
# no_tmp DIR...: no temporary file left.
no_tmp() {
  local left
  left=$(find "$@" -name '*.tmp.*' 2>/dev/null || true)
  [ -z "$left" ] || fail "temporary files left: $left"
}
# expect_fail CASE EXPECTED-MESSAGE COMMAND...: exit status 1 and the message on stderr.
expect_fail() {
  local name=$1 msg=$2 rc=0
  shift 2
  "$@" > /dev/null 2> "$DIR/err" || rc=$?
  [ "$rc" = 1 ] || fail "$name: expected exit status 1, got $rc"
  grep -qF -- "$msg" "$DIR/err" || fail "$name: expected message '$msg'"
  echo "ok  $name: $(tail -1 "$DIR/err")"
}
# limited KB COMMAND...: the command under a file-size limit.
limited() { local kb=$1; shift; (ulimit -f "$kb"; exec "$@"); }

# The previous versions: a 1-epoch run, its export, a geometry and a characterize result.
TRAIN="--kind cae --threads 1 --train-limit 256 --eval-images 10 --quiet"
GEO=(geometry --clean "$EX/cae_sigma0.npy" --noisy "0.1=$EX/cae_sigma0.1.npy" --quiet)
CHR=(characterize --models "$SRC/models/cae" --n 20 --sigmas 0,0.1 --quiet)
R=$DIR/run
MODEL=("$R/encoder.onnx" "$R/decoder.onnx")
CKPT=("$R/checkpoint.pt" "$R/training_log.json")
GEOF=("$DIR/geo/result.json" "$DIR/geo/csv/summary.csv" "$DIR/geo/csv/samples.csv")
CHRF=("$DIR/chr/result.json" "$DIR/chr/csv/summary.csv" "$DIR/chr/csv/samples.csv")
EFBIG="File too large"
setup_run() {
  "$STRATA" train $TRAIN --epochs 1 --out "$R" > /dev/null
  "$STRATA" export "$R" > /dev/null
}
setup_geo() { "$STRATA" "${GEO[@]}" --out "$DIR/geo/result.json" --csv "$DIR/geo/csv"; }
setup_chr() { "$STRATA" "${CHR[@]}" --out "$DIR/chr/result.json" --csv "$DIR/chr/csv"; }

basic() {
  setup_run
  setup_geo
  setup_chr
  echo "== file-size limit (EFBIG)"
  snapshot "${MODEL[@]}"
  expect_fail "export, 64 KB limit" "$R/encoder.onnx: write failed: $EFBIG" limited 64 "$STRATA" export "$R"
  intact "${MODEL[@]}"
  # The config (about 1 KB) fits, the checkpoint (about 2 MB) does not: training stops at the end of
  # epoch 2 and the epoch-1 checkpoint stays.
  snapshot "${CKPT[@]}"
  expect_fail "train checkpoint, 64 KB limit" \
    "$R/checkpoint.pt: write failed: $EFBIG (training stopped after epoch 2; the previous checkpoint is kept)" \
    limited 64 "$STRATA" train --out "$R" --resume --epochs 2 --quiet
  intact "${CKPT[@]}"
  snapshot "${GEOF[@]}"
  expect_fail "geometry JSON + CSV, 1 KB limit" "$DIR/geo/result.json: write failed: $EFBIG" \
    limited 1 "$STRATA" "${GEO[@]}" --out "$DIR/geo/result.json" --csv "$DIR/geo/csv"
  intact "${GEOF[@]}"
  snapshot "${CHRF[@]}"
  expect_fail "characterize JSON + CSV, 1 KB limit" "$DIR/chr/result.json: write failed: $EFBIG" \
    limited 1 "$STRATA" "${CHR[@]}" --out "$DIR/chr/result.json" --csv "$DIR/chr/csv"
  intact "${CHRF[@]}"
  # The encoder fits, the decoder does not: the encoder is not replaced either (written as a pair).
  ENC_KB=$(( $(stat -c %s "$R/encoder.onnx") / 1024 + 2 ))
  DEC_KB=$(( $(stat -c %s "$R/decoder.onnx") / 1024 ))
  [ "$DEC_KB" -gt "$ENC_KB" ] || fail "decoder.onnx is expected to be larger than encoder.onnx"
  snapshot "${MODEL[@]}"
  expect_fail "export, the encoder fits but the decoder does not" "$R/decoder.onnx: write failed: $EFBIG" \
    limited "$ENC_KB" "$STRATA" export "$R"
  intact "${MODEL[@]}"
  no_tmp "$DIR"

  echo "== an output under a regular file (ENOTDIR)"
  echo keep > "$DIR/afile"
  expect_fail "geometry --out under a file" "$DIR/afile/result.json: cannot write: Not a directory" \
    "$STRATA" "${GEO[@]}" --out "$DIR/afile/result.json"
  snapshot "${GEOF[@]}"
  expect_fail "geometry --csv under a file" "$DIR/afile/csv: cannot create the folder: Not a directory" \
    "$STRATA" "${GEO[@]}" --out "$DIR/geo/result.json" --csv "$DIR/afile/csv"
  intact "${GEOF[@]}"
  expect_fail "characterize --out under a file" "$DIR/afile/result.json: cannot write: Not a directory" \
    "$STRATA" "${CHR[@]}" --out "$DIR/afile/result.json"
  expect_fail "export --out under a file" "$DIR/afile/onnx: cannot create the folder: Not a directory" \
    "$STRATA" export "$R" --out "$DIR/afile/onnx"
  expect_fail "train --out under a file" "$DIR/afile/run: cannot create the folder: Not a directory" \
    "$STRATA" train $TRAIN --epochs 1 --out "$DIR/afile/run"
  [ "$(cat "$DIR/afile")" = keep ] || fail "$DIR/afile changed"

  # After the EFBIG cases the kept checkpoint and model load (export) and training resumes.
  "$STRATA" export "$R" --out "$DIR/onnx_after" > /dev/null || fail "the kept checkpoint does not export"
  "$STRATA" train --out "$R" --resume --epochs 2 --quiet > /dev/null || fail "the kept checkpoint does not resume"
  no_tmp "$DIR"
}

sysfs() {
  echo "== a file system that refuses new files (/sys)"
  if touch /sys/strata_write_faults_probe 2>/dev/null; then
    rm -f /sys/strata_write_faults_probe
    echo "write_faults: SKIPPED: /sys accepts new files on this machine"
    exit $SKIP
  fi
  expect_fail "geometry --out /sys/..." "/sys/strata_write_faults.json: cannot write: " \
    "$STRATA" "${GEO[@]}" --out /sys/strata_write_faults.json
}

mount_faults() {
  mkdir "$DIR/small"
  if ! mount -t tmpfs -o size=4m tmpfs "$DIR/small" 2>/dev/null; then
    echo "write_faults: SKIPPED: cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)"
    exit $SKIP
  fi
  setup_run
  setup_geo
  echo "== a full file system (ENOSPC, 4 MB tmpfs)"
  T=$DIR/small
  cp -r "$R" "$T/run"
  mkdir "$T/geo"
  cp "$DIR/geo/result.json" "$T/geo/"
  dd if=/dev/zero of="$T/filler" bs=4k 2> /dev/null || true   # fills it
  M=("$T/run/encoder.onnx" "$T/run/decoder.onnx" "$T/run/checkpoint.pt" "$T/run/training_log.json"
     "$T/run/config.json" "$T/geo/result.json")
  snapshot "${M[@]}"
  expect_fail "export, disk full" "$T/run/encoder.onnx: write failed: No space left on device" "$STRATA" export "$T/run"
  expect_fail "geometry, disk full" "$T/geo/result.json: write failed: No space left on device" \
    "$STRATA" "${GEO[@]}" --out "$T/geo/result.json"
  expect_fail "train --resume, disk full" "$T/run/config.json: write failed: No space left on device" \
    "$STRATA" train --out "$T/run" --resume --epochs 2 --quiet
  intact "${M[@]}"
  # Room for the config (64 KB) but not for the checkpoint.
  truncate -s -64K "$T/filler"
  snapshot "$T/run/checkpoint.pt" "$T/run/training_log.json"
  expect_fail "train checkpoint, disk full" \
    "$T/run/checkpoint.pt: write failed: No space left on device (training stopped after epoch 2; the previous checkpoint is kept)" \
    "$STRATA" train --out "$T/run" --resume --epochs 2 --quiet
  intact "$T/run/checkpoint.pt" "$T/run/training_log.json"
  no_tmp "$T"

  echo "== a read-only file system (EROFS)"
  rm "$T/filler"
  mount -o remount,ro "$T"
  snapshot "${M[@]}"
  expect_fail "export, read-only" "$T/run/encoder.onnx: cannot write: Read-only file system" "$STRATA" export "$T/run"
  expect_fail "geometry, read-only" "$T/geo/result.json: cannot write: Read-only file system" \
    "$STRATA" "${GEO[@]}" --out "$T/geo/result.json"
  expect_fail "train --resume, read-only" "$T/run/config.json: cannot write: Read-only file system" \
    "$STRATA" train --out "$T/run" --resume --epochs 2 --quiet
  intact "${M[@]}"
  no_tmp "$T"
  # The checkpoint kept through all of it still loads and resumes.
  cp -r "$T/run" "$DIR/run_after_faults"
  umount "$T"
  "$STRATA" train --out "$DIR/run_after_faults" --resume --epochs 2 --quiet > /dev/null ||
    fail "the kept checkpoint does not resume"
}

case "$GROUP" in
  basic) basic ;;
  sysfs) sysfs ;;
  mount) mount_faults ;;
esac
echo "write_faults $GROUP: ok"
