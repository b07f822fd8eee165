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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * A pod's creation to its rules in the kernel, at two cluster sizes.
 *
 * <p>Local pods: create a bare pod through the API (the lab's scheduler and runtime start it; the
 * runtime asks the node's agent, as a CNI ADD would, and wires the pod only once its rules are in
 * place), then wait until every agent has committed a ruleset that knows the pod's address.
 * Remote pods: a pod on a node this machine does not run ({@link RemotePods}) until every lab
 * agent's sets hold its address. A NetworkPolicy in the measured namespace admits port 8080 from
 * every remote namespace, so each lab node's rules hold every remote pod's address: the cluster's
 * size is in the kernel, not only in the informers. The measured namespace is enforced (a
 * SegmentationMode; issue 16 asks for these figures in enforce mode): its pods' rules are the
 * enforced ones, dispatch, allow-list sets and drop, not learn mode's open verdict.
 *
 * <p>Sizes: the small cluster is the background of running lab pods; the large one adds remote
 * pods up to the given total. Baseline in the same run: the same creations in a bare lab (no
 * Palisade) at the small size, until the pod runs with its address.
 *
 * <p>Usage: {@code scripts/bench.sh pod-latency [PODS] [BACKGROUND] [NODES] [LARGE_TOTAL]}; with
 * {@code PALISADE_BENCH_MODE=learn} the measured namespace stays in learn mode (an A/B of the mode's
 * own cost; the section's text still says enforce, so write it elsewhere: {@code
 * JAVA_TOOL_OPTIONS=-Dpalisade.results=FILE}).
 */
public final class PodLatencyBench {
  /**
   * A NetworkPolicy for the pods of namespace %s admitting ingress from %s (more peers, or nothing)
   * every namespace labelled %s=%s, on TCP port %d.
   */
  static final String ADMIT_REMOTE = """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: from-remote, namespace: %s}
      spec:
        podSelector: {}
        policyTypes: [Ingress]
        ingress:
        - from: [%s{namespaceSelector: {matchLabels: {%s: %s}}}]
          ports: [{port: %d, protocol: TCP}]
      """;

  private static final String POLICY = ADMIT_REMOTE.formatted("bench", "", RemotePods.NAMESPACE_LABEL,
      RemotePods.NAMESPACE_LABEL_VALUE, 8080);

  /** The measured namespace in enforce mode (a Palisade lab only: the bare lab has no such resource). */
  private static final String ENFORCED = """
      apiVersion: palisade.dev/v1alpha1
      kind: SegmentationMode
      metadata: {name: bench, namespace: bench}
      spec: {mode: enforce}
      """;

  /** The running lab pods beside the measured ones: one Deployment of {@code replicas} in namespace bench. */
  static String background(int replicas) {
    return """
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
        """.formatted(replicas);
  }

  /** One size's figures, each sorted, in nanoseconds. */
  private record Figures(int clusterPods, long[] running, long[] rules, long[] hook, long[] remote, long[] syncs,
      long[] syncCpu) {
  }

