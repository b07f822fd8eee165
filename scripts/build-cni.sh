#!/usr/bin/env bash
# Builds the chained CNI plugin cni/palisade-cni.c with gcc, linked statically when this machine has
# the static C library (libc6-dev's libc.a): the runtime runs the binary on the node, where it
# should need nothing but the kernel. Without libc.a it links dynamically (then it needs the node's
# glibc) and says so. Warnings are errors: this C runs at every pod start, as root.
#   scripts/build-cni.sh [OUT] [SOURCE]     defaults: cni/target/palisade-cni, cni/palisade-cni.c
#   CNI_STATIC=required: fail rather than link dynamically (the agent image's build)
# Used by deploy/images/Dockerfile.agent, and from the jar by the process lab and PalisadeCniTest
# (dataplane's CniPluginBuild), so that what they run is built the way the image builds it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$here/cni/target/palisade-cni}
src=${2:-$here/cni/palisade-cni.c}
cc=${CC:-gcc}
if ! command -v "$cc" >/dev/null; then
  echo "build-cni: no $cc (scripts/install-deps.sh installs gcc and libc6-dev)" >&2
  exit 2
fi
flags=(-std=c11 -O2 -Wall -Wextra -Wshadow -Wformat=2 -Wconversion -Werror
       -D_FORTIFY_SOURCE=2 -fstack-protector-strong -s)
# -print-file-name answers the bare name when it finds no such file
if [ "$("$cc" -print-file-name=libc.a)" != libc.a ]; then
  linkage=static
  flags+=(-static)
elif [ "${CNI_STATIC:-}" = required ]; then
  echo "build-cni: CNI_STATIC=required but $cc finds no libc.a (install libc6-dev)" >&2
  exit 2
else
  linkage=dynamic
fi
mkdir -p "$(dirname "$out")"
# built beside and renamed: a lab or a test running the old binary never sees half a file
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT
"$cc" "${flags[@]}" -o "$tmp" "$src"
mv -f "$tmp" "$out"
echo "build-cni: $out ($linkage, $("$cc" -dumpfullversion 2>/dev/null || "$cc" -dumpversion))"
