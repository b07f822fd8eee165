package dev.palisade.controller.export;

import dev.palisade.controller.graph.FlowGraph.EdgeView;
import java.util.Comparator;
import java.util.List;
import org.jgrapht.Graph;
import org.jgrapht.graph.DirectedPseudograph;

/**
 * A copy of the flow graph whose vertex and edge sets iterate in a fixed order. The jgrapht
 * exporters write in iteration order, and {@code FlowGraph.copy()} iterates a hash map, so without
 * this the same graph could export as different text from one call to the next.
 */
final class SortedGraph {
  static final Comparator<EdgeView> EDGE_ORDER = Comparator
      .comparing((EdgeView e) -> e.key().source())
      .thenComparing(e -> e.key().destination())
      .thenComparing(e -> e.key().protocol())
      .thenComparingInt(e -> e.key().port());

  private SortedGraph() {}

  static Graph<String, EdgeView> of(Graph<String, EdgeView> graph) {
    DirectedPseudograph<String, EdgeView> sorted = new DirectedPseudograph<>(null, null, false);
    graph.vertexSet().stream().sorted().forEach(sorted::addVertex);
    List<EdgeView> edges = graph.edgeSet().stream().sorted(EDGE_ORDER).toList();
    for (EdgeView e : edges) {
      sorted.addEdge(graph.getEdgeSource(e), graph.getEdgeTarget(e), e);
    }
    return sorted;
  }
}
