package dev.palisade.bench;

import dev.palisade.dataplane.agent.NodeAgent;
import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.cluster.LabPalisade;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * How long a NetworkPolicy change takes to be enforced: from the API write to every agent having
 * committed the ruleset computed from that version of the policy (the transaction returned from
 * the kernel), over many changes. Baseline in the same run: when a plain fabric8 informer in the
 * same process sees the new version (the watch delivery any controller pays). Every tenth change
 * is also checked with real probes (the allowed port connects, the other one does not).
 *
 * <p>Usage: {@code scripts/bench.sh policy-latency [CHANGES] [PODS] [NODES]}
 */
public final class PolicyLatencyBench {
  public static void main(String[] args) throws Exception {
    int changes = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int pods = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    int nodes = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    long[] enforced = new long[changes];
    long[] delivered = new long[changes];
    int probesWrong = 0;
    int probed = 0;
    Map<String, Long> seenAt = new ConcurrentHashMap<>();
    try (Lab lab = Lab.start("polb", nodes)) {
      String yaml = """
          apiVersion: v1
          kind: Namespace
          metadata: {name: x}
          ---
          apiVersion: v1
          kind: Namespace
          metadata: {name: y}
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: srv, namespace: x}
          spec:
            replicas: %d
            selector: {matchLabels: {app: srv}}
            template:
              metadata: {labels: {app: srv}}
              spec:
                containers:
                - {name: c, image: bench, ports: [{containerPort: 80}, {containerPort: 81}]}
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: cli, namespace: y}
          spec:
            replicas: %d
            selector: {matchLabels: {app: cli}}
            template:
              metadata: {labels: {app: cli}}
              spec:
                containers:
                - {name: c, image: bench, ports: [{containerPort: 80}]}
          """.formatted(pods / 2, pods - pods / 2);
      lab.apply(yaml);
      lab.awaitReady(Duration.ofMinutes(5));
      LabPalisade pal = lab.palisade().orElseThrow();
      SharedIndexInformer<NetworkPolicy> watcher = lab.client().network().v1().networkPolicies().inNamespace("x")
          .inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(NetworkPolicy np) {
              seenAt.putIfAbsent(np.getMetadata().getResourceVersion(), System.nanoTime());
            }

            @Override
            public void onUpdate(NetworkPolicy old, NetworkPolicy np) {
              seenAt.putIfAbsent(np.getMetadata().getResourceVersion(), System.nanoTime());
            }

            @Override
            public void onDelete(NetworkPolicy np, boolean unknown) {}
          }, 0);
      List<LabNetwork.Pod> servers = lab.network().pods().stream().filter(p -> p.key().startsWith("x/srv")).toList();
      List<LabNetwork.Pod> clients = lab.network().pods().stream().filter(p -> p.key().startsWith("y/cli")).toList();
      for (int i = 0; i < changes; i++) {
        int port = i % 2 == 0 ? 80 : 81;
        NetworkPolicy np = new NetworkPolicyBuilder().withNewMetadata().withNamespace("x").withName("p").endMetadata()
            .withNewSpec().withNewPodSelector().addToMatchLabels("app", "srv").endPodSelector()
            .addNewIngress().addNewFrom().withNewNamespaceSelector()
            .addToMatchLabels("kubernetes.io/metadata.name", "y").endNamespaceSelector().endFrom()
            .addNewPort().withProtocol("TCP").withNewPort(port).endPort().endIngress()
            .withPolicyTypes("Ingress").endSpec().build();
        long t0 = System.nanoTime();
        NetworkPolicy written = lab.client().network().v1().networkPolicies().inNamespace("x").resource(np)
            .createOr(NonDeletingOperation::update);
        Map<String, String> want = Map.of("x/p", written.getMetadata().getResourceVersion());
        long deadline = t0 + Duration.ofSeconds(30).toNanos();
        List<NodeAgent> agents = pal.agents();
        while (!agents.stream().allMatch(a -> a.enforces("NetworkPolicy", want))) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("change " + i + " not enforced within 30 s");
          }
          LockSupport.parkNanos(100_000);
        }
        enforced[i] = System.nanoTime() - t0;
        Long seen = seenAt.get(written.getMetadata().getResourceVersion());
        while (seen == null) {
          LockSupport.parkNanos(100_000);
          seen = seenAt.get(written.getMetadata().getResourceVersion());
        }
        delivered[i] = seen - t0;
        if (i % 10 == 0) {
          LabNetwork.Pod from = clients.get(i % clients.size());
          LabNetwork.Pod to = servers.get(i % servers.size());
          int other = port == 80 ? 81 : 80;
          probed += 2;
          if (!Prober.probe(from, to.ip(), port, "TCP", Prober.DEFAULT_TIMEOUT)) {
            probesWrong++;
          }
          if (Prober.probe(from, to.ip(), other, "TCP", Duration.ofMillis(300))) {
            probesWrong++;
          }
        }
      }
      watcher.stop();
    }
    Arrays.sort(enforced);
    Arrays.sort(delivered);
    StringBuilder md = new StringBuilder();
    md.append("\n## NetworkPolicy change -> enforced (").append(LocalDate.now()).append(")\n\n");
    md.append(Machine.describe()).append("\n");
    md.append("Command: `scripts/bench.sh policy-latency ").append(changes).append(' ').append(pods).append(' ')
        .append(nodes).append("`. Lab with Palisade, ").append(nodes).append(" nodes, ").append(pods)
        .append(" pods (x/srv, y/cli). Each change rewrites one NetworkPolicy (ingress from namespace y, port 80 <-> 81). ")
        .append("Enforced: API write until every agent has committed the ruleset computed from that version. ")
        .append("Baseline: API write until a plain informer in the same process sees it. Every tenth change is ")
        .append("probed for real: ").append(probed - probesWrong).append('/').append(probed).append(" probes as expected.\n\n");
    md.append("| | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) |\n|---|---|---|---|---|\n");
    md.append(Stats.row("enforced on every node", enforced)).append(Stats.row("baseline: informer sees it", delivered));
    md.append(String.format("%nRatio enforced / baseline: p50 %.2f, p99 %.2f.%n", Stats.pct(enforced, 50) / Stats.pct(delivered, 50),
        Stats.pct(enforced, 99) / Stats.pct(delivered, 99)));
    System.out.print(md);
    Path results = Path.of(System.getProperty("palisade.results", "bench/RESULTS.md"));
    Files.writeString(results, md.toString(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.exit(probesWrong == 0 ? 0 : 1);
  }


}
