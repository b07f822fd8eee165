#!/usr/bin/env bash
# Regenerates deploy/base/rbac-agent.yaml and rbac-controller.yaml from the components' declared API
# access (AgentAccess in dataplane, ControllerAccess in controller). controller's RbacUpToDateTest
# fails when the files and the declarations disagree: run this, then commit.
# Extra arguments go to mvn (e.g. -o to build offline).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mvn -q -B -DskipTests -pl cli -am package "$@"
java -cp cli/target/palisade.jar dev.palisade.controller.access.RbacGenerator deploy/base
