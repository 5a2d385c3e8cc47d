#!/bin/sh
# fetch_imgui.sh DEST: puts Dear ImGui 1.86 (Debian's source package imgui_1.86+ds) into DEST/imgui.
#
# Index: 1. reuse a verified copy  2. private apt configuration  3. download  4. verify and extract
#
# Why this way: Debian ships no binary package with ImGui's full sources, and the machines reach
# only Debian's archive and npm. `apt-get source --download-only` with a private configuration
# (source list, lists folder in DEST) needs no root and changes nothing on the machine. The hash
# pins the exact tarball, so every build compiles the same ImGui. Nothing here is committed.
set -eu
DEST=$1
SHA=0dace0e8e57d298eb6e93af12dc19420cb96330832f6495c733b90aeeef11f64
TARBALL=imgui_1.86+ds.orig.tar.xz
mkdir -p "$DEST"
cd "$DEST"

# 1. A previous configure already extracted and verified it.
if [ -f imgui/.verified ] && [ -f imgui/imgui.cpp ]; then exit 0; fi

# 2. The archive address comes from the machine's own apt configuration, so any mirror works.
URI=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
if [ -z "$URI" ]; then
  URI=$(sed -n 's/^deb  *\(\[[^]]*\] *\)\{0,1\}\(http[^ ]*\).*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)
fi
[ -n "$URI" ] || { echo "fetch_imgui: no Debian archive address found in the apt configuration" >&2; exit 1; }
printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: %s\n' \
  "$URI" /usr/share/keyrings/debian-archive-keyring.gpg > src.sources
mkdir -p lists/partial
O="-o Dir::Etc::SourceList=$PWD/src.sources -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists=$PWD/lists"

# 3. Download (only when the tarball is not already here with the right hash).
if ! echo "$SHA  $TARBALL" | sha256sum -c - >/dev/null 2>&1; then
  # shellcheck disable=SC2086
  apt-get $O -qq update >apt.log 2>&1 || { cat apt.log >&2; echo "fetch_imgui: apt-get update failed" >&2; exit 1; }
  # shellcheck disable=SC2086
  apt-get $O -qq source --download-only imgui >>apt.log 2>&1 || { cat apt.log >&2; echo "fetch_imgui: apt-get source imgui failed" >&2; exit 1; }
fi

# 4. Verify, then extract into DEST/imgui.
echo "$SHA  $TARBALL" | sha256sum -c - >/dev/null 2>&1 || { echo "fetch_imgui: $TARBALL: sha256 mismatch (expected $SHA)" >&2; exit 1; }
rm -rf imgui imgui-1.86
tar xf "$TARBALL"
for d in imgui-1.86 imgui-1.86+ds imgui; do [ -d "$d" ] && [ "$d" != imgui ] && mv "$d" imgui && break; done
[ -f imgui/imgui.cpp ] || { echo "fetch_imgui: $TARBALL does not hold imgui.cpp where expected" >&2; ls >&2; exit 1; }
touch imgui/.verified
