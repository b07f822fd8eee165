package dev.palisade.dataplane.apply;

import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.kernel.nft.NftException;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.kernel.nft.TableState;
import dev.palisade.kernel.nft.Transaction;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The side effect: applies desired rulesets to nftables, one atomic transaction per change set.
 * It remembers what it last applied successfully and sends only the difference. If a transaction
 * fails, the kernel keeps the previous ruleset (nft transactions are all-or-nothing), the error
 * is logged with the transaction text, and the next apply is a full resync against what the
 * kernel actually holds.
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
      Optional<TableState> present = nft.table(next.family(), next.table());
      Set<String> chains = present.map(t -> t.chains().keySet()).orElse(Set.of());
      Set<String> sets = present.map(t -> t.sets().keySet()).orElse(Set.of());
      plan = RulesetDiff.plan(null, next, chains, sets, maxElements);
    } else {
      plan = RulesetDiff.plan(applied, next, Set.of(), Set.of(), maxElements);
    }
    if (plan.staging().isEmpty() && plan.commit().isEmpty()) {
      applied = next;
      return plan.commit();
    }
    for (Transaction tx : plan.all()) {
      if (tx.isEmpty()) {
        continue;
      }
      try {
        long t0 = System.nanoTime();
        nft.run(tx);
        long took = System.nanoTime() - t0;
        longestCommitNanos = Math.max(longestCommitNanos, took);
        commits++;
      } catch (NftException e) {
        failures++;
        applied = null; // the next apply re-reads the kernel and writes everything
        LOG.error("nftables refused a transaction; the previous ruleset stays in force: {}\n--- transaction ---\n{}",
            e.getMessage(), abbreviate(tx.toString()));
        throw e;
      }
    }
    applied = next;
    applies++;
    return plan.commit();
  }

  /**
   * Bounds commits: sets no rule reads yet are filled ahead in chunks of this many elements
   * (default 10,000), so one huge sync never holds the nftables lock for long.
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

  /** Forgets what was applied, so the next apply is a full resync. */
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
