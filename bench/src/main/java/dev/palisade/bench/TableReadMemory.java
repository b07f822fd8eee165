package dev.palisade.bench;

import dev.palisade.dataplane.apply.RulesetApplier;
import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.DesiredRuleset.Chain;
import dev.palisade.dataplane.render.DesiredRuleset.NamedSet;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.LibNftables;
import dev.palisade.kernel.nft.NetlinkTableReader;
import dev.palisade.kernel.nft.TableState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Peak memory of one read of the agent's table, by reader, one fresh JVM per reader: the JSON
 * listing through libnftables ({@code json}), the netlink reader ({@code netlink}), or no read
 * ({@code none}: the JVM's own floor). Prints the process's VmHWM (peak RSS) and VmRSS before and
 * after the read. {@code setup N} makes namespace {@value #NS} with a table of N elements in one
 * concatenated interval set (the shape the agent's policy sets have); {@code teardown} deletes it.
 *
 * <p>Usage (as root): {@code java -Xmx512m -cp bench/target/palisade-bench.jar
 * dev.palisade.bench.TableReadMemory setup 100000|json|netlink|none|teardown}
 */
public final class TableReadMemory {
  static final String NS = "pal-nlread-mem";

  private TableReadMemory() {}

  public static void main(String[] args) throws Exception {
    switch (args.length == 0 ? "" : args[0]) {
      case "setup" -> setup(Integer.parseInt(args[1]));
      case "teardown" -> NetNs.delete(NS);
      case "json", "netlink", "none" -> read(args[0]);
      default -> throw new IllegalArgumentException("usage: setup N | json | netlink | none | teardown");
    }
  }

  private static void setup(int n) {
    NetNs.delete(NS);
    try (NetNs ns = NetNs.create(NS); LibNftables nft = LibNftables.open(ns)) {
      TreeSet<String> elements = new TreeSet<>();
      for (int i = 0; i < n; i++) {
        int b = i / 2; // two elements per /24 of 10.0.0.0/8: a prefix and a range, or a single address
        String block = "10." + (b / 256) + "." + (b % 256) + ".";
        elements.add(i % 2 == 0 ? block + "0/25 . tcp . " + (80 + i % 7)
            : (i % 3 == 0 ? block + "200" : block + "130-" + block + "190") + " . udp . 1000-2000");
      }
      TreeMap<String, NamedSet> sets = new TreeMap<>();
      sets.put("np_in_1", new NamedSet("np_in_1", false, "ipv4_addr . inet_proto . inet_service", true, elements));
      TreeMap<String, Chain> chains = new TreeMap<>();
      chains.put("in_1", new Chain("in_1", null, List.of("ip saddr . meta l4proto . th dport @np_in_1 return")));
      new RulesetApplier(nft).apply(new DesiredRuleset(RulesetRenderer.FAMILY, RulesetRenderer.TABLE, chains, sets));
    }
    System.out.println("table inet palisade in " + NS + ": " + n + " elements");
  }

  private static void read(String reader) throws Exception {
    NetNs ns = NetNs.attach(NS);
    LibNftables nft = LibNftables.open(ns);
    String before = status();
    long t0 = System.nanoTime();
    TableState t = switch (reader) {
      case "json" -> nft.listTable(RulesetRenderer.FAMILY, RulesetRenderer.TABLE).orElseThrow();
      case "netlink" -> ns.call(() -> NetlinkTableReader.read(RulesetRenderer.FAMILY, RulesetRenderer.TABLE))
          .orElseThrow();
      default -> null;
    };
    long ms = (System.nanoTime() - t0) / 1_000_000;
    long elements = t == null ? 0 : t.sets().values().stream().mapToLong(s -> s.elements().size()).sum();
    System.out.printf("reader=%s elements=%d read_ms=%d before[%s] after[%s]%n", reader, elements, ms, before, status());
    nft.close();
    ns.close();
  }

  /** VmHWM and VmRSS of this process, in MiB. */
  private static String status() throws Exception {
    StringBuilder sb = new StringBuilder();
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:") || line.startsWith("VmRSS:")) {
        long kb = Long.parseLong(line.replaceAll("\\D", ""));
        sb.append(sb.length() == 0 ? "" : " ").append(line, 0, 5).append('=').append(kb / 1024).append("MiB");
      }
    }
    return sb.toString();
  }
}
