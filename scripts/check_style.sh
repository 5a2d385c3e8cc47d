#!/usr/bin/env bash
# check_style.sh: the house style, checked (scripts/test.sh runs it; it changes nothing).
#
#   C++         every tracked .cpp/.hpp against .clang-format (clang-format, Debian)
#   JavaScript  every tracked .mjs/.js against web/.prettierrc.json (prettier, web/'s locked npm
#               dev dependency)
#   Layers      the core (wasm/core) includes only its own headers, Eigen, stb and the standard
#               library: nothing above it (the CLI, the page's modules) and no other library
#
# `scripts/check_style.sh --fix` rewrites the files instead of checking them.
set -euo pipefail
cd "$(dirname "$0")/.."
fix=0
[ "${1:-}" = "--fix" ] && fix=1

mapfile -t cpp < <(git ls-files '*.cpp' '*.hpp')
mapfile -t js < <(git ls-files '*.mjs' '*.js')
prettier=web/node_modules/.bin/prettier
if [ ! -x "$prettier" ]; then
  echo "check_style.sh: $prettier is missing: run npm ci --prefix web" >&2
  exit 1
fi

if [ $fix -eq 1 ]; then
  clang-format -i "${cpp[@]}"
  "$prettier" --config web/.prettierrc.json --log-level warn --write "${js[@]}"
  exit 0
fi
status=0
clang-format --dry-run --Werror "${cpp[@]}" || { echo "check_style.sh: C++ differs from .clang-format (scripts/check_style.sh --fix)" >&2; status=1; }
"$prettier" --config web/.prettierrc.json --log-level warn --check "${js[@]}" ||
  { echo "check_style.sh: JavaScript differs from web/.prettierrc.json (scripts/check_style.sh --fix)" >&2; status=1; }
# Layers: a quoted include in the core must name a core file (no path); an angled one, Eigen, stb, WebAssembly
# SIMD or a standard header (no '.h' of a library, no folder other than Eigen/ and stb/).
while IFS= read -r line; do
  file=${line%%:*}; inc=$(echo "$line" | sed -E 's/.*#include *//; s/ *\/\/.*//')
  case "$inc" in
    \"*/*\") ;;
    \"*\") [ -f "wasm/core/$(echo "$inc" | tr -d '"')" ] && continue ;;
    \<Eigen/*\>|\<stb/*\>|\<wasm_simd128.h\>) continue ;;
    \<*/*\>|\<*.h\>) ;;
    \<*\>) continue ;;
  esac
  echo "check_style.sh: $file includes $inc: the core may include only itself, Eigen, stb and the standard library" >&2
  status=1
done < <(git grep -n '^ *#include' -- 'wasm/core/*.cpp' 'wasm/core/*.hpp' | sed -E 's/^([^:]*):[0-9]+:/\1:/')
[ $status -eq 0 ] && echo "check_style.sh: ${#cpp[@]} C++ and ${#js[@]} JavaScript files in the house style"
exit $status
