package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.dns.NameGrants;
import dev.palisade.dataplane.render.ConnectionVerdict;
import dev.palisade.dataplane.render.DesiredRuleset;
import dev.palisade.dataplane.render.ElementMemo;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.RulesetRenderer;
import dev.palisade.kernel.conntrack.Conntrack;
import dev.palisade.kernel.conntrack.ConntrackEvent;
import dev.palisade.kernel.conntrack.ConntrackFilter;
import dev.palisade.kernel.nft.Nftables;
import dev.palisade.model.Protocol;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side effects on its node's kernel: rules -> nftables (render, apply the difference
 * atomically), cut live connections a tightened policy no longer allows, and keep the table as
 * rendered: {@link #verify} finds a table changed by anyone else (deleted, flushed, an element
 * removed) and makes the next apply a full rewrite. Only the agent's sync thread calls it.
 */
final class KernelSync {
  private static final Logger LOG = LoggerFactory.getLogger(KernelSync.class);

  private final String nodeName;
  private final ChangedPartsApplier applier;
  private final Conntrack conntrack;
  private final ElementMemo memo = new ElementMemo();
  private NameGrants lastGrants = NameGrants.NONE;
  private NodeRules lastRules;
  private volatile DesiredRuleset lastDesired;
  private final AtomicLong cut = new AtomicLong();
  private final AtomicLong repairs = new AtomicLong();
  private Steps lastSteps = Steps.NONE;

  /** An apply's steps' wall times in nanoseconds: render, commit (nftables), tighten (conntrack). */
  record Steps(long render, long commit, long tighten) {
    static final Steps NONE = new Steps(0, 0, 0);
  }

  KernelSync(String nodeName, Nftables nft, Conntrack conntrack) {
    this.nodeName = nodeName;
    this.applier = new ChangedPartsApplier(nft);
    this.conntrack = conntrack;
  }

  /**
   * Makes the kernel enforce {@code rules}. A failed transaction leaves the previous ruleset in
   * force (nft transactions are all or nothing) and throws; the next apply rewrites everything.
   */
  void apply(NodeRules rules) {
    apply(rules, NameGrants.NONE, ConnectionVerdict.Names.NONE);
  }

  /**
   * As above, with the approved names this sync grants ({@code grants}) and what they let through
   * ({@code names}): live connections to a name's addresses are judged by them, so a tightening
   * keeps those still granted and cuts those of a name taken away (which changes no rendered rule).
   */
  void apply(NodeRules rules, NameGrants grants, ConnectionVerdict.Names names) {
    long t0 = System.nanoTime();
    DesiredRuleset desired = RulesetRenderer.render(rules, memo);
    long t1 = System.nanoTime();
    applier.apply(desired);
    long t2 = System.nanoTime();
    lastDesired = desired;
    if (lastRules != null && (!lastRules.equals(rules) || !lastGrants.equals(grants))) {
      tighten(rules, names);
    }
    lastSteps = new Steps(t1 - t0, t2 - t1, System.nanoTime() - t2);
    lastRules = rules;
    lastGrants = grants;
  }

  /**
   * Compares the kernel's table with what was last applied (every chain's rules by digest, every
   * set's elements). On a difference it logs what differs, counts a repair and makes the next
   * apply rewrite what differs; returns false then.
   */
  boolean verify() {
    DesiredRuleset want = lastDesired;
    if (want == null) {
      return true;
    }
    List<String> differences = applier.verify(want);
    if (differences.isEmpty()) {
      return true;
    }
    tampered(differences);
    return false;
  }

  /** Someone else changed the table (the nftables monitor said so): the next apply rewrites it. */
  void tampered(List<String> what) {
    repairs.incrementAndGet();
    LOG.warn("{}: table {} {} was changed by someone else ({}); restoring it", nodeName, RulesetRenderer.FAMILY,
        RulesetRenderer.TABLE, what.size() <= 5 ? what : what.subList(0, 5) + " and " + (what.size() - 5) + " more");
    applier.resyncNext();
  }

  /**
   * Cuts live connections the new rules would refuse as new ones: a workload moved to enforce, or
   * an edge was revoked. nftables judges only new connections, so without this an approved-then-
   * revoked flow would live on. Judged by the same verdict as the kernel's, failsafe included.
   */
  private void tighten(NodeRules rules, ConnectionVerdict.Names names) {
    if (conntrack == null) {
      return;
    }
    ConnectionVerdict verdict = new ConnectionVerdict(rules, names);
    for (ConntrackEvent e : conntrack.dump()) {
      AllowRect.Proto proto;
      try {
        proto = AllowRect.Proto.valueOf(Protocol.ofNumber(e.protocol()).name());
      } catch (IllegalArgumentException ex) {
        continue;
      }
      // judged on the real endpoint (reply source), as the forward hook sees it after DNAT;
      // deleted by its original tuple
      if (!verdict.involvesRestricted(e.src(), e.server())
          || verdict.allows(e.src(), e.server(), proto, e.serverPort())) {
        continue;
      }
      int n = conntrack.delete(ConntrackFilter.any().withSrc(e.src()).withDst(e.dst()).withProtocol(e.protocol())
          .withDstPort(e.dstPort()));
      if (n > 0) {
        cut.addAndGet(n);
        LOG.info("{}: cut {} live connection(s) {} -> {}:{}/{} that the policy no longer allows", nodeName, n, e.src(),
            e.dst(), e.dstPort(), proto);
      }
    }
  }

  /** The last apply's steps. */
  Steps lastSteps() {
    return lastSteps;
  }

  long connectionsCut() {
    return cut.get();
  }

  /** Times the table was found changed by someone else and rewritten. */
  long repairs() {
    return repairs.get();
  }

  /** Full rewrites of the table (the first write included). */
  long resyncs() {
    return applier.fullWrites();
  }

  /** Elements of each set and map last applied, by name (empty before the first apply); any thread. */
  java.util.Map<String, Integer> elementsBySet() {
    DesiredRuleset d = lastDesired;
    java.util.Map<String, Integer> out = new java.util.TreeMap<>();
    if (d != null) {
      d.sets().forEach((name, s) -> out.put(name, s.elements().size()));
    }
    return out;
  }

  long applyFailures() {
    return applier.failures();
  }

  /** The longest single nftables commit since the agent started, in nanoseconds; any thread. */
  long longestCommitNanos() {
    return applier.longestCommitNanos();
  }

  /** nftables transactions committed since the agent started; any thread. */
  long commits() {
    return applier.commits();
  }
}
