package dev.palisade.bench;

import dev.palisade.dataplane.agent.AgentJvm;
import dev.palisade.lab.cluster.Lab;
import dev.palisade.lab.daemon.LabTokens;
import dev.palisade.lab.daemon.PalisadeProcesses;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The agent's memory measured on the agent itself: a one-node process lab ({@link PalisadeProcesses}:
 * the controller and the agent each their own OS process, the agent started with deploy/base's
 * arguments and the image's JVM options, {@link AgentJvm#asInContainer}), read from
 * /proc/PID/status and smaps_rollup of the agent process in three states:
 * <ol>
 *   <li>empty: one pod on the node, no policy (0 allowed tuples);
 *   <li>100k: a NetworkPolicy admits that pod from 10,000 /32 peers on 10 TCP ports, both spaced by 2
 *       so that every tuple is its own set element (as {@link AllowedTuples});
 *   <li>beside 10k pods: 10,000 API-only pods of other nodes ({@link RemotePods}) added, which the
 *       agent's informers hold.
 * </ol>
 * Each state is read twice: settled (the agent idle for {@value #SETTLE_SECONDS} s after its ruleset
 * reached the wanted size: what a node's kubelet would see) and after a full GC ({@code jcmd PID
 * GC.run}: what is live). The heap histogram at 100k is written beside the lab's logs.
 * Usage: {@code scripts/bench.sh agent-memory} (as root; needs cli/target/palisade.jar, which the
 * script builds).
 */
public final class AgentProcessMemoryBench {
  /**
   * Longer than the agent's verify period (60 s: it lists the whole table from the kernel, its
   * largest transient), so a settled reading comes after at least one verify, as a node sees it.
   */
  static final int SETTLE_SECONDS = 75;
  private static final int PEERS = 10_000;
  private static final int PORTS = 10;
  private static final int REMOTE_PODS = 10_000;

  private AgentProcessMemoryBench() {}

  /** One reading of the agent process, in MiB. */
  record Reading(double rss, double anon, double file) {
    String row(String what) {
      return String.format(Locale.ROOT, "%.1f MiB (anon %.1f, file %.1f)", rss, anon, file);
    }
  }

