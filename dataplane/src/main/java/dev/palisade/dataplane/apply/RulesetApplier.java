package dev.palisade.dataplane.apply;

import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.kernel.MallocTrim;
import dev.palisade.kernel.nft.NftException;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.kernel.nft.Transaction;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The side effect: applies desired rulesets to nftables, one atomic transaction per change set.
 * It remembers what it last applied successfully and sends only the difference. If a transaction
 * fails, the kernel keeps the previous ruleset (nft transactions are all-or-nothing), the error
 * is logged with the transaction text, and the next apply adopts the table: with no trusted
 * previous state (the first apply after a start, after a failure, after {@link #resyncNext}) it
 * reads the kernel's table and writes only what differs from it ({@link AdoptionPlanner}: an
 * unchanged table costs no commit, a large difference is written in bounded commits that never
 * open anything in between). {@link #verify} reports what differs without writing.
 */
public final class RulesetApplier {
  private static final Logger LOG = LoggerFactory.getLogger(RulesetApplier.class);

  private final Nftables nft;
  private DesiredRuleset applied;
  private long applies;
  private long failures;
  private long commits;
  private long longestCommitNanos;
  /**
   * Elements per kernel transaction during a large sync. Measured (bench/RESULTS.md, bulk sync of
   * 100k elements): 10,000 held the nftables mutex up to 135 ms per commit at 144k elements/s;
   * 2,000 gave about 200k elements/s with no commit over 40 ms: a kernel transaction's cost grows
   * faster than its size, so smaller commits are both shorter and, in sum, faster.
   */
  public static final int DEFAULT_MAX_ELEMENTS_PER_COMMIT = 2_000;
  private int maxElements = DEFAULT_MAX_ELEMENTS_PER_COMMIT;

  public RulesetApplier(Nftables nft) {
    this.nft = nft;
  }

  /** Applies the desired state; returns the final transaction sent (empty if nothing changed). */
  public synchronized Transaction apply(DesiredRuleset next) {
    RulesetDiff.Plan plan;
    if (applied == null) {
      long t0 = System.nanoTime();
      // read over netlink (NetlinkTableReader): libnftables' cache is never filled by a read, so
      // neither a dry run to free it nor a trim of the C heap follows
      TableComparison diff = TableReader.compare(nft, next);
      plan = AdoptionPlanner.plan(diff, next, maxElements);
      LOG.info("adopting table {} {}: {} difference(s), {} commit(s) planned, read and planned in {} ms",
          next.family(), next.table(), diff.describe(next.family(), next.table(), 0).size(),
          plan.all().stream().filter(t -> !t.isEmpty()).count(), (System.nanoTime() - t0) / 1_000_000);
    } else {
      plan = RulesetDiff.plan(applied, next, maxElements);
    }
    if (plan.staging().isEmpty() && plan.commit().isEmpty()) {
      applied = next;
      return plan.commit();
    }
    int written = 0;
    for (Transaction tx : plan.all()) {
      if (tx.isEmpty()) {
        continue;
      }
      written += tx.size();
      try {
        long t0 = System.nanoTime();
        nft.run(tx);
        long took = System.nanoTime() - t0;
        longestCommitNanos = Math.max(longestCommitNanos, took);
        commits++;
      } catch (NftException e) {
        failures++;
        applied = null; // the next apply re-reads the kernel and writes what differs
        LOG.error("nftables refused a transaction; the previous ruleset stays in force: {}\n--- transaction ---\n{}",
            e.getMessage(), abbreviate(tx.toString()));
        throw e;
      }
    }
    applied = next;
    applies++;
    releaseNativeMemoryAfter(written);
    return plan.commit();
  }

  /**
   * Call after a sync that wrote {@code operations} operations: a large one gives libnftables'
   * freed parse memory back to the kernel ({@link #TRIM_AFTER_OPERATIONS}). Any writer of the
   * agent's table calls it, the delta writer included.
   */
  public static void releaseNativeMemoryAfter(int operations) {
    if (operations >= TRIM_AFTER_OPERATIONS) {
      MallocTrim.trim();
    }
  }

  /**
   * A sync that wrote this many operations (elements, rules) has left libnftables' freed parse
   * memory in the C heap: it is given back to the kernel after the sync (glibc keeps it otherwise;
   * see {@link MallocTrim}). An ordinary pod event writes a few dozen, and pays nothing.
   */
  static final int TRIM_AFTER_OPERATIONS = 1_000;

  /**
   * Bounds commits: sets no rule reads yet are filled ahead, and an adopted table's differences
   * written, in chunks of this many elements (default {@value #DEFAULT_MAX_ELEMENTS_PER_COMMIT}),
   * so one huge sync never holds the nftables lock for long.
   */
  public synchronized RulesetApplier maxElementsPerCommit(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("elements per commit must be positive: " + n);
    }
    this.maxElements = n;
    return this;
  }

  /** Transactions committed so far (a bounded sync counts each of its commits). */
  public synchronized long commits() {
    return commits;
  }

  /** The longest single commit so far, in nanoseconds. */
  public synchronized long longestCommitNanos() {
    return longestCommitNanos;
  }

  /**
   * The differences between the kernel's table and {@code want}, one line each (table, chain or
   * set missing, a chain whose rules are not the wanted ones, a set with the wrong type, elements
   * missing or surplus with a few examples); empty when the kernel holds exactly {@code want}.
   * Compared as the adoption compares (canonical element text, chain digests), so tampering is
   * found exactly: a deleted table, a flushed chain, one deleted element. Writes nothing.
   */
  public synchronized List<String> verify(DesiredRuleset want) {
    return TableReader.compare(nft, want).describe(want.family(), want.table(), VERIFY_EXAMPLES);
  }

  private static final int VERIFY_EXAMPLES = 3;

  /** Forgets what was applied, so the next apply adopts the table as the kernel holds it. */
  public synchronized void resyncNext() {
    applied = null;
  }

  public synchronized long applies() {
    return applies;
  }

  public synchronized long failures() {
    return failures;
  }

  private static String abbreviate(String text) {
    return text.length() <= 20_000 ? text : text.substring(0, 20_000) + "\n... (" + text.length() + " chars)";
  }
}
