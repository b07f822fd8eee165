package dev.palisade.bench;

import dev.palisade.dataplane.agent.NodeAgent;
import dev.palisade.lab.cluster.Lab;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * A pod's creation to its rules in the kernel: create a bare pod through the API (the lab's
 * scheduler and runtime start it; the runtime asks the node's agent, as a CNI ADD would, and
 * wires the pod only once its rules are in place), then wait until every agent has committed a
 * ruleset that knows the pod's address. Baseline in the same run: the same pod creation in a
 * bare lab (no Palisade) until the pod runs with its address; Palisade's own cost is the
 * difference. Pods are created one at a time beside a background of already running pods.
 *
 * <p>Usage: {@code scripts/bench.sh pod-latency [PODS] [BACKGROUND] [NODES]}
 */
public final class PodLatencyBench {
  public static void main(String[] args) throws Exception {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int background = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int nodes = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    long[] bareRunning = run(false, pods, background, nodes, null);
    long[] palRules = new long[pods];
    long[] palRunning = run(true, pods, background, nodes, palRules);
    long[] hook = COVER.stream().mapToLong(Long::longValue).sorted().toArray();
    StringBuilder md = new StringBuilder();
    md.append("\n## Pod creation -> its rules in the kernel (").append(LocalDate.now()).append(")\n\n");
    md.append(Machine.describe()).append("\n");
    md.append("Command: `scripts/bench.sh pod-latency ").append(pods).append(' ').append(background).append(' ')
        .append(nodes).append("`. ").append(pods).append(" bare pods created one at a time beside ").append(background)
        .append(" running pods, ").append(nodes).append(" nodes. Rules: API create until every agent has committed a ")
        .append("ruleset that holds the pod (its node: its dispatch entry and identity chains). Running: until the pod's ")
        .append("status has its address (the lab's runtime wires a pod only after its agent has covered it, as a CNI ")
        .append("ADD that waits would). The agent's share: from the runtime's call (the pod's address is known) until ")
        .append("the node's ruleset holding it is committed. Baseline: the bare lab, same run.\n\n");
    md.append("| | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |\n|---|---|---|---|---|\n");
    md.append(Stats.row("Palisade: create -> rules in the kernel", palRules));
    md.append(Stats.row("Palisade: create -> running", palRunning));
    md.append(Stats.row("Palisade's share: CNI ADD hook -> rules committed (agent)", hook));
    md.append(Stats.row("baseline, bare lab: create -> running", bareRunning));
    md.append(String.format("%nRatio running with Palisade / bare: p50 %.2f, p99 %.2f.%n",
        Stats.pct(palRunning, 50) / Stats.pct(bareRunning, 50), Stats.pct(palRunning, 99) / Stats.pct(bareRunning, 99)));
    System.out.print(md);
    Path results = Path.of(System.getProperty("palisade.results", "bench/RESULTS.md"));
    Files.writeString(results, md.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static final List<Long> COVER = new java.util.ArrayList<>();

  /** Returns sorted create -> running times; fills {@code rules} (sorted) with create -> rules when Palisade runs. */
  private static long[] run(boolean palisade, int pods, int background, int nodes, long[] rules) {
    long[] running = new long[pods];
    String id = palisade ? "podlp" : "podlb";
    try (Lab lab = palisade ? Lab.start(id, nodes) : Lab.startBare(id, nodes)) {
      lab.ensureNamespace("bench", java.util.Map.of());
      if (background > 0) {
        lab.apply("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: bg, namespace: bench}
            spec:
              replicas: %d
              selector: {matchLabels: {app: bg}}
              template:
                metadata: {labels: {app: bg}}
                spec:
                  containers: [{name: c, image: bench, ports: [{containerPort: 8080}]}]
            """.formatted(background));
      }
      lab.awaitReady(Duration.ofMinutes(10));
      List<Integer> before = palisade
          ? lab.palisade().orElseThrow().agents().stream().map(a -> a.podCoverTimes().size()).toList() : List.of();
      for (int i = 0; i < pods; i++) {
        Pod p = new PodBuilder().withNewMetadata().withNamespace("bench").withName("p" + i)
            .addToLabels("app", "p" + i).endMetadata().withNewSpec().addNewContainer().withName("c").withImage("bench")
            .addNewPort().withContainerPort(8080).endPort().endContainer().endSpec().build();
        long t0 = System.nanoTime();
        lab.client().pods().inNamespace("bench").resource(p).create();
        long deadline = t0 + Duration.ofSeconds(60).toNanos();
        String ip = null;
        boolean covered = !palisade;
        while (ip == null || !covered) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("pod p" + i + " not running and covered within 60 s");
          }
          if (ip == null) {
            Pod now = lab.client().pods().inNamespace("bench").withName("p" + i).get();
            if (now.getStatus() != null && now.getStatus().getPodIP() != null) {
              ip = now.getStatus().getPodIP();
              running[i] = System.nanoTime() - t0;
            }
          }
          if (palisade && ip == null) {
            // the runtime announced the address to the agent before the API has it: look there too
            String key = "bench/p" + i;
            var pod = lab.network().pods().stream().filter(x -> x.key().equals(key)).findFirst();
            if (pod.isPresent()) {
              String known = pod.get().ip();
              List<NodeAgent> agents = lab.palisade().orElseThrow().agents();
              if (rules[i] == 0 && agents.stream().allMatch(a -> a.converged(0, Set.of(known)))) {
                rules[i] = System.nanoTime() - t0;
              }
            }
          }
          if (palisade && ip != null && rules[i] == 0) {
            String known = ip;
            if (lab.palisade().orElseThrow().agents().stream().allMatch(a -> a.converged(0, Set.of(known)))) {
              rules[i] = System.nanoTime() - t0;
            }
          }
          covered = !palisade || rules[i] != 0;
          LockSupport.parkNanos(200_000);
        }
      }
      if (palisade) {
        // the measured pods only: the background came up before them
        List<NodeAgent> agents = lab.palisade().orElseThrow().agents();
        for (int k = 0; k < agents.size(); k++) {
          List<Long> all = agents.get(k).podCoverTimes();
          COVER.addAll(all.subList(Math.min(before.get(k), all.size()), all.size()));
        }
      }
    }
    Arrays.sort(running);
    if (rules != null) {
      Arrays.sort(rules);
    }
    return running;
  }


}