  public static void main(String[] args) throws Exception {
    List<String> launcher = ProcessLabs.launcher();
    // issue 16's figures are in enforce mode: the namespace's pod is enforced (nothing approved, the
    // NetworkPolicy's tuples admitted); learn and monitor can be asked for to compare
    String mode = args.length > 0 ? args[0] : "enforce";
    if (!List.of("learn", "monitor", "enforce").contains(mode)) {
      throw new IllegalArgumentException("mode: learn, monitor or enforce, not '" + mode + "'");
    }
    String id = "agentmem" + ProcessHandle.current().pid() % 1000;
    Path dir = Files.createTempDirectory("pal-agentmem");
    Reading[] settled = new Reading[3];
    Reading[] live = new Reading[3];
    try (Lab lab = Lab.startBare(id, 1);
        PalisadeProcesses pal = PalisadeProcesses.start(lab, launcher, dir, LabTokens.of(lab.api()),
            Duration.ofMinutes(5))) {
      long pid = pal.process("agent-0").pid().orElseThrow();
      String metrics = pal.metricsUrl("agent-0");
      lab.apply("""
          apiVersion: v1
          kind: Namespace
          metadata: {name: mem}
          ---
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, namespace: mem}
          spec:
            replicas: 1
            selector: {matchLabels: {app: web}}
            template:
              metadata: {labels: {app: web}}
              spec: {containers: [{name: web, image: web, ports: [{containerPort: 20000}]}]}
          ---
          apiVersion: palisade.dev/v1alpha1
          kind: SegmentationMode
          metadata: {name: mem, namespace: mem}
          spec: {mode: %s}
          """.formatted(mode));
      lab.awaitReady(Duration.ofMinutes(2));
      long empty = AgentScrape.awaitStable(metrics, 0, Duration.ofMinutes(3));
      settled[0] = settle(pid);
      live[0] = afterGc(pid);
      System.err.printf(Locale.ROOT, "empty (%d elements): %s settled, %s live%n", empty, settled[0].row(""),
          live[0].row(""));

      lab.apply(policy());
      long full = AgentScrape.awaitStable(metrics, empty + (long) PEERS * PORTS, Duration.ofMinutes(10));
      settled[1] = settle(pid);
      live[1] = afterGc(pid);
      System.err.printf(Locale.ROOT, "100k (%d elements): %s settled, %s live%n", full, settled[1].row(""),
          live[1].row(""));
      Path histogram = dir.resolve("agent-histogram-100k.txt");
      Files.writeString(histogram, jcmd(pid, "GC.class_histogram"));
      System.err.println("heap histogram at 100k: " + histogram);
      if (String.valueOf(System.getenv("JAVA_TOOL_OPTIONS")).contains("NativeMemoryTracking")) {
        // a diagnostic run (NMT costs memory itself, so not the figures' run): where the native part goes
        Files.writeString(dir.resolve("agent-nmt-100k.txt"), jcmd(pid, "VM.native_memory summary"));
      }

      new RemotePods(lab).create(REMOTE_PODS);
      settled[2] = settle(pid);
      live[2] = afterGc(pid);
      System.err.printf(Locale.ROOT, "beside 10k pods: %s settled, %s live%n", settled[2].row(""), live[2].row(""));
      Files.writeString(dir.resolve("agent-histogram-10k-pods.txt"), jcmd(pid, "GC.class_histogram"));
    }
    double ratio = settled[1].rss() / settled[0].rss();
    String md = String.format(Locale.ROOT, """

        ## Agent RSS: the agent process, empty vs 100k allowed tuples, beside 10k pods (%s)

        %s
        Command: `scripts/bench.sh agent-memory %s`. A one-node process lab (controller and agent each their own \
        process, as deploy/base runs them); the agent JVM runs with the image's options (%s; AgentJvm, which \
        Dockerfile.agent is checked against). RSS from /proc/PID/status of the agent process, anon/file from \
        smaps_rollup; "settled": %d s idle after its ruleset reached the wanted size; "live": after `jcmd PID GC.run`. \
        The node's one pod in %s mode (a SegmentationMode). \
        100k = a NetworkPolicy admitting the node's one pod from %,d /32 peers x %d TCP ports, all spaced by 2 \
        (%,d elements in force); 10k pods = API-only pods of other nodes, which the agent's informers hold.

        | agent process | settled | after full GC |
        |---|---|---|
        | empty (0 tuples) | %s | %s |
        | 100,000 allowed tuples | %s | %s |
        | 100,000 tuples beside 10,000 pods | %s | %s |
        | ratio 100k / empty | %.2f | %.2f |

        """, java.time.LocalDate.now(), Machine.describe(), mode, String.join(" ", AgentJvm.asInContainer()),
        SETTLE_SECONDS, mode, PEERS, PORTS, (long) PEERS * PORTS, settled[0].row(""), live[0].row(""),
        settled[1].row(""), live[1].row(""), settled[2].row(""), live[2].row(""), ratio, live[1].rss() / live[0].rss());
    md += Goal.line("agent RSS at 100k tuples <= 1.5x at 0 (settled, the agent process)", ratio, 1.5, false,
        System.getProperty("palisade.why", "see the text below the table")) + "\n";
    Files.writeString(Path.of(System.getProperty("palisade.results", "bench/RESULTS.md")), md,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.print(md);
  }

  /** 10,000 /32 peers x 10 ports admitted into mem/web, no two adjacent. */
  static String policy() {
    return """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: many-peers, namespace: mem}
        spec:
          podSelector: {matchLabels: {app: web}}
          policyTypes: [Ingress]
          ingress:
        """ + ProcessLabs.peersOnPorts((10L << 24) | (100L << 16), 0, PEERS, 20000, PORTS);
  }

  private static Reading settle(long pid) throws Exception {
    Thread.sleep(SETTLE_SECONDS * 1000L);
    return read(pid);
  }

  private static Reading afterGc(long pid) throws Exception {
    jcmd(pid, "GC.run");
    Thread.sleep(2000);
    return read(pid);
  }

  static Reading read(long pid) throws IOException {
    double rss = kib(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
    Path rollup = Path.of("/proc", Long.toString(pid), "smaps_rollup");
    return new Reading(rss / 1024, kib(rollup, "Anonymous:") / 1024,
        (kib(rollup, "Rss:") - kib(rollup, "Anonymous:")) / 1024);
  }

  private static double kib(Path file, String key) throws IOException {
    for (String line : Files.readAllLines(file)) {
      if (line.startsWith(key)) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no " + key + " in " + file);
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed: " + out);
    }
    return out;
  }
}
