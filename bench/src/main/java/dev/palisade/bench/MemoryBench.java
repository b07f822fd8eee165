package dev.palisade.bench;

import dev.palisade.bench.jmh.CompileScenario;
import dev.palisade.dataplane.apply.RulesetApplier;
import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.LibNftables;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Memory the agent and the controller hold, each measured in a JVM of its own (so one
 * measurement's garbage is not the next one's baseline):
 * <ul>
 *   <li>agent: resident set size of a JVM that opened libnftables in a fresh network namespace
 *       and applied, through the agent's RulesetApplier (which keeps the applied desired state
 *       for diffs), the ruleset of one enforced pod with N allowed tuples; N = 0 is the baseline;
 *   <li>controller: heap in use after a full GC with the paper-sized graph (10k pods, 1k workloads,
 *       100k edges) loaded, against the same JVM's heap before loading it.
 * </ul>
 * Usage: {@code scripts/bench.sh memory [ROUNDS]} (as root).
 */
public final class MemoryBench {
  private MemoryBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--agent")) {
      agent(Integer.parseInt(args[1]));
      return;
    }
    if (args.length > 0 && args[0].equals("--controller")) {
      controller();
      return;
    }
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    List<Double> zero = new ArrayList<>();
    List<Double> full = new ArrayList<>();
    List<double[]> heap = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      zero.add(Double.parseDouble(child("--agent", "0")));
      full.add(Double.parseDouble(child("--agent", "100000")));
      String[] h = child("--controller").split(" ");
      heap.add(new double[] {Double.parseDouble(h[0]), Double.parseDouble(h[1])});
      System.err.printf(Locale.ROOT, "round %d: agent RSS %.1f MiB at 0, %.1f MiB at 100k; controller heap %.1f -> %.1f MiB%n",
          r + 1, zero.get(r), full.get(r), heap.get(r)[0], heap.get(r)[1]);
    }
    double z = Stats.median(zero);
    double f = Stats.median(full);
    double h0 = Stats.median(heap.stream().map(x -> x[0]).toList());
    double h1 = Stats.median(heap.stream().map(x -> x[1]).toList());
    String md = String.format(Locale.ROOT, """

        ## Memory: agent RSS, controller heap (%s)

        %s
        Command: `scripts/bench.sh memory %d`; each figure is the median of %d rounds, each measurement in a fresh JVM \
        started as the agent's container starts it (%s), after System.gc().

        | | baseline | measured | ratio |
        |---|---|---|---|
        | agent RSS: 0 -> 100,000 allowed tuples applied (libnftables + RulesetApplier state) | %.1f MiB | %.1f MiB | %.2f |
        | controller heap in use: empty -> 10k pods, 1k workloads, 100k edges (graph + identities) | %.1f MiB | %.1f MiB | %.2f |

        %s""", LocalDate.now(), Machine.describe(), rounds, rounds,
        String.join(" ", dev.palisade.dataplane.agent.AgentJvm.asInContainer()), z, f, f / z, h0, h1, h1 / h0,
        Goal.line("agent RSS at 100k tuples <= 1.5x at 0", f / z, 1.5, false, "the agent keeps the applied ruleset "
            + "as text (every element a String in sorted sets) to diff the next one against; elements packed as numbers "
            + "would take a fraction of that"));
    Files.writeString(Path.of(System.getProperty("palisade.results", "bench/RESULTS.md")), md,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.print(md);
  }

  private static String child(String... args) throws IOException, InterruptedException {
    // The JVM as the agent's container runs it: the image's options and the DaemonSet's memory limit
    // as its RAM (AgentJvm, which Dockerfile.agent is checked against).
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(dev.palisade.dataplane.agent.AgentJvm.asInContainer());
    cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
        MemoryBench.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("memory child " + String.join(" ", args) + " failed");
    }
    return out;
  }

  private static void agent(int tuples) throws Exception {
    String name = "pal-mem-" + ProcessHandle.current().pid();
    NetNs.delete(name);
    try (NetNs ns = NetNs.create(name); LibNftables nft = LibNftables.open(ns)) {
      RulesetApplier applier = new RulesetApplier(nft);
      applier.apply(BulkSyncBench.ruleset(Math.max(tuples, 1)));
      if (tuples == 0) {
        applier.apply(dev.palisade.dataplane.render.RulesetRenderer.render(new dev.palisade.dataplane.render.NodeRules(List.of())));
      }
      System.gc();
      Thread.sleep(200);
      System.out.println(rssMiB());
      if (applier.applies() < 0) {
        System.out.println(); // keeps the applier (and the state it holds) reachable until here
      }
    } finally {
      NetNs.delete(name);
    }
  }

  private static void controller() throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    double before = usedMiB();
    CompileScenario s = CompileScenario.paperSized();
    System.gc();
    Thread.sleep(200);
    double after = usedMiB();
    System.out.println(before + " " + after + (s.edges.isEmpty() ? "" : ""));
  }

  private static double usedMiB() {
    var h = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return h.getUsed() / 1048576.0;
  }

  private static double rssMiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

}
