package dev.palisade.bench;

import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.daemon.LabTokens;
import dev.palisade.lab.daemon.PalisadeProcesses;
import dev.palisade.lab.net.LabNetwork;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The agent's share of a pod start measured on the agent process, as deploy/base runs it: a
 * process lab ({@link PalisadeProcesses}: the controller and one agent per node each their own OS
 * process, the agent JVM with its container's options), where the lab's kubelet runs the CNI
 * plugin binary (palisade-cni, as a node's runtime does) that calls its agent's pod-start socket,
 * and wires the pod only on "ok". The agent's share is what the agent measured itself between
 * reading the request and the rules covering the pod (its answer carries it, the plugin passes it
 * on on stderr); the plugin's call adds its exec and the Unix socket round trip. The measured
 * namespace is enforced (a SegmentationMode) and a NetworkPolicy admits every remote namespace, so
 * each node's sets hold every remote pod's address.
 *
 * <p>Unlike {@link PodLatencyBench}, whose agents share one JVM (and its garbage collector's
 * pauses) with the lab's API server holding 10,000 pods, the controller and the bench, here only
 * the agent's own work and the machine's CPUs are in the figure.
 *
 * <p>Usage: {@code scripts/bench.sh pod-start-process [PODS] [BACKGROUND] [NODES] [LARGE_TOTAL]}.
 */
public final class PodStartProcessBench {
  private static final String ENFORCED = """
      apiVersion: palisade.dev/v1alpha1
      kind: SegmentationMode
      metadata: {name: bench, namespace: bench}
      spec: {mode: enforce}
      """;

  private static final int WARM_UP = 100;

  private PodStartProcessBench() {}

  /** One size's samples, sorted, in nanoseconds. */
  private record Figures(int clusterPods, long[] agent, long[] plugin, long[] running) {
  }

  public static void main(String[] args) throws Exception {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int background = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int nodes = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int large = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
    List<String> launcher = ProcessLabs.launcher();
    List<Figures> sizes = new ArrayList<>();
    String caller;
    String id = "podsp" + ProcessHandle.current().pid() % 1000;
    Path dir = Files.createTempDirectory("pal-podstart");
    List<Long> agent = Collections.synchronizedList(new ArrayList<>());
    List<Long> plugin = Collections.synchronizedList(new ArrayList<>());
    try (Lab lab = Lab.startBare(id, nodes);
        PalisadeProcesses pal = PalisadeProcesses.start(lab, launcher, dir, LabTokens.of(lab.api()),
            Duration.ofMinutes(5))) {
      caller = pal.podStartCaller();
      pal.onPodCovered((agentNanos, pluginNanos) -> {
        agent.add(agentNanos);
        plugin.add(pluginNanos);
      });
      lab.ensureNamespace("bench", java.util.Map.of());
      lab.apply(PodLatencyBench.ADMIT_REMOTE.formatted("bench", "", RemotePods.NAMESPACE_LABEL,
          RemotePods.NAMESPACE_LABEL_VALUE, 8080));
      lab.apply(ENFORCED);
      lab.apply(PodLatencyBench.background(background));
      lab.awaitReady(Duration.ofMinutes(10));
      // the background's last pod starts may still be answering: counted, they would be a measured pod's
      int answers = -1;
      while (agent.size() != answers) {
        answers = agent.size();
        Thread.sleep(2000);
      }
      // the agents' JVMs warm (a node's agent runs for days: its first pod starts, compiled by
      // nobody yet, are not what a node sees); not counted
      int made = WARM_UP;
      measure(lab, WARM_UP, 0, agent, plugin);
      sizes.add(measure(lab, pods, made, agent, plugin));
      made += pods;
      if (large > background) {
        long t0 = System.nanoTime();
        new RemotePods(lab).create(large - background);
        for (var process : pal.metricsUrls().entrySet()) {
          if (process.getKey().startsWith("agent-")) {
            AgentScrape.awaitStable(process.getValue(), large - background, Duration.ofMinutes(10));
          }
        }
        System.err.printf(Locale.ROOT, "pod-start-process: %,d remote pods in every agent's rules in %.1f s%n",
            large - background, (System.nanoTime() - t0) / 1e9);
        sizes.add(measure(lab, pods, made, agent, plugin));
      }
      for (var process : pal.metricsUrls().entrySet()) {
        // the agents' own view of their syncs, by cause, for reading the tail
        Path to = dir.resolve(process.getKey() + ".metrics");
        Files.writeString(to, java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
            java.net.URI.create(process.getValue())).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        System.err.println("pod-start-process: " + process.getKey() + "'s metrics at the end: " + to);
      }
    }
    write(sizes, pods, background, nodes, large, caller);
  }

  /** Creates {@code pods} bare pods one at a time, each until its network exists (its agent answered ok). */
  private static Figures measure(Lab lab, int pods, int first, List<Long> agent, List<Long> plugin) {
    int clusterPods = lab.client().pods().inAnyNamespace().list().getItems().size();
    agent.clear();
    plugin.clear();
    long[] running = new long[pods];
    for (int i = 0; i < pods; i++) {
      String name = "p" + (first + i);
      Pod p = new PodBuilder().withNewMetadata().withNamespace("bench").withName(name)
          .addToLabels("app", name).endMetadata().withNewSpec().addNewContainer().withName("c").withImage("bench")
          .addNewPort().withContainerPort(8080).endPort().endContainer().endSpec().build();
      long t0 = System.nanoTime();
      lab.client().pods().inNamespace("bench").resource(p).create();
      String key = "bench/" + name;
      long deadline = t0 + Duration.ofSeconds(60).toNanos();
      while (lab.network().pods().stream().map(LabNetwork.Pod::key).noneMatch(key::equals)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("pod " + key + " got no network within 60 s");
        }
        LockSupport.parkNanos(200_000);
      }
      running[i] = System.nanoTime() - t0;
      // a node's pod CIDR (/24) holds ~250 pods: each measured pod goes before the next comes, its
      // address free again (a node's churn, as a rollout makes it)
      lab.client().pods().inNamespace("bench").withName(name).delete();
      while (lab.network().pods().stream().map(LabNetwork.Pod::key).anyMatch(key::equals)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("pod " + key + " not stopped within 60 s");
        }
        LockSupport.parkNanos(200_000);
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (agent.size() < pods && System.nanoTime() < deadline) {
      LockSupport.parkNanos(1_000_000);
    }
    if (agent.size() != pods) {
      throw new IllegalStateException(pods + " pods started but " + agent.size() + " pod-start answers counted");
    }
    java.util.Arrays.sort(running);
    return new Figures(clusterPods, sorted(agent), sorted(plugin), running);
  }

  private static long[] sorted(List<Long> v) {
    synchronized (v) {
      return v.stream().mapToLong(Long::longValue).sorted().toArray();
    }
  }

  private static void write(List<Figures> sizes, int pods, int background, int nodes, int large, String caller)
      throws Exception {
    StringBuilder md = new StringBuilder();
    md.append("\n## Pod start on the agent process: CNI ADD -> rules committed (").append(LocalDate.now())
        .append(")\n\n").append(Machine.describe()).append("\n");
    md.append(String.format(Locale.ROOT, "Command: `scripts/bench.sh pod-start-process %d %d %d %d`. A process lab "
        + "of %d nodes: the controller and each node's agent their own OS process (the agent JVM with its container's "
        + "options, AgentJvm), as deploy/base runs them; the lab's kubelet runs %s, which calls the agent's pod-start "
        + "socket, and wires the pod only on its ok. After %d pod starts not counted (the agents' JVMs warm), %d "
        + "bare pods (each a new workload: its WorkloadIdentity and "
        + "AllowList follow) created one at a time (each deleted and its network gone before the next: a node's /24 holds ~250 pods) in the enforced namespace (a SegmentationMode) beside %d running "
        + "lab pods, then beside ~%,d pods (remote pods of other nodes, every address in both nodes' sets through a "
        + "NetworkPolicy). Agent: the agent's own time from reading the request to the rules covering the pod (its "
        + "answer); plugin: the whole call (the plugin's exec included); running: API create until the pod's network "
        + "exists.%n%n", pods, background, nodes, large, nodes, caller, WARM_UP, pods, background, large));
    md.append("| cluster | | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |\n|---|---|---|---|---|---|\n");
    for (Figures f : sizes) {
      String size = String.format(Locale.ROOT, "%,d pods", f.clusterPods);
      md.append(Stats.row(size + " | agent's share: CNI ADD -> rules committed (agent process)", f.agent));
      md.append(Stats.row(size + " | CNI plugin's call (socket round trip included)", f.plugin));
      md.append(Stats.row(size + " | create -> pod network exists", f.running));
    }
    if (sizes.size() == 2) {
      Figures small = sizes.get(0);
      Figures big = sizes.get(1);
      double ratio = Stats.pct(big.agent, 99) / Stats.pct(small.agent, 99);
      md.append(String.format(Locale.ROOT, "%nScale ratio p99(%,d) / p99(%,d), agent's share: %.2f.%n%n",
          big.clusterPods, small.clusterPods, ratio));
      String why = String.format(Locale.ROOT, "the agent's share p50 %.1f ms, p90 %.1f ms; %d CPUs shared by %d "
          + "agents, the controller, the lab's API server and the bench", Stats.pct(big.agent, 50),
          Stats.pct(big.agent, 90), Runtime.getRuntime().availableProcessors(), nodes);
      md.append(Goal.line(String.format(Locale.ROOT, "pod -> rules p99 <= 20 ms at %,d pods (ms, the agent's share, "
          + "on the agent process, %d samples)", big.clusterPods, big.agent.length), Stats.pct(big.agent, 99), 20,
          false, why));
      md.append(Goal.line(String.format(Locale.ROOT, "p99(%,d pods) / p99(%,d pods) <= 1.2 (agent's share, agent "
          + "process)", big.clusterPods, small.clusterPods), ratio, 1.2, false, why));
    }
    System.out.print(md);
    Path results = Path.of(System.getProperty("palisade.results", "bench/RESULTS.md"));
    Files.writeString(results, md.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }
}
