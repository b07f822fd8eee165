package dev.palisade.lab.ci;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The judgement of {@code palisade ci}, pure: observed edges against the baseline. A failed
 * connection is the manifests' NetworkPolicy (monitor mode drops nothing), which outranks the
 * baseline: an approved call that cannot happen is still a broken change. Otherwise a rejected
 * edge is forbidden, an approved one passes, anything else is new; approved edges the traffic
 * never made are listed as a warning.
 */
public final class EdgeClassifier {
  private EdgeClassifier() {}

  /** One finding per edge, worst verdict first, then by edge; no org guardrails. */
  public static List<Finding> classify(List<ObservedEdge> observed, Baseline baseline) {
    return classify(observed, baseline, OrgGuardrails.NONE);
  }

  /**
   * As above, with the org's guardrails first: one that forbids an edge makes it forbidden
   * whatever the baseline says (the kernel drops it); one that accepts it approves it unless the
   * baseline rejects it.
   */
  public static List<Finding> classify(List<ObservedEdge> observed, Baseline baseline, OrgGuardrails guardrails) {
    Map<CiEdge, ObservedEdge> byEdge = new TreeMap<>();
    for (ObservedEdge o : observed) {
      byEdge.merge(o.edge(), o, ObservedEdge::plus);
    }
    List<Finding> out = new ArrayList<>();
    for (ObservedEdge o : byEdge.values()) {
      CiEdge e = o.edge();
      if (guardrails.forbidden().containsKey(e)) {
        // the org forbids it: the kernel drops it (a failure is that Deny), and no approval lifts it
        out.add(new Finding(e, Verdict.FORBIDDEN, o, guardrails.forbidden().get(e)));
      } else if (o.failed() > 0) {
        out.add(new Finding(e, Verdict.DROPPED, o, decided(baseline.approved(), e)));
      } else if (decided(baseline.rejected(), e) != null) {
        out.add(new Finding(e, Verdict.FORBIDDEN, o, decided(baseline.rejected(), e)));
      } else if (guardrails.accepted().containsKey(e) && decided(baseline.approved(), e) == null) {
        out.add(new Finding(e, Verdict.APPROVED, o, guardrails.accepted().get(e)));
      } else if (decided(baseline.approved(), e) != null) {
        out.add(new Finding(e, Verdict.APPROVED, o, decided(baseline.approved(), e)));
      } else {
        out.add(new Finding(e, Verdict.NEW, o, null));
      }
    }
    baseline.approved().forEach((e, file) -> {
      if (byEdge.keySet().stream().noneMatch(seen -> covers(e, seen))) {
        out.add(new Finding(e, Verdict.NOT_EXERCISED, null, file));
      }
    });
    out.sort(Comparator.comparing(Finding::verdict).thenComparing(Finding::edge));
    return out;
  }

  /**
   * The file that decided {@code e}: the baseline edge that names it or covers it, as the
   * controller reads an ApprovedGraph (a name pattern covers the names it matches, a range its
   * addresses; same port and protocol); null if none.
   */
  static String decided(Map<CiEdge, String> baseline, CiEdge e) {
    String exact = baseline.get(e);
    if (exact != null) {
      return exact;
    }
    for (var b : baseline.entrySet()) {
      if (covers(b.getKey(), e)) {
        return b.getValue();
      }
    }
    return null;
  }

  static boolean covers(CiEdge wide, CiEdge e) {
    return wide.port() == e.port() && wide.protocol() == e.protocol() && covers(wide.from(), e.from())
        && covers(wide.to(), e.to());
  }

  private static boolean covers(String end, String vertex) {
    if (end.equals(vertex)) {
      return true;
    }
    var w = dev.palisade.controller.graph.OutsideVertex.of(end);
    var v = dev.palisade.controller.graph.OutsideVertex.of(vertex);
    return w.isPresent() && v.isPresent() && w.get().covers(v.get());
  }

  /**
   * The exit code: the worst verdict's (2 forbidden or dropped, 1 new, 0 pass), limited by
   * {@code --fail-on}: {@code forbidden} lets new edges pass, {@code never} always passes.
   */
  public static int exitCode(List<Finding> findings, FailOn failOn) {
    int worst = findings.stream().mapToInt(f -> f.verdict().exitCode()).max().orElse(0);
    return switch (failOn) {
      case NEW -> worst;
      case FORBIDDEN -> worst >= 2 ? worst : 0;
      case NEVER -> 0;
    };
  }

  /** --fail-on: the least severe verdict that fails the run. */
  public enum FailOn {
    NEW, FORBIDDEN, NEVER;

    public static FailOn parse(String text) {
      try {
        return valueOf(text.strip().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new CiInputException("--fail-on: must be new, forbidden or never, not '" + text + "'");
      }
    }
  }
}
