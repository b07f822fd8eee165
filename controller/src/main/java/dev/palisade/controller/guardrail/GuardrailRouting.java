package dev.palisade.controller.guardrail;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.review.AuditLog;
import dev.palisade.model.crd.ReviewAuditSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guardrail verdicts in force, and the only way they change: through the audit log. An
 * auto-approval is a decision like a reviewer's, so it takes effect only once its entry (naming
 * the policy and rule) is written; a forbid takes effect at once (it only narrows what passes) and
 * its entry is written with it, retried on the next round if the write failed. At start the
 * verdicts are read back from the log, so a restarted controller enforces what it had decided
 * before it judges again. Loop thread only.
 *
 * <p>The verdicts are laid over the graph's own review statuses where allow-lists are compiled and
 * where the API shows an edge, as git approvals are ({@code ApprovedGraphIndex}): a forbidden edge
 * compiles as rejected whatever a reviewer said; an accepted one as approved unless a reviewer
 * rejected it (a human's no is kept; the Admin Accept still lets the kernel pass it on its side).
 */
public final class GuardrailRouting {
  private static final Logger LOG = LoggerFactory.getLogger(GuardrailRouting.class);
  public static final String APPROVE = "guardrail-approve";
  public static final String FORBID = "guardrail-forbid";
  /** An edge no rule accepts or forbids any more: back to review. */
  public static final String RELEASE = "guardrail-release";
  /** Who the entries name: the controller, acting on the org's policies. */
  static final String WHO = "palisade-controller (guardrail)";

  private final AuditLog audit;
  /** Audited verdicts: ACCEPT and FORBID only (and a FORBID whose entry is still owed). */
  private final Map<EdgeKey, Guardrail> inForce = new HashMap<>();
  /** Forbids in force whose audit entry could not be written yet, with the verdict before (null: review). */
  private final Map<EdgeKey, Guardrail> owed = new HashMap<>();
  /** What the last judgement said of every judged edge, REVIEW with its Pass rule included: for display. */
  private final Map<EdgeKey, Guardrail> judged = new HashMap<>();

  public GuardrailRouting(AuditLog audit) {
    this.audit = audit;
    for (ReviewAuditSpec e : audit.entries()) {
      if (e.edges == null || !audit.complete(e)) {
        continue;
      }
      for (ReviewAuditSpec.Edge edge : e.edges) {
        EdgeKey key;
        try {
          key = EdgeKey.parseText(edge.edge);
        } catch (IllegalArgumentException ex) {
          continue;
        }
        switch (e.action) {
          case APPROVE -> inForce.put(key, new Guardrail(Guardrail.Verdict.ACCEPT, e.target));
          case FORBID -> inForce.put(key, new Guardrail(Guardrail.Verdict.FORBID, e.target));
          case RELEASE -> inForce.remove(key);
          default -> { }
        }
      }
    }
    judged.putAll(inForce);
  }

  /**
   * Takes a fresh judgement (edges absent from it keep their verdict) and writes what changed to
   * the audit log, one entry per verdict and rule.
   *
   * @return the edges whose verdict in force changed: their ends' allow-lists must be recompiled
   */
  public Set<EdgeKey> apply(Map<EdgeKey, Guardrail> fresh) {
    judged.putAll(fresh);
    Map<List<String>, List<EdgeKey>> groups = new LinkedHashMap<>();
    for (var e : fresh.entrySet()) {
      Guardrail now = e.getValue().verdict() == Guardrail.Verdict.REVIEW ? null : e.getValue();
      Guardrail before = inForce.get(e.getKey());
      if (Objects.equals(now, before) && !owed.containsKey(e.getKey())) {
        continue;
      }
      List<String> group = now == null ? List.of(RELEASE, before.rule())
          : List.of(now.verdict() == Guardrail.Verdict.ACCEPT ? APPROVE : FORBID, now.rule());
      groups.computeIfAbsent(group, g -> new ArrayList<>()).add(e.getKey());
    }
    Set<EdgeKey> changed = new HashSet<>();
    groups.forEach((group, keys) -> {
      String action = group.get(0);
      List<ReviewAuditSpec.Edge> edges = new ArrayList<>();
      for (EdgeKey k : keys) {
        Guardrail before = owed.containsKey(k) ? owed.get(k) : inForce.get(k);
        edges.add(new ReviewAuditSpec.Edge(k.text(), before == null ? "review" : before.text()));
      }
      if (action.equals(FORBID)) {
        // narrowing needs no permission: in force now, audited now or on a later round
        for (EdgeKey k : keys) {
          if (!fresh.get(k).equals(inForce.get(k))) {
            changed.add(k);
          }
          if (!owed.containsKey(k)) {
            owed.put(k, inForce.get(k));
          }
          inForce.put(k, fresh.get(k));
        }
      }
      try {
        audit.appendRouted(WHO, action, group.get(1), edges, action.equals(RELEASE) ? "review"
            : action.equals(APPROVE) ? "approved" : "forbidden");
      } catch (RuntimeException ex) {
        LOG.warn("guardrail {} of {} edge(s) by {} not recorded, tried again on the next round: {}", action,
            keys.size(), group.get(1), ex.getMessage());
        return; // an approval or release that is not audited does not happen
      }
      for (EdgeKey k : keys) {
        owed.remove(k);
        if (action.equals(APPROVE)) {
          inForce.put(k, fresh.get(k));
          changed.add(k);
        } else if (action.equals(RELEASE)) {
          inForce.remove(k);
          changed.add(k);
        }
      }
      LOG.info("guardrail: {} {} edge(s) by {}", action, keys.size(), group.get(1));
    });
    return changed;
  }

  /** Whether there are forbids whose audit entries are still owed (the caller retries later). */
  public boolean owesEntries() {
    return !owed.isEmpty();
  }

  /** The verdict in force, REVIEW (with the Pass rule, if one) when none. */
  public Guardrail of(EdgeKey key) {
    Guardrail g = inForce.get(key);
    if (g != null) {
      return g;
    }
    Guardrail j = judged.get(key);
    return j != null && j.verdict() == Guardrail.Verdict.REVIEW ? j : Guardrail.NONE;
  }

  /** The rule that forbids this edge, if one does. */
  public Optional<String> forbiddenBy(EdgeKey key) {
    Guardrail g = inForce.get(key);
    return g != null && g.verdict() == Guardrail.Verdict.FORBID ? Optional.of(g.rule()) : Optional.empty();
  }

  /** The edge's status once the verdicts are laid over the (git-overlaid) review status. */
  public EdgeStatus statusOf(EdgeKey key, EdgeStatus status) {
    Guardrail g = inForce.get(key);
    if (g == null) {
      return status;
    }
    if (g.verdict() == Guardrail.Verdict.FORBID) {
      return EdgeStatus.REJECTED;
    }
    return status == EdgeStatus.REJECTED ? status : EdgeStatus.APPROVED;
  }

  /** The edges as the compile step must see them. */
  public List<EdgeView> overlay(Collection<EdgeView> edges) {
    if (inForce.isEmpty()) {
      return List.copyOf(edges);
    }
    List<EdgeView> out = new ArrayList<>(edges.size());
    for (EdgeView v : edges) {
      EdgeStatus s = statusOf(v.key(), v.status());
      out.add(s == v.status() ? v : new EdgeView(v.key(), s, v.count(), v.firstSeen(), v.lastSeen(), v.violations(),
          v.sourcePods(), v.destinationPods()));
    }
    return out;
  }
}
