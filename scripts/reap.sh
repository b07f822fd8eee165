#!/usr/bin/env bash
# Removes leftovers of Palisade runs: network namespaces named pal-*. With --check, only reports
# them and exits 1 if any exist (a test that did not clean up after itself).
set -uo pipefail
left=$(ip netns list 2>/dev/null | awk '{print $1}' | grep '^pal-' || true)
if [ "${1:-}" = --check ]; then
  if [ -n "$left" ]; then
    echo "reap: leftover network namespaces after the tests:" $left >&2
    for n in $left; do ip netns delete "$n" 2>/dev/null; done
    exit 1
  fi
  exit 0
fi
for n in $left; do ip netns delete "$n" 2>/dev/null && echo "reap: removed leftover netns $n" >&2; done
exit 0
