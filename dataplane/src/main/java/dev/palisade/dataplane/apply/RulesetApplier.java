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

  public RulesetApplier(Nftables nft) {
    this.nft = nft;
  }

  /** Applies the desired state; returns the transaction sent (empty if nothing changed). */
  public synchronized Transaction apply(DesiredRuleset next) {
    Transaction tx;
    if (applied == null) {
      Optional<TableState> present = nft.table(next.family(), next.table());
      Set<String> chains = present.map(t -> t.chains().keySet()).orElse(Set.of());
      Set<String> sets = present.map(t -> t.sets().keySet()).orElse(Set.of());
      tx = RulesetDiff.full(next, chains, sets);
    } else {
      tx = RulesetDiff.incremental(applied, next);
    }
    if (tx.isEmpty()) {
      applied = next;
      return tx;
    }
    try {
      nft.run(tx);
      applied = next;
      applies++;
      return tx;
    } catch (NftException e) {
      failures++;
      applied = null; // the next apply re-reads the kernel and writes everything
      LOG.error("nftables refused a transaction; the previous ruleset stays in force: {}\n--- transaction ---\n{}",
          e.getMessage(), abbreviate(tx.toString()));
      throw e;
    }
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
