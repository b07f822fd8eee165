#!/usr/bin/env bash
# The test command (README): installs what is missing, runs every module's tests including the
# kernel-tagged ones, and prints a summary that shows the kernel tests ran.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
PALISADE_BROWSER=1 ./scripts/install-deps.sh
# Leftovers of a killed earlier run would collide with test namespaces: reap them first.
./scripts/reap.sh
status=0
mvn -B -ntp "$@" verify || status=$?
./scripts/test-summary.sh || status=1
./scripts/reap.sh --check || status=1
exit $status
