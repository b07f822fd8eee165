package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.apply.RulesetApplier;
import dev.palisade.dataplane.apply.RulesetDiff;
import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.DesiredRuleset.Chain;
import dev.palisade.dataplane.render.DesiredRuleset.NamedSet;
import dev.palisade.kernel.nft.NftException;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.kernel.nft.Transaction;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's writer: as {@link RulesetApplier}, but a sync after the first hands the diff only the
 * chains and sets that changed. A set whose elements are the very same instance as last time (the
 * renderer's memo keeps them while their inputs are unchanged) is left out of both sides, so the
 * diff never walks it: walking every element of every set was a fixed cost of each sync, about
 * 10% of it at 10k pods, whatever the event. What it leaves out is exactly what the full diff would
 * have found unchanged, so the transaction is the same.
 *
 * <p>The first apply, and the one after a failure or {@link #resyncNext}, is a full write over
 * what the kernel holds, done by a {@link RulesetApplier} told to forget what it applied. Only the
 * agent's sync thread calls it.
 */
final class ChangedPartsApplier {
  private static final Logger LOG = LoggerFactory.getLogger(ChangedPartsApplier.class);

  private final Nftables nft;
  private final RulesetApplier full;
  private DesiredRuleset applied;
  private volatile long failures; // written by the sync thread only, read by metrics scrapes
  /** Read by the metrics scrape thread. */
  private volatile long fullWrites;
  /**
   * Kept here for the scrape thread (the full writer's own figures are read under its lock, which
   * an adoption holds for seconds): commits and the longest one, written by the sync thread only.
   */
  private volatile long commits;
  private volatile long longestCommitNanos;

  ChangedPartsApplier(Nftables nft) {
    this.nft = nft;
    this.full = new RulesetApplier(nft);
  }

  void apply(DesiredRuleset next) {
    if (applied == null) {
      fullWrites++; // only the sync thread writes it
      full.resyncNext();
      long before = full.commits();
      try {
        full.apply(next);
      } finally {
        commits += full.commits() - before;
        longestCommitNanos = Math.max(longestCommitNanos, full.longestCommitNanos());
      }
      applied = next;
      return;
    }
    DesiredRuleset[] parts = changedParts(applied, next);
    RulesetDiff.Plan plan = RulesetDiff.plan(parts[0], parts[1],
        RulesetApplier.DEFAULT_MAX_ELEMENTS_PER_COMMIT);
    int written = 0;
    for (Transaction tx : plan.all()) {
      if (tx.isEmpty()) {
        continue;
      }
      written += tx.size();
      try {
        long t0 = System.nanoTime();
        nft.run(tx);
        longestCommitNanos = Math.max(longestCommitNanos, System.nanoTime() - t0);
        commits++;
      } catch (NftException e) {
        failures++;
        applied = null; // the next apply re-reads the kernel and writes everything
        LOG.error("nftables refused a transaction; the previous ruleset stays in force: {}\n--- transaction ---\n{}",
            e.getMessage(), tx.toString().length() <= 20_000 ? tx : tx.toString().substring(0, 20_000) + "\n...");
        throw e;
      }
    }
    applied = next;
    RulesetApplier.releaseNativeMemoryAfter(written);
  }

  /**
   * {previous, next} cut down to what differs: chains whose rules changed and sets whose elements
   * are not the same instance, on the side(s) they exist on. Pure.
   */
  static DesiredRuleset[] changedParts(DesiredRuleset previous, DesiredRuleset next) {
    SortedMap<String, Chain> oldChains = new TreeMap<>();
    SortedMap<String, Chain> newChains = new TreeMap<>();
    next.chains().forEach((name, c) -> {
      Chain old = previous.chains().get(name);
      if (old == null || !old.equals(c)) {
        newChains.put(name, c);
        if (old != null) {
          oldChains.put(name, old);
        }
      }
    });
    previous.chains().forEach((name, c) -> {
      if (!next.chains().containsKey(name)) {
        oldChains.put(name, c);
      }
    });
    SortedMap<String, NamedSet> oldSets = new TreeMap<>();
    SortedMap<String, NamedSet> newSets = new TreeMap<>();
    next.sets().forEach((name, s) -> {
      NamedSet old = previous.sets().get(name);
      if (old == null || !same(old, s)) {
        newSets.put(name, s);
        if (old != null) {
          oldSets.put(name, old);
        }
      }
    });
    previous.sets().forEach((name, s) -> {
      if (!next.sets().containsKey(name)) {
        oldSets.put(name, s);
      }
    });
    return new DesiredRuleset[] {new DesiredRuleset(previous.family(), previous.table(), oldChains, oldSets),
        new DesiredRuleset(next.family(), next.table(), newChains, newSets)};
  }

  /** The same set, told without walking its elements (equal content in another instance counts as changed). */
  private static boolean same(NamedSet a, NamedSet b) {
    return a.elements() == b.elements() && a.map() == b.map() && a.interval() == b.interval()
        && a.dynamic() == b.dynamic()
        && a.type().equals(b.type());
  }

  /** Forgets what was applied, so the next apply is a full resync. */
  void resyncNext() {
    applied = null;
  }

  /** What differs between the kernel's table and {@code want} (empty: nothing); writes nothing. */
  List<String> verify(DesiredRuleset want) {
    return full.verify(want);
  }

  /** Full writes of the table: the first, and each after a failure or {@link #resyncNext}. */
  long fullWrites() {
    return fullWrites;
  }

  long failures() {
    return failures + full.failures();
  }

  /** The longest single commit since this writer was made, in nanoseconds; any thread. */
  long longestCommitNanos() {
    return longestCommitNanos;
  }

  /** nftables transactions committed since this writer was made (a bounded write counts each); any thread. */
  long commits() {
    return commits;
  }
}
