package dev.palisade.bench;

import dev.palisade.dataplane.apply.RulesetApplier;
import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.LibNftables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A node agent's initial sync of N allowed tuples into an empty kernel table, through the
 * applier's bounded commits (JNR libnftables), against the baseline of the same ruleset loaded by
 * `nft -f` in one transaction. Reports elements/s and the longest single commit (the longest time
 * the kernel's nftables mutex is held, i.e. what other writers and the commit path wait for).
 *
 * <p>Usage: {@code scripts/bench.sh bulk-sync [ELEMENTS] [ROUNDS]} (as root).
 */
public final class BulkSyncBench {
  private static final String NS = "pal-bulk";

  private BulkSyncBench() {}

  static DesiredRuleset ruleset(int n) {
    Direction in = new Direction(false, Set.of(), Set.of(), Enforcement.ENFORCE, Set.of(), AllowedTuples.of(n));
    return RulesetRenderer.render(new NodeRules(List.of(new Group("1000", 1000, Set.of("10.244.0.10"), in,
        Direction.OPEN))));
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int chunk = args.length > 2 ? Integer.parseInt(args[2]) : 0; // 0: the applier's default
    DesiredRuleset rs = ruleset(n);
    int elements = rs.sets().values().stream().mapToInt(s -> s.elements().size()).sum();
    List<double[]> applier = new ArrayList<>();
    List<Double> cli = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      NetNs.delete(NS);
      try (NetNs ns = NetNs.create(NS); LibNftables nft = LibNftables.open(ns)) {
        RulesetApplier a = new RulesetApplier(nft);
        if (chunk > 0) {
          a.maxElementsPerCommit(chunk);
        }
        long t0 = System.nanoTime();
        a.apply(rs);
        long t1 = System.nanoTime();
        applier.add(new double[] {elements / ((t1 - t0) / 1e9), a.longestCommitNanos() / 1e6, a.commits()});
        // baseline: the same text in one `nft -f` transaction, into a fresh table
        ns.exec("nft", "delete", "table", RulesetRenderer.FAMILY, RulesetRenderer.TABLE);
        Path f = Files.createTempFile("pal-bulk", ".nft");
        try {
          Files.writeString(f, rs.text());
          long c0 = System.nanoTime();
          ns.exec("nft", "-f", f.toString());
          long c1 = System.nanoTime();
          cli.add(elements / ((c1 - c0) / 1e9));
        } finally {
          Files.deleteIfExists(f);
        }
        System.err.printf(Locale.ROOT, "round %d: applier %,.0f elements/s, longest commit %.1f ms in %d commits; "
            + "nft -f %,.0f elements/s%n", r + 1, applier.get(r)[0], applier.get(r)[1], (long) applier.get(r)[2], cli.get(r));
      } finally {
        NetNs.delete(NS);
      }
    }
    double rate = Stats.median(applier.stream().map(x -> x[0]).toList());
    double longest = Stats.median(applier.stream().map(x -> x[1]).toList());
    double base = Stats.median(cli);
    String md = String.format(Locale.ROOT, """

        ## Bulk sync: %,d elements into an empty table (%s)

        %s
        Command: `scripts/bench.sh bulk-sync %d %d`. The renderer's ruleset for one enforced pod with %,d allowed tuples \
        (%,d set elements in all), applied by the agent's RulesetApplier (libnftables over JNR, bounded commits of at most \
        %,d elements: staged sets filled first, switched on by the last commit) into a fresh network namespace; \
        baseline: the same ruleset text loaded by `nft -f` in one transaction, same round. Median of %d rounds.

        | | elements/s | / nft -f | longest single commit |
        |---|---|---|---|
        | RulesetApplier (bounded commits) | %,.0f | %.2f | %.1f ms |
        | nft -f (one transaction) | %,.0f | 1.00 | (all of it) |

        %s%s""", n, LocalDate.now(), Machine.describe(), n, rounds, n, elements,
        chunk > 0 ? chunk : RulesetApplier.DEFAULT_MAX_ELEMENTS_PER_COMMIT, rounds, rate, rate / base, longest, base,
        Goal.line("bulk sync >= 200,000 elements/s", rate, 200_000, true, "a kernel transaction's cost grows with its "
            + "size, so commits are bounded (for the longest-commit goal); each commit pays libnftables' parse of its text "
            + "and a netlink round trip, and the agent builds and parses every element as text"),
        Goal.line("no single commit longer than 50 ms (ms)", longest, 50, false, "the commit size bound is too high "
            + "for this machine (RulesetApplier.DEFAULT_MAX_ELEMENTS_PER_COMMIT)"));
    Files.writeString(Path.of(System.getProperty("palisade.results", "bench/RESULTS.md")), md,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    System.out.print(md);
  }

}
