package dev.palisade.bench.jmh;

import dev.palisade.bench.AllowedTuples;
import dev.palisade.dataplane.apply.RulesetDiff;
import dev.palisade.dataplane.flow.IpHistory;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.LibNftables;
import dev.palisade.kernel.nft.NftObject;
import dev.palisade.kernel.nft.Transaction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The agent's hot paths:
 * <ul>
 *   <li>{@code render}: desired state of one enforced pod with 100k allowed tuples -> ruleset;
 *       {@code diff}: the incremental transaction between two such rulesets one tuple apart;
 *   <li>{@code ipHistory}: resolving (pod IP, time) -> identity in a history of 10k addresses,
 *       each reused once (what every conntrack event costs);
 *   <li>{@code jnrTrivial}: one libnftables call through JNR that does nothing in the kernel (an
 *       dry run of "add table" for an existing table) - the fixed cost of crossing into C and libnftables; {@code tx1} and {@code tx10k}: a real
 *       kernel transaction adding (and, alternately, deleting) 1 or 10,000 set elements, in a
 *       network namespace of the benchmark's own (needs root).
 * </ul>
 * Run: {@code java -cp bench/target/palisade-bench.jar org.openjdk.jmh.Main DataplaneBench}.
 */
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DataplaneBench {

  /** Rendered state, one tuple apart. */
  @State(Scope.Benchmark)
  public static class Rules {
    NodeRules rules;
    DesiredRuleset before;
    DesiredRuleset after;

    @Setup
    public void setUp() {
      Set<AllowRect> allowed = AllowedTuples.of(100_000);
      rules = rules(allowed);
      before = RulesetRenderer.render(rules);
      Set<AllowRect> plusOne = new HashSet<>(allowed);
      plusOne.add(new AllowRect(Interval.ip("10.200.0.1"), AllowRect.Proto.TCP, Interval.port(443)));
      after = RulesetRenderer.render(rules(plusOne));
    }

    private static NodeRules rules(Set<AllowRect> allowed) {
      Direction in = new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(), allowed);
      return new NodeRules(List.of(new Group("1000", 1000, Set.of("10.244.0.10"), in, Direction.OPEN)));
    }
  }

  /** 10k addresses, each held by one pod and then reused by another workload's. */
  @State(Scope.Benchmark)
  public static class History {
    IpHistory history = new IpHistory(3_600_000);
    List<String> ips = new ArrayList<>();
    int next;

    @Setup
    public void setUp() {
      for (int i = 0; i < 10_000; i++) {
        String ip = "10.244." + (i / 250) + "." + (i % 250 + 1);
        ips.add(ip);
        history.assign(ip, "ns/a-" + i, 300 + i % 1000, 1_000);
        history.release(ip, "ns/a-" + i, 2_000);
        history.assign(ip, "ns/b-" + i, 1300 + i % 1000, 2_001);
      }
    }
  }

  /** A kernel table in a namespace of its own, with one set to add to and delete from. */
  @State(Scope.Benchmark)
  public static class Kernel {
    NetNs ns;
    LibNftables nft;
    Transaction empty;
    Transaction add1;
    Transaction del1;
    Transaction add10k;
    Transaction del10k;
    boolean present1;
    boolean present10k;

    @Setup(Level.Trial)
    public void setUp() {
      NetNs.delete("pal-jmh");
      ns = NetNs.create("pal-jmh");
      nft = LibNftables.open(ns);
      nft.run(new Transaction("inet", "jmh").add(NftObject.Table.of())
          .add(NftObject.NftSet.of("s", "ipv4_addr . inet_proto . inet_service")));
      // "add table" of a table that exists, as a dry run: libnftables parses it, asks the kernel and commits nothing
      empty = new Transaction("inet", "jmh").add(NftObject.Table.of());
      List<String> one = List.of("10.0.0.1 . tcp . 80");
      List<String> many = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        many.add("10." + (1 + i / 65536) + "." + (i / 256 % 256) + "." + (i % 256) + " . tcp . 443");
      }
      add1 = new Transaction("inet", "jmh").addElements("s", one);
      del1 = new Transaction("inet", "jmh").deleteElements("s", one);
      add10k = new Transaction("inet", "jmh").addElements("s", many);
      del10k = new Transaction("inet", "jmh").deleteElements("s", many);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      nft.close();
      ns.close();
      NetNs.delete("pal-jmh");
    }
  }

  @Benchmark
  public DesiredRuleset render(Rules r) {
    return RulesetRenderer.render(r.rules);
  }

  @Benchmark
  public Transaction diff(Rules r) {
    return RulesetDiff.incremental(r.before, r.after);
  }

  @Benchmark
  public Object ipHistory(History h) {
    String ip = h.ips.get(h.next++ % h.ips.size());
    return h.history.at(ip, (h.next & 1) == 0 ? 1_500 : 2_500);
  }

  @Benchmark
  public void jnrTrivial(Kernel k) {
    k.nft.check(k.empty);
  }

  @Benchmark
  public void tx1(Kernel k) {
    k.nft.run(k.present1 ? k.del1 : k.add1);
    k.present1 = !k.present1;
  }

  @Benchmark
  public void tx10k(Kernel k) {
    k.nft.run(k.present10k ? k.del10k : k.add10k);
    k.present10k = !k.present10k;
  }
}