  public static void main(String[] args) throws Exception {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int background = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int nodes = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int large = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    Figures bare = run(false, pods, background, nodes, 0);
    Figures small = run(true, pods, background, nodes, 0);
    Figures big = large > background ? run(true, pods, background, nodes, large - background) : null;
    StringBuilder md = new StringBuilder();
    md.append("\n## Pod creation -> its rules in the kernel (").append(LocalDate.now()).append(")\n\n");
    md.append(Machine.describe()).append("\n");
    md.append("Command: `scripts/bench.sh pod-latency ").append(pods).append(' ').append(background).append(' ')
        .append(nodes).append(large > 0 ? " " + large : "").append("`. ").append(nodes).append(" lab nodes. Local: ")
        .append(pods).append(" bare pods created one at a time beside ").append(background).append(" running lab pods; ")
        .append("rules: API create until every agent has committed a ruleset that holds the pod; running: until the ")
        .append("pod's status has its address (the lab's runtime wires a pod only after its agent has covered it, as a ")
        .append("CNI ADD that waits would); the agent's share: from that CNI ADD call until the node's ruleset holding ")
        .append("it is committed. Remote: ").append(pods).append(" pods created one at a time on nodes the lab does not ")
        .append("run (API objects with a Running status and an address, as another node's kubelet writes them), until ")
        .append("every lab agent's sets hold the address. A NetworkPolicy admits port 8080 from every remote namespace ")
        .append("into the measured namespace, so every remote pod's address is in both nodes' rules. The measured ")
        .append("namespace is in enforce mode (a SegmentationMode). The large cluster ")
        .append("adds remote pods (Deployments of 10 pods, 100 per namespace, 100 per node) to the background. ")
        .append("Baseline: the bare lab (no Palisade) at the small size, same run.\n\n");
    md.append("| cluster | | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |\n|---|---|---|---|---|---|\n");
    for (Figures f : big == null ? List.of(small) : List.of(small, big)) {
      String size = String.format(Locale.ROOT, "%,d pods", f.clusterPods);
      md.append(Stats.row(size + " | local: create -> rules in the kernel", f.rules));
      md.append(Stats.row(size + " | local: create -> running", f.running));
      md.append(Stats.row(size + " | local, agent's share: CNI ADD -> rules committed", f.hook));
      md.append(Stats.row(size + " | remote: create -> address in every lab node's sets", f.remote));
      md.append(Stats.row(size + " | one agent sync (informers -> kernel), while measuring", f.syncs));
      md.append(Stats.row(size + " | CPU time of one agent sync", f.syncCpu));
    }
    md.append(Stats.row(String.format(Locale.ROOT, "%,d pods", bare.clusterPods)
        + " | baseline, bare lab: local create -> running", bare.running));
    md.append(String.format(Locale.ROOT, "%nRatio local running with Palisade / bare (%,d pods): p50 %.2f, p99 %.2f.%n",
        small.clusterPods, Stats.pct(small.running, 50) / Stats.pct(bare.running, 50),
        Stats.pct(small.running, 99) / Stats.pct(bare.running, 99)));
    if (big != null) {
      md.append(String.format(Locale.ROOT, "Scale ratio p99(%,d) / p99(%,d): agent's share %.2f, remote %.2f, local "
          + "create -> rules %.2f.%n", big.clusterPods, small.clusterPods,
          Stats.pct(big.hook, 99) / Stats.pct(small.hook, 99), Stats.pct(big.remote, 99) / Stats.pct(small.remote, 99),
          Stats.pct(big.rules, 99) / Stats.pct(small.rules, 99)));
      String why = String.format(Locale.ROOT, "syncs are driven by pod deltas (CPU per sync p50 %.1f ms here "
          + "against %.1f ms at %,d pods); the tail is the syncs a new workload brings (every bare pod here is one: "
          + "its WorkloadIdentity and AllowList, several times a pod event's cost, see SyncCostBench's 'local "
          + "workload added'), and both agents, the API server and the bench share %d cores",
          Stats.pct(big.syncCpu, 50), Stats.pct(small.syncCpu, 50), small.clusterPods,
          Runtime.getRuntime().availableProcessors());
      md.append("\n");
      md.append(Goal.line(String.format(Locale.ROOT, "pod -> rules p99 <= 20 ms at %,d pods (ms, the agent's share: "
          + "create -> rules also holds the lab's scheduler and API server, the baseline's own cost)", big.clusterPods),
          Stats.pct(big.hook, 99), 20, false, why));
      md.append(Goal.line(String.format(Locale.ROOT, "p99(%,d pods) / p99(%,d pods) <= 1.2 (agent's share)",
          big.clusterPods, small.clusterPods), Stats.pct(big.hook, 99) / Stats.pct(small.hook, 99), 1.2, false, why));
      md.append(Goal.line(String.format(Locale.ROOT, "CPU of one agent sync p50 <= 2 ms at %,d pods (ms)",
          big.clusterPods), Stats.pct(big.syncCpu, 50), 2, false, why));
      md.append(Goal.line(String.format(Locale.ROOT, "a remote pod's address in every node's sets p99 <= 50 ms beside "
          + "%,d pods (ms, from the API create: the lab's API server and both agents)", big.clusterPods),
          Stats.pct(big.remote, 99), 50, false, String.format(Locale.ROOT, "a sync's wall time p99 %.1f ms against "
          + "its CPU time p99 %.1f ms: both agents, the lab's API server and the bench share %d cores",
          Stats.pct(big.syncs, 99), Stats.pct(big.syncCpu, 99), Runtime.getRuntime().availableProcessors())));
    }
    System.out.print(md);
    Path results = Path.of(System.getProperty("palisade.results", "bench/RESULTS.md"));
    Files.writeString(results, md.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private static io.fabric8.kubernetes.client.informers.SharedIndexInformer<Pod> benchPods;

  private static Figures run(boolean palisade, int pods, int background, int nodes, int remote) {
    long[] running = new long[pods];
    long[] rules = new long[pods];
    long[] remoteRules = new long[palisade ? pods : 0];
    List<Long> hook = new ArrayList<>();
    List<Long> syncs = new ArrayList<>();
    List<Long> syncCpu = new ArrayList<>();
    // PALISADE_BENCH_LAB_SUFFIX (a-z, 0-9) keeps two checkouts' benches from reaping each other's labs
    String id = (palisade ? "podlp" : "podlb") + System.getenv().getOrDefault("PALISADE_BENCH_LAB_SUFFIX", "");
    try (Lab lab = palisade ? Lab.start(id, nodes) : Lab.startBare(id, nodes)) {
      lab.ensureNamespace("bench", java.util.Map.of());
      lab.apply(POLICY);
      if (palisade && !"learn".equals(System.getenv("PALISADE_BENCH_MODE"))) {
        lab.apply(ENFORCED);
      }
      if (background > 0) {
        lab.apply(background(background));
      }
      lab.awaitReady(Duration.ofMinutes(10));
      RemotePods others = new RemotePods(lab);
      // the measured namespace's pods, watched: polling the API server for them would load it
      // (the lab's answers every GET by a scan of all objects) and so slow what is measured
      benchPods = lab.client().pods().inNamespace("bench").inform();
      if (remote > 0) {
        long t0 = System.nanoTime();
        Set<String> ips = new HashSet<>(others.create(remote));
        lab.network().pods().forEach(p -> ips.add(p.ip()));
        lab.palisade().orElseThrow().awaitConverged(ips, Duration.ofMinutes(10));
        System.err.printf(Locale.ROOT, "pod-latency: %,d remote pods created and in every agent's rules in %.1f s%n",
            remote, (System.nanoTime() - t0) / 1e9);
      }
      List<NodeAgent> agents = palisade ? lab.palisade().orElseThrow().agents() : List.of();
      List<Integer> before = agents.stream().map(a -> a.podCoverTimes().size()).toList();
      List<Integer> syncsBefore = agents.stream().map(a -> a.syncTimes().size()).toList();
      for (int i = 0; i < pods; i++) {
        measureLocal(lab, palisade, i, running, rules);
      }
      for (int k = 0; k < agents.size(); k++) {
        // the measured pods only: the background came up before them
        List<Long> all = agents.get(k).podCoverTimes();
        hook.addAll(all.subList(Math.min(before.get(k), all.size()), all.size()));
      }
      for (int k = 0; k < agents.size(); k++) {
        List<Long> all = agents.get(k).syncTimes();
        syncs.addAll(all.subList(Math.min(syncsBefore.get(k), all.size()), all.size()));
        List<Long> cpu = agents.get(k).syncCpuTimes();
        syncCpu.addAll(cpu.subList(Math.min(syncsBefore.get(k), cpu.size()), cpu.size()));
      }
      benchPods.close();
      for (int i = 0; i < remoteRules.length; i++) {
        long t0 = System.nanoTime();
        String ip = others.createOne();
        await(() -> agents.stream().allMatch(a -> a.converged(0, Set.of(ip))), t0, "remote pod " + ip);
        remoteRules[i] = System.nanoTime() - t0;
      }
    }
    Arrays.sort(running);
    Arrays.sort(rules);
    Arrays.sort(remoteRules);
    long[] hooks = hook.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] syncTimes = syncs.stream().mapToLong(Long::longValue).sorted().toArray();
    return new Figures(background + remote, running, rules, hooks, remoteRules, syncTimes,
        syncCpu.stream().mapToLong(Long::longValue).sorted().toArray());
  }

  private static void measureLocal(Lab lab, boolean palisade, int i, long[] running, long[] rules) {
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
        Pod now = benchPods.getStore().getByKey("bench/p" + i);
        if (now != null && now.getStatus() != null && now.getStatus().getPodIP() != null) {
          ip = now.getStatus().getPodIP();
          running[i] = System.nanoTime() - t0;
        }
      }
      String known = ip;
      if (palisade && known == null) {
        // the runtime announced the address to the agent before the API has it: look there too
        String key = "bench/p" + i;
        known = lab.network().pods().stream().filter(x -> x.key().equals(key)).findFirst()
            .map(dev.palisade.lab.net.LabNetwork.Pod::ip).orElse(null);
      }
      if (palisade && known != null && rules[i] == 0) {
        Set<String> want = Set.of(known);
        if (lab.palisade().orElseThrow().agents().stream().allMatch(a -> a.converged(0, want))) {
          rules[i] = System.nanoTime() - t0;
        }
      }
      covered = !palisade || rules[i] != 0;
      LockSupport.parkNanos(200_000);
    }
  }

  private static void await(java.util.function.BooleanSupplier done, long t0, String what) {
    long deadline = t0 + Duration.ofSeconds(60).toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + " not in every agent's rules within 60 s");
      }
      LockSupport.parkNanos(200_000);
    }
  }
}
