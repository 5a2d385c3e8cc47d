#!/bin/sh
# replay.sh: runs a libFuzzer target once over every file in the given folders (seeds, regressions).
# Usage: replay.sh TARGET DIR...   (libFuzzer given files, not folders, runs each once and exits;
# any crash, sanitizer report, leak or escaped exception fails the test.)
set -eu
exe=$1
shift
list=$(mktemp)
trap 'rm -f "$list"' EXIT
find "$@" -type f ! -name 'README*' ! -name '.*' 2>/dev/null | sort >"$list"
n=$(wc -l <"$list")
[ "$n" -gt 0 ] || { echo "replay.sh: no inputs in $*" >&2; exit 1; }
# shellcheck disable=SC2046
"$exe" -rss_limit_mb=2048 -timeout=30 $(cat "$list")
echo "replay.sh: $(basename "$exe"): $n inputs, no crash"
