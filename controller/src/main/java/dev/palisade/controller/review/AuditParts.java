package dev.palisade.controller.review;

import dev.palisade.model.crd.ReviewAuditSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits a decision whose edge list is too big for one Kubernetes object into parts, and joins the
 * parts read back into the decision.
 *
 * <p>The parts share the decision's {@code seq} and say {@code part}/{@code parts}, rather than
 * taking consecutive numbers under a separate decision id: the sequence stays one number per
 * decision, so the log, the page and the CLI keep counting decisions, and grouping by {@code seq}
 * is all a reader needs to put a decision back together.
 */
final class AuditParts {
  /**
   * What an edge adds to an object beyond its two strings: {@code {"edge":"","before":""},} is 24
   * characters; the rest is margin for the API server escaping the {@code >} of "->" as \u003e.
   */
  private static final int EDGE_OVERHEAD = 32;

  private AuditParts() {}

  /**
   * The objects to write for {@code decision}: itself when its edges fit {@code edgeBytes}, else
   * copies of its header each carrying a run of edges that fits (at least one edge each, so an edge
   * larger than the budget still gets written). Names are DNS labels and statuses ASCII words, so a
   * string's length is its size in bytes.
   */
  static List<ReviewAuditSpec> split(ReviewAuditSpec decision, int edgeBytes) {
    List<List<ReviewAuditSpec.Edge>> runs = new ArrayList<>();
    List<ReviewAuditSpec.Edge> run = new ArrayList<>();
    long used = 0;
    for (ReviewAuditSpec.Edge e : decision.edges == null ? List.<ReviewAuditSpec.Edge>of() : decision.edges) {
      long size = e.edge.length() + (e.before == null ? 0 : e.before.length()) + EDGE_OVERHEAD;
      if (!run.isEmpty() && used + size > edgeBytes) {
        runs.add(run);
        run = new ArrayList<>();
        used = 0;
      }
      run.add(e);
      used += size;
    }
    if (runs.isEmpty()) {
      return List.of(decision);
    }
    runs.add(run);
    List<ReviewAuditSpec> parts = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      ReviewAuditSpec p = header(decision);
      p.edges = runs.get(i);
      p.part = i + 1;
      p.parts = runs.size();
      parts.add(p);
    }
    return parts;
  }

  /** The decision the given objects (all with one {@code seq}) were split from, edges in their original order. */
  static ReviewAuditSpec join(List<ReviewAuditSpec> parts) {
    if (parts.size() == 1 && parts.get(0).part == null) {
      return parts.get(0);
    }
    List<ReviewAuditSpec> ordered = new ArrayList<>(parts);
    ordered.sort(Comparator.comparingInt(p -> p.part == null ? 0 : p.part));
    ReviewAuditSpec d = header(ordered.get(0));
    d.edges = new ArrayList<>();
    for (ReviewAuditSpec p : ordered) {
      if (p.edges != null) {
        d.edges.addAll(p.edges);
      }
    }
    return d;
  }

  /** True when fewer parts were read than were written (the controller stopped between two parts). */
  static boolean incomplete(List<ReviewAuditSpec> parts) {
    Integer expected = parts.get(0).parts;
    return expected != null && parts.size() < expected;
  }

  private static ReviewAuditSpec header(ReviewAuditSpec d) {
    ReviewAuditSpec h = new ReviewAuditSpec();
    h.seq = d.seq;
    h.time = d.time;
    h.who = d.who;
    h.role = d.role;
    h.action = d.action;
    h.target = d.target;
    h.before = d.before;
    h.after = d.after;
    h.requestId = d.requestId;
    return h;
  }
}
