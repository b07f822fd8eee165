#!/usr/bin/env bash
# Runs a benchmark harness from the bench module; it appends its results to bench/RESULTS.md.
#   scripts/bench.sh lab-scale [PODS] [NODES] [ROUNDS]
#   scripts/bench.sh policy-latency [CHANGES] [PODS] [NODES]
#   scripts/bench.sh pod-latency [PODS] [BACKGROUND] [NODES] [LARGE_TOTAL]
#   scripts/bench.sh line-rate [ROUNDS] [SECONDS] [CONFIG,...]   (e.g. admin-0,admin-100,ct-only; netns names: PALISADE_LR_NETNS)
#   scripts/bench.sh line-rate BLOCKS SECONDS abba             (issue 16: none, ct-only, palisade-100000 in palindrome blocks; ratio intervals and verdicts)
#   scripts/bench.sh bulk-sync [ELEMENTS] [ROUNDS]
#   scripts/bench.sh memory [ROUNDS]
#   scripts/bench.sh agent-memory [MODE]   (the agent process in a process lab, its pod in MODE: enforce by default; builds the CLI jar too)
#   scripts/bench.sh pod-start-process [PODS] [BACKGROUND] [NODES] [LARGE_TOTAL]   (the agent's share of a pod start, on agent processes)
#   scripts/bench.sh restart-probe [PEERS] [KILLS] [CHANGED_PERCENT]   (issue 16: the agent process killed -9 over PEERS x 10 elements, probed; builds the CLI jar too)
#   scripts/bench.sh events [SECONDS] [ROUNDS]
#   scripts/bench.sh approval-latency [DECISIONS] [PODS] [NODES] [REMOTE_PODS]
#   scripts/bench.sh dns-hold [QUERIES] [ROUNDS]
#   scripts/bench.sh scan-sync [ADDRESSES] [ROUNDS] [RATE]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
"$root/scripts/install-deps.sh"
what=${1:?usage: scripts/bench.sh lab-scale [args]}; shift
modules=bench; case "$what" in agent-memory|pod-start-process|restart-probe) modules=bench,cli ;; esac
mvn -q -B -DskipTests -pl "$modules" -am package
jar=bench/target/palisade-bench.jar
case "$what" in
  lab-scale) main=dev.palisade.bench.LabScaleBench ;;
  policy-latency) main=dev.palisade.bench.PolicyLatencyBench ;;
  pod-latency) main=dev.palisade.bench.PodLatencyBench ;;
  line-rate) main=dev.palisade.bench.LineRateBench ;;
  bulk-sync) main=dev.palisade.bench.BulkSyncBench ;;
  memory) main=dev.palisade.bench.MemoryBench ;;
  agent-memory) main=dev.palisade.bench.AgentProcessMemoryBench ;;
  pod-start-process) main=dev.palisade.bench.PodStartProcessBench ;;
  restart-probe) main=dev.palisade.bench.RestartProbeBench ;;
  events) main=dev.palisade.bench.EventsBench ;;
  approval-latency) main=dev.palisade.bench.ApprovalLatencyBench ;;
  dns-hold) main=dev.palisade.bench.DnsHoldBench ;;
  scan-sync) main=dev.palisade.bench.ScanSyncBench ;;
  *) echo "unknown benchmark: $what" >&2; exit 2 ;;
esac
exec java --enable-native-access=ALL-UNNAMED -cp "$jar" "$main" "$@"
