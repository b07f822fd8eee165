package dev.palisade.controller.review;

import dev.palisade.model.crd.GraphSnapshotSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed between two states of the graph, edge by edge: added, removed, and changed (status
 * moved, for example learned -> approved, or the edge gained traffic). Pure.
 */
public record GraphDiff(List<GraphSnapshotSpec.Edge> added, List<GraphSnapshotSpec.Edge> removed,
    List<Change> changed) {

  /** One edge present in both, with its state before and now. */
  public record Change(GraphSnapshotSpec.Edge before, GraphSnapshotSpec.Edge now) {}

  public static GraphDiff between(List<GraphSnapshotSpec.Edge> before, List<GraphSnapshotSpec.Edge> now) {
    Map<String, GraphSnapshotSpec.Edge> old = index(before);
    Map<String, GraphSnapshotSpec.Edge> fresh = index(now);
    List<GraphSnapshotSpec.Edge> added = new ArrayList<>();
    List<Change> changed = new ArrayList<>();
    for (var e : fresh.entrySet()) {
      GraphSnapshotSpec.Edge was = old.get(e.getKey());
      if (was == null) {
        added.add(e.getValue());
      } else if (!was.status.equals(e.getValue().status) || was.count != e.getValue().count) {
        changed.add(new Change(was, e.getValue()));
      }
    }
    List<GraphSnapshotSpec.Edge> removed = new ArrayList<>();
    for (var e : old.entrySet()) {
      if (!fresh.containsKey(e.getKey())) {
        removed.add(e.getValue());
      }
    }
    return new GraphDiff(added, removed, changed);
  }

  /** The edge's identity: source, destination, protocol and port (status and count are its state). */
  public static String key(GraphSnapshotSpec.Edge e) {
    return e.source + " -> " + e.destination + " " + e.port + "/" + e.protocol;
  }

  private static Map<String, GraphSnapshotSpec.Edge> index(List<GraphSnapshotSpec.Edge> edges) {
    Map<String, GraphSnapshotSpec.Edge> m = new LinkedHashMap<>();
    edges.stream().sorted(Comparator.comparing(GraphDiff::key)).forEach(e -> m.put(key(e), e));
    return m;
  }
}
