package dev.palisade.controller.approved;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.model.crd.ApprovedGraph;
import dev.palisade.model.crd.ApprovedGraphSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which review decisions contradict an ApprovedGraph object, and the change to commit in git
 * instead. An edge listed in git is owned by git: a page decision against it would either be
 * overridden at once (the overlay lays git over the graph) or be undone at the next GitOps sync,
 * so the page must not pretend to decide it. Pure: objects and a decision in, conflicts out, each
 * with the object's new YAML (the edge removed from {@code spec.edges}, moved to
 * {@code spec.rejected}, or moved back), ready to commit over the file in git.
 */
public final class GitOwnedEdges {
  /** One object the decision contradicts: NS/NAME, the edges it lists, and its YAML with the decision in it. */
  public record Conflict(String approvedGraph, List<EdgeKey> edges, String patch) {}

  private GitOwnedEdges() {}

  /**
   * The objects whose edges contradict giving these edges status {@code to}; empty when git agrees
   * (or says nothing) about every one. An edge contradicts git when git's overlay would give it
   * another status than {@code to}.
   */
  public static List<Conflict> conflicts(Collection<ApprovedGraph> objects, Collection<EdgeKey> keys, EdgeStatus to) {
    ApprovedGraphIndex index = ApprovedGraphIndex.of(objects, problem -> {}); // problems are the watch's to log
    Set<EdgeKey> contradicting = new LinkedHashSet<>();
    for (EdgeKey k : keys) {
      if (index.statusOf(k, to) != to) {
        contradicting.add(k);
      }
    }
    if (contradicting.isEmpty()) {
      return List.of();
    }
    List<Conflict> out = new ArrayList<>();
    List<ApprovedGraph> sorted = new ArrayList<>(objects);
    sorted.sort(Comparator.comparing((ApprovedGraph g) -> g.getMetadata().getNamespace())
        .thenComparing(g -> g.getMetadata().getName()));
    for (ApprovedGraph g : sorted) {
      if (g.getSpec() == null) {
        continue;
      }
      List<ApprovedGraphSpec.Edge> edges = new ArrayList<>(nonNull(g.getSpec().edges));
      List<ApprovedGraphSpec.Edge> rejected = new ArrayList<>(nonNull(g.getSpec().rejected));
      List<EdgeKey> touched = new ArrayList<>();
      for (EdgeKey k : contradicting) {
        if (apply(k, to, edges, rejected)) {
          touched.add(k);
        }
      }
      if (!touched.isEmpty()) {
        out.add(new Conflict(g.getMetadata().getNamespace() + "/" + g.getMetadata().getName(), touched,
            ApprovedGraphYaml.render(g.getMetadata().getNamespace(), g.getMetadata().getName(),
                g.getMetadata().getLabels(), edges, rejected)));
      }
    }
    return out;
  }

  /**
   * Puts the decision on one edge into one object's lists, keeping each entry as written
   * (provenance included) when it moves between them; whether the object lists the edge.
   */
  private static boolean apply(EdgeKey k, EdgeStatus to, List<ApprovedGraphSpec.Edge> edges,
      List<ApprovedGraphSpec.Edge> rejected) {
    List<ApprovedGraphSpec.Edge> inEdges = matching(k, edges);
    List<ApprovedGraphSpec.Edge> inRejected = matching(k, rejected);
    if (inEdges.isEmpty() && inRejected.isEmpty()) {
      return false;
    }
    if (to != EdgeStatus.APPROVED) {
      edges.removeAll(inEdges);
      if (to == EdgeStatus.REJECTED && inRejected.isEmpty()) {
        rejected.add(inEdges.get(0));
      }
    }
    if (to != EdgeStatus.REJECTED) {
      rejected.removeAll(inRejected);
      if (to == EdgeStatus.APPROVED && inEdges.isEmpty()) {
        edges.add(inRejected.get(0));
      }
    }
    return true;
  }

  private static List<ApprovedGraphSpec.Edge> matching(EdgeKey k, List<ApprovedGraphSpec.Edge> list) {
    List<ApprovedGraphSpec.Edge> out = new ArrayList<>();
    for (ApprovedGraphSpec.Edge e : list) {
      try {
        if (ApprovedEdges.key(e).equals(k)) {
          out.add(e);
        }
      } catch (IllegalArgumentException malformed) {
        // never counted by the index either; kept in the file as it is
      }
    }
    return out;
  }

  private static <T> List<T> nonNull(List<T> l) {
    return l == null ? List.of() : l;
  }
}
