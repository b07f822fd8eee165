package dev.palisade.bench;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.net.LabNetwork;
import dev.palisade.lab.net.Prober;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * 200 pods over 3 nodes: bring-up, every pod probing another, tear-down, for a bare lab (the
 * baseline: API server, controllers, namespaces) and a lab running Palisade (controller + an
 * agent per node), in one run. Appends the table to bench/RESULTS.md.
 *
 * <p>Usage: {@code scripts/bench.sh lab-scale [PODS] [NODES] [ROUNDS]}
 */
public final class LabScaleBench {
  record Run(String variant, long upMs, long probeMs, int probed, int connected, long downMs, int leftover) {}

  public static void main(String[] args) throws Exception {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    List<Run> runs = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      runs.add(run("bare", pods, nodes, false));
      runs.add(run("palisade", pods, nodes, true));
    }
    StringBuilder md = new StringBuilder();
    md.append("\n## Lab scale: ").append(pods).append(" pods over ").append(nodes).append(" nodes (")
        .append(LocalDate.now()).append(")\n\n");
    md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
        .append(Files.readString(Path.of("/proc/meminfo")).lines().findFirst().orElse("").replaceAll("\\s+", " "))
        .append(", kernel ").append(Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip())
        .append(", java ").append(System.getProperty("java.version")).append(".\n");
    md.append("Command: `scripts/bench.sh lab-scale ").append(pods).append(' ').append(nodes).append(' ')
        .append(rounds).append("`. Up: apply 20 Deployments until every pod runs (with Palisade: and every agent ")
        .append("enforces). Probe: each pod opens a TCP connection to another pod's port (16 at a time). ")
        .append("Down: close the lab and remove its namespaces. Baseline: the bare lab in the same run.\n\n");
    md.append("| variant | up (s) | probe (s) | connected | down (s) | pal- namespaces left |\n|---|---|---|---|---|---|\n");
    for (Run x : runs) {
      md.append(String.format("| %s | %.1f | %.1f | %d/%d | %.1f | %d |%n", x.variant(), x.upMs() / 1000.0,
          x.probeMs() / 1000.0, x.connected(), x.probed(), x.downMs() / 1000.0, x.leftover()));
    }
    double bareUp = runs.stream().filter(x -> x.variant().equals("bare")).mapToLong(Run::upMs).average().orElse(1);
    double palUp = runs.stream().filter(x -> x.variant().equals("palisade")).mapToLong(Run::upMs).average().orElse(1);
    md.append(String.format("%nBring-up with Palisade / bare: %.2f.%n", palUp / bareUp));
    System.out.print(md);
    Path results = Path.of(System.getProperty("palisade.results", "bench/RESULTS.md"));
    if (!Files.exists(results)) {
      Files.writeString(results, "# Benchmark results\n\nEach section: date, machine, command, and ratios against a "
          + "baseline measured in the same run.\n");
    }
    Files.writeString(results, md.toString(), StandardOpenOption.APPEND);
    boolean ok = runs.stream().allMatch(x -> x.connected() == x.probed() && x.leftover() == 0);
    System.exit(ok ? 0 : 1);
  }

  static Run run(String variant, int pods, int nodes, boolean palisade) throws Exception {
    String id = "bench" + (palisade ? "p" : "b");
    long t0 = System.nanoTime();
    Lab lab = palisade ? Lab.start(id, nodes) : Lab.startBare(id, nodes);
    long up;
    long probe;
    int connected = 0;
    int probed;
    try {
      StringBuilder yaml = new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata: {name: bench}\n");
      int perDeploy = Math.max(1, pods / 20);
      for (int d = 0; d < 20; d++) {
        yaml.append("---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: svc").append(d)
            .append(", namespace: bench}\nspec:\n  replicas: ").append(perDeploy)
            .append("\n  selector: {matchLabels: {app: svc").append(d).append("}}\n  template:\n    metadata: {labels: {app: svc")
            .append(d).append("}}\n    spec:\n      containers:\n      - {name: c, image: bench, ports: [{containerPort: 8080}]}\n");
      }
      lab.apply(yaml.toString());
      lab.awaitReady(Duration.ofMinutes(10));
      up = System.nanoTime() - t0;
      List<LabNetwork.Pod> all = lab.network().pods();
      probed = all.size();
      long p0 = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        LabNetwork.Pod from = all.get(i);
        LabNetwork.Pod to = all.get((i + 7) % all.size());
        results.add(pool.submit(() -> Prober.probe(from, to.ip(), 8080, "TCP", Prober.DEFAULT_TIMEOUT)));
      }
      for (Future<Boolean> f : results) {
        connected += f.get() ? 1 : 0;
      }
      pool.shutdown();
      probe = System.nanoTime() - p0;
    } finally {
      long d0 = System.nanoTime();
      lab.close();
      long down = System.nanoTime() - d0;
      int left = NetNs.list(NetNs.PREFIX + id + "-").size();
      System.err.printf("%s: left %d namespaces, down %.1f s%n", variant, left, down / 1e9);
      lastDown = down;
      lastLeft = left;
    }
    return new Run(variant, up / 1_000_000, probe / 1_000_000, probed, connected, lastDown / 1_000_000, lastLeft);
  }

  private static long lastDown;
  private static int lastLeft;
}
