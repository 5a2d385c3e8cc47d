#!/usr/bin/env bash
# fuzz.sh: build the libFuzzer targets (preset `fuzz`), replay their seeds and regressions, then
# fuzz each target for a while. docs/fuzzing.md describes the targets.
#
# Usage: scripts/fuzz.sh [--seconds S] [--jobs J] [target ...]
#   target     fuzz_npy or npy, ...; default: every fuzz/fuzz_<name>.cpp
#   --seconds  fuzzing time per target (default 10)
#   --jobs     targets fuzzed at once (default 1)
#
# Each target fuzzes a copy of its seeds (build/fuzz/work/<name>; fuzz/corpus/ is never written)
# with its dictionary fuzz/<name>.dict if there is one, under nice, with -rss_limit_mb=2048 and
# -timeout=10 (an input that takes 10 s is a bug). Crash inputs go to build/fuzz/artifacts/<name>/.
# Prints per target: executions, exec/s, coverage (cov:), corpus size. Exits 1 when a target
# crashed, naming the artifact (fix the parser, then add the input to fuzz/regressions/<name>/).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
jobs=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("${1#fuzz_}"); shift ;;
  esac
done
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.cpp; do n=$(basename "$f" .cpp); targets+=("${n#fuzz_}"); done
fi
for t in "${targets[@]}"; do
  [ -f "fuzz/fuzz_$t.cpp" ] || { echo "fuzz.sh: no target fuzz_$t (fuzz/fuzz_$t.cpp)" >&2; exit 2; }
done

# 1. Build and replay ---------------------------------------------------------------------------------
bash scripts/setup.sh fuzz
mkdir -p build
cmake --preset fuzz >build/fuzz-configure.log 2>&1 || { cat build/fuzz-configure.log; exit 1; }
cmake --build --preset fuzz
regex=$(printf '%s|' "${targets[@]}")
ctest --preset fuzz -R "^fuzz_(${regex%|})_replay\$"

# 2. Fuzz -------------------------------------------------------------------------------------------------
root=$PWD/build/fuzz
run_one() {   # name -> build/fuzz/work/<name>.log
  local t=$1 work=$root/work/$t art=$root/artifacts/$t dict=()
  rm -rf "$work" "$art"
  mkdir -p "$work" "$art"
  cp fuzz/corpus/"$t"/* "$work"/
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  nice -n 19 "$root/fuzz/fuzz_$t" "$work" "${dict[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -artifact_prefix="$art/" >"$root/work/$t.log" 2>&1
}
declare -A status pids
running=0
for t in "${targets[@]}"; do
  echo "== fuzz_$t: ${seconds} s"
  if [ "$jobs" -le 1 ]; then
    if run_one "$t"; then status[$t]=0; else status[$t]=$?; fi
  else
    (run_one "$t") & pids[$t]=$!
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
  fi
done
if [ "$jobs" -gt 1 ]; then
  for t in "${targets[@]}"; do
    if wait "${pids[$t]}"; then status[$t]=0; else status[$t]=$?; fi
  done
fi

# 3. Report -------------------------------------------------------------------------------------------------
failed=0
printf '%-16s %12s %9s %7s %8s  %s\n' target executions exec/s cov corpus result
for t in "${targets[@]}"; do
  log=$root/work/$t.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  corpus=$(find "$root/work/$t" -type f | wc -l)
  if [ "${status[$t]}" -eq 0 ]; then
    result=ok
  else
    failed=1
    artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
    result="CRASH (exit ${status[$t]}): ${artifact:-no artifact} (log: $log)"
  fi
  printf '%-16s %12s %9s %7s %8s  %s\n' "fuzz_$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "$corpus" "$result"
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz.sh: a target crashed; its log shows the report. Reproduce: build/fuzz/fuzz/fuzz_<name> ARTIFACT" >&2
  exit 1
fi
