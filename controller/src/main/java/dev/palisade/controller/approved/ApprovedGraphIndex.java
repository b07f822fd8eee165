package dev.palisade.controller.approved;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.graph.OutsideVertex;
import dev.palisade.model.crd.ApprovedGraph;
import dev.palisade.model.crd.ApprovedGraphSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The edges ApprovedGraph objects (the approved graph as code, from git) approve or reject, and
 * the overlay that makes the compile step honour them. Pure: objects in, an index value out; the
 * overlay is edges in, edges out. A git approval is an approval the review page did not make, so
 * it is kept apart from the flow graph's own status (which the review page owns) and laid over it
 * only where allow-lists are compiled and where the graph API says where an approval came from.
 * A rejection in git wins over an approval anywhere, as a rejection does on the page.
 *
 * <p>An edge may have an outside end ({@link ApprovedEdges}). One whose outside end widens (a name
 * pattern, a range) also decides the learned edges it covers on the same workload, port and
 * protocol, as the same decision on the review page does, so both compile to the same allow-list.
 */
public record ApprovedGraphIndex(Map<EdgeKey, String> approved, Map<EdgeKey, String> rejected) {
  public static final ApprovedGraphIndex EMPTY = new ApprovedGraphIndex(Map.of(), Map.of());
  private static final Comparator<EdgeKey> ORDER = Comparator.comparing(EdgeKey::source)
      .thenComparing(EdgeKey::destination).thenComparing(EdgeKey::protocol).thenComparingInt(EdgeKey::port);

  /**
   * The index of these objects; each edge maps to its origin {@code ApprovedGraph NS/NAME}. An
   * edge the API server's schema should have refused (a malformed workload) is reported and skipped.
   */
  public static ApprovedGraphIndex of(Collection<ApprovedGraph> objects, Consumer<String> problems) {
    Map<EdgeKey, String> approved = new TreeMap<>(ORDER);
    Map<EdgeKey, String> rejected = new TreeMap<>(ORDER);
    for (ApprovedGraph g : objects) {
      if (g.getSpec() == null) {
        continue;
      }
      String origin = "ApprovedGraph " + g.getMetadata().getNamespace() + "/" + g.getMetadata().getName();
      add(origin, "spec.edges", g.getSpec().edges, approved, problems);
      add(origin, "spec.rejected", g.getSpec().rejected, rejected, problems);
    }
    // a pattern or range compiles as one rule, which cannot leave out a rejected name or address
    // inside it (the review page refuses the same approval)
    approved.entrySet().removeIf(a -> rejected.keySet().stream()
        .filter(r -> !r.equals(a.getKey()) && covers(a.getKey(), r)).findFirst().map(r -> {
          problems.accept(a.getValue() + ": " + a.getKey().text() + " ignored: it covers the rejected edge " + r.text()
              + "; approve a narrower pattern or range");
          return true;
        }).orElse(false));
    return new ApprovedGraphIndex(approved, rejected);
  }

  private static void add(String origin, String field, List<ApprovedGraphSpec.Edge> edges, Map<EdgeKey, String> into,
      Consumer<String> problems) {
    if (edges == null) {
      return;
    }
    for (int i = 0; i < edges.size(); i++) {
      try {
        into.putIfAbsent(ApprovedEdges.key(edges.get(i)), origin);
      } catch (ApprovedEdges.BadEdge ex) {
        problems.accept(origin + ": " + field + "[" + i + "]." + ex.field() + " ignored: " + ex.getMessage());
      }
    }
  }

  /** Where the approval of an edge with this graph status comes from: git (this index), the review page, or none. */
  public String approvedBy(EdgeKey key, EdgeStatus status) {
    if (decidedBy(rejected, key) != null) {
      return null;
    }
    String origin = decidedBy(approved, key);
    if (origin != null) {
      return "git:" + origin;
    }
    return status == EdgeStatus.APPROVED ? "review" : null;
  }

  /** The edge's status once git's approvals and rejections are laid over the graph's own. */
  public EdgeStatus statusOf(EdgeKey key, EdgeStatus status) {
    return decidedBy(rejected, key) != null ? EdgeStatus.REJECTED
        : decidedBy(approved, key) != null ? EdgeStatus.APPROVED : status;
  }

  /** The origin of the edge in {@code decided} that names or covers {@code key}, or null. */
  private static String decidedBy(Map<EdgeKey, String> decided, EdgeKey key) {
    String exact = decided.get(key);
    if (exact != null || decided.isEmpty() || (ApprovedEdges.isWorkload(key.source())
        && ApprovedEdges.isWorkload(key.destination()))) {
      return exact;
    }
    for (var d : decided.entrySet()) {
      if (covers(d.getKey(), key)) {
        return d.getValue();
      }
    }
    return null;
  }

  /** Whether edge {@code wide} names or covers edge {@code key}: same port and protocol, each end covered. */
  private static boolean covers(EdgeKey wide, EdgeKey key) {
    return wide.port() == key.port() && wide.protocol() == key.protocol() && covers(wide.source(), key.source())
        && covers(wide.destination(), key.destination());
  }

  /** Whether an end in git names or covers a graph vertex (a pattern its names, a range its addresses). */
  private static boolean covers(String end, String vertex) {
    if (end.equals(vertex)) {
      return true;
    }
    var e = OutsideVertex.of(end);
    var v = OutsideVertex.of(vertex);
    return e.isPresent() && v.isPresent() && e.get().covers(v.get());
  }

  /**
   * The edges as the compile step must see them: git-approved ones approved, git-rejected ones
   * rejected, and git-approved edges between these vertices that traffic never made added (so an
   * edge approved in git is allowed before its first connection, as under enforce mode it must be).
   */
  public List<EdgeView> overlay(Collection<EdgeView> edges, Set<String> vertices) {
    if (approved.isEmpty() && rejected.isEmpty()) {
      return List.copyOf(edges);
    }
    List<EdgeView> out = new ArrayList<>(edges.size());
    java.util.Set<EdgeKey> seen = new java.util.HashSet<>();
    for (EdgeView v : edges) {
      seen.add(v.key());
      EdgeStatus s = statusOf(v.key(), v.status());
      out.add(s == v.status() ? v : new EdgeView(v.key(), s, v.count(), v.firstSeen(), v.lastSeen(), v.violations(),
          v.sourcePods(), v.destinationPods()));
    }
    for (EdgeKey k : approved.keySet()) {
      if (!seen.contains(k) && decidedBy(rejected, k) == null
          && (vertices.contains(k.source()) || vertices.contains(k.destination()))) {
        out.add(new EdgeView(k, EdgeStatus.APPROVED, 0, 0, 0, 0, List.of(), List.of()));
      }
    }
    return out;
  }
}
