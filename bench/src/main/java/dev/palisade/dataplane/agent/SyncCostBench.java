package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.ElementMemo;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.nft.FakeNftables;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CPU of one agent sync caused by one pod event, stage by stage, with no kernel and no API
 * server: {@link SyncScenario}'s cluster in memory, the agent's own calculator, renderer and
 * applier ({@link ChangedPartsApplier}) over {@link FakeNftables}. Single-threaded, warmed up, then each event kind is played
 * {@code rounds} times in rotation (remote pod added, local pod added, pod deleted, labels changed, a
 * new local workload with its identity and AllowList, a new remote Deployment's ReplicaSet and first pod),
 * one sync after each. The calculator is told which pods changed ({@link PodDelta}), as the agent's
 * pod informer records them.
 *
 * <pre>java -cp bench/target/palisade-bench.jar dev.palisade.dataplane.agent.SyncCostBench [PODS] [ROUNDS]</pre>
 */
public final class SyncCostBench {
  private static final String[] EVENTS = {"remote pod added", "local pod added", "pod deleted", "labels changed",
      "local workload added", "remote workload added"};
  private static final String[] STAGES = {"calculate", "render", "apply (diff + fake nft)", "total", "total CPU",
      "CPU calculate", "CPU render", "CPU apply"};

  private static final java.lang.management.ThreadMXBean CPU =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private SyncCostBench() {}

  public static void main(String[] args) {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int localWorkloads = 10;
    // 100 pods per Deployment; a small cluster has smaller ones, half of them with pods on this node
    SyncScenario s = new SyncScenario(pods, Math.min(100, Math.max(1, pods / (2 * localWorkloads))), localWorkloads);
    NodeRulesCalculator calculator = new NodeRulesCalculator(SyncScenario.NODE, FailsafeBuilder.Config.OFF);
    ElementMemo memo = new ElementMemo();
    ChangedPartsApplier applier = new ChangedPartsApplier(new FakeNftables());
    Map<String, long[][]> times = new LinkedHashMap<>();
    for (String e : EVENTS) {
      times.put(e, new long[STAGES.length][rounds]);
    }
    List<String> added = new ArrayList<>();
    String workload = null;
    String remote = null;
    int warmup = Math.max(20, rounds / 4);
    for (int round = -warmup; round < rounds; round++) {
      for (int e = 0; e < EVENTS.length; e++) {
        switch (e) {
          case 0 -> added.add(s.add(s.remoteWorkload(localWorkloads), false));
          case 1 -> added.add(s.add(round & 7, true));
          case 2 -> s.delete(added.remove(0));
          case 3 -> s.relabel(s.anyPod());
          case 4 -> workload = s.addLocalWorkload(); // its identity, AllowList and pod: a bare pod's start
          default -> remote = s.addRemoteWorkload(); // a ReplicaSet arrives: its pods are resolved again
        }
        ClusterSnapshot snap = s.snapshot();
        PodDelta delta = s.delta();
        long c0 = CPU.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        NodeRules rules = calculator.calculate(snap, s.owners, Map.of(), (ip, pod, id) -> { }, delta).rules();
        long t1 = System.nanoTime();
        long ca = CPU.getCurrentThreadCpuTime();
        DesiredRuleset desired = RulesetRenderer.render(rules, memo);
        long t2 = System.nanoTime();
        long cb = CPU.getCurrentThreadCpuTime();
        applier.apply(desired);
        long t3 = System.nanoTime();
        long c1 = CPU.getCurrentThreadCpuTime();
        if (workload != null) {
          // taken back in a sync of its own, not measured: every round plays the same cluster size
          s.removeLocalWorkload(workload);
          workload = null;
          applier.apply(RulesetRenderer.render(calculator.calculate(s.snapshot(), s.owners, Map.of(),
              (ip, pod, id) -> { }, s.delta()).rules(), memo));
        }
        if (remote != null) {
          s.removeRemoteWorkload(remote);
          remote = null;
          applier.apply(RulesetRenderer.render(calculator.calculate(s.snapshot(), s.owners, Map.of(),
              (ip, pod, id) -> { }, s.delta()).rules(), memo));
        }
        if (round >= 0) {
          long[][] t = times.get(EVENTS[e]);
          t[0][round] = t1 - t0;
          t[1][round] = t2 - t1;
          t[2][round] = t3 - t2;
          t[3][round] = t3 - t0;
          t[4][round] = c1 - c0;
          t[5][round] = ca - c0;
          t[6][round] = cb - ca;
          t[7][round] = c1 - cb;
        }
      }
    }
    System.out.printf("%d pods (%d local), %d rounds per event, ms p50 / p90 / p99%n", s.pods.size(),
        s.pods.values().stream().filter(p -> SyncScenario.NODE.equals(p.getSpec().getNodeName())).count(), rounds);
    times.forEach((event, t) -> {
      StringBuilder line = new StringBuilder(String.format("%-18s", event));
      for (int k = 0; k < STAGES.length; k++) {
        long[] v = t[k].clone();
        Arrays.sort(v);
        line.append(String.format(" | %s %.2f / %.2f / %.2f", STAGES[k], ms(v, 0.5), ms(v, 0.9), ms(v, 0.99)));
      }
      System.out.println(line);
    });
  }

  private static double ms(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }
}
