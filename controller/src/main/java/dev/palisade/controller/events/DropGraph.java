package dev.palisade.controller.events;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import java.util.function.LongFunction;

/**
 * What a drop is judged by, over the controller's graph: an edge is rejected when the status in
 * force says so (a reviewer's, under git's, under the org guardrails'), not when the graph's own
 * status does, because an agent drops by the allow-list compiled from the status in force.
 * Loop thread only, as the graph.
 */
public final class DropGraph implements DropIntake.Graph {
  /** The status in force of an edge, given the one the graph holds (the overlays of git and guardrails). */
  @FunctionalInterface
  public interface StatusInForce {
    EdgeStatus of(EdgeKey edge, EdgeStatus inGraph);
  }

  private final FlowGraph graph;
  private final LongFunction<String> vertexOf;
  private final StatusInForce inForce;

  public DropGraph(FlowGraph graph, LongFunction<String> vertexOf, StatusInForce inForce) {
    this.graph = graph;
    this.vertexOf = vertexOf;
    this.inForce = inForce;
  }

  @Override
  public String vertexOf(long identity) {
    return vertexOf.apply(identity);
  }

  @Override
  public boolean rejected(EdgeKey key) {
    return graph.edgesFrom(key.source()).stream()
        .anyMatch(v -> v.key().equals(key) && inForce.of(key, v.status()) == EdgeStatus.REJECTED);
  }

  @Override
  public void violation(EdgeKey key) {
    graph.violation(key, 1);
  }
}
