#!/usr/bin/env bash
# setup.sh: install what a fresh Debian 12 machine lacks to build and test Strata.
#
# Sections: 1. package groups  2. choose groups  3. install (idempotent, root or sudo)
#
# Usage: scripts/setup.sh [core] [wasm] [trainer] [bench] [browser] [fuzz] [all]
#        (no argument = all). Safe to run again: installed packages are skipped.
set -euo pipefail

# 1. Package groups (see ../shared/RECIPES.md for why each is needed) ---------------------------
core_pkgs="cmake g++ make libeigen3-dev doctest-dev nlohmann-json3-dev libstb-dev ccache"
wasm_pkgs="emscripten"
trainer_pkgs="libtorch-dev libopenblas0-openmp libonnx-dev libprotobuf-dev zlib1g-dev dataset-fashion-mnist"
bench_pkgs="python3-numpy python3-scipy python3-torch python3-onnx libopenblas0-openmp"
browser_pkgs="chromium nodejs npm"
fuzz_pkgs="clang libclang-rt-14-dev"   # libFuzzer; the targets also need the trainer's packages

# 2. Which groups -------------------------------------------------------------------------------
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(all)
want=""
for g in "${groups[@]}"; do
  case "$g" in
    core) want="$want $core_pkgs" ;;
    wasm) want="$want $core_pkgs $wasm_pkgs" ;;
    trainer) want="$want $core_pkgs $trainer_pkgs" ;;
    bench) want="$want $core_pkgs $bench_pkgs" ;;
    browser) want="$want $browser_pkgs" ;;
    fuzz) want="$want $core_pkgs $trainer_pkgs $fuzz_pkgs" ;;
    all) want="$want $core_pkgs $wasm_pkgs $trainer_pkgs $bench_pkgs $browser_pkgs $fuzz_pkgs" ;;
    *) echo "setup.sh: unknown group '$g' (core wasm trainer bench browser fuzz all)" >&2; exit 2 ;;
  esac
done

# 3. Install only what is missing -----------------------------------------------------------------
missing=()
for p in $(echo $want | tr ' ' '\n' | sort -u); do
  # node and npm may come from elsewhere (e.g. NodeSource): accept the commands if present.
  if [ "$p" = nodejs ] && command -v node >/dev/null; then continue; fi
  if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup.sh: all packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
