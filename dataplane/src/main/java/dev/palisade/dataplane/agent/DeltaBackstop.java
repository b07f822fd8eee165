package dev.palisade.dataplane.agent;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backstop of delta-driven syncs: every {@code every}, the result a sync computed from pod
 * deltas is compared with a from-scratch computation (a fresh calculator over every pod) on the
 * same snapshot. A difference means a change was missed (an event lost, a relist not told, a bug):
 * it is logged and counted (palisade_agent_delta_mismatches_total), and the caller rebuilds its
 * state from every pod, so the full result wins. Only the agent's sync thread calls it.
 */
final class DeltaBackstop {
  private static final Logger LOG = LoggerFactory.getLogger(DeltaBackstop.class);

  private final String nodeName;
  private final long everyNanos;
  private final LongSupplier clock;
  private long last;
  private volatile long checks;
  private volatile long mismatches;

  DeltaBackstop(String nodeName, Duration every, LongSupplier clock) {
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("the full recompute's period must be positive, not " + every);
    }
    this.nodeName = nodeName;
    this.everyNanos = every.toNanos();
    this.clock = clock;
    this.last = clock.getAsLong();
  }

  /** True when a comparison is due (then the caller computes from scratch and calls {@link #agrees}). */
  boolean due() {
    return clock.getAsLong() - last >= everyNanos;
  }

  /**
   * Compares what the deltas gave with what every pod gives; true if they agree. On a difference
   * the caller must use a computation over every pod instead.
   */
  boolean agrees(NodeRulesCalculator.Result fromDeltas, NodeRulesCalculator.Result full) {
    last = clock.getAsLong();
    checks++;
    String differs = !full.rules().equals(fromDeltas.rules()) ? "rules"
        : !full.localIdentity().equals(fromDeltas.localIdentity()) ? "local pods"
        : !full.podIps().equals(fromDeltas.podIps()) ? "pod addresses"
        : !full.announcedInStatus().equals(fromDeltas.announcedInStatus()) ? "announced pods" : null;
    if (differs == null) {
      return true;
    }
    mismatches++;
    LOG.error("{}: the sync computed from pod changes differs from a full recompute ({}): a change was missed; "
        + "every pod is read again and the full result is applied", nodeName, differs);
    return false;
  }

  long checks() {
    return checks;
  }

  /** Comparisons that found a difference. */
  long mismatches() {
    return mismatches;
  }
}
