package dev.palisade.controller.ingest;

import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.persist.LearnedFlowsWriter;
import dev.palisade.model.FlowReport;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * An agent's flow report ({@code POST /v1/flows}) -> the flow graph: vetted first (only what the
 * reporting node can have seen is learned: {@link FlowVetting}), then ingested, the new edges
 * handed to the org guardrails, the sources marked for the batched LearnedFlows save. Refused
 * records are counted by reason for {@code /v1/status}. Called on the controller's loop thread.
 */
public final class FlowIntake {
  /** What one report did. */
  public record Ingested(FlowVetting.Verdict verdict, int newEdges) {}

  private final FlowGraph graph;
  private final LearnedFlowsWriter learned;
  private final LongFunction<String> vertexOf;
  private final Function<String, FlowVetting.PodFacts> podFacts;
  private final Runnable newEdges;
  private final Map<FlowVetting.Reason, Long> refused = new EnumMap<>(FlowVetting.Reason.class);

  /**
   * @param podFacts a pod's node and identity by NS/NAME (null if unknown)
   * @param newEdges told when a report added edges (the guardrails judge them before a reviewer sees them)
   */
  public FlowIntake(FlowGraph graph, LearnedFlowsWriter learned, LongFunction<String> vertexOf,
      Function<String, FlowVetting.PodFacts> podFacts, Runnable newEdges) {
    this.graph = graph;
    this.learned = learned;
    this.vertexOf = vertexOf;
    this.podFacts = podFacts;
    this.newEdges = newEdges;
  }

  /** One report, already authenticated as coming from {@code report.node()}, at {@code nowMillis}. */
  public Ingested ingest(FlowReport report, long nowMillis) {
    // only what this node can have seen teaches the graph (learning is the allow-list to be)
    FlowVetting.Verdict v = FlowVetting.vet(report, podFacts::apply, nowMillis);
    FlowReport kept = new FlowReport(report.node(), report.sequence(), v.accepted());
    int added = graph.ingest(kept, vertexOf).size();
    if (added > 0) {
      newEdges.run();
    }
    // both ends: an edge from outside (world, a CIDR) into a workload is saved with the workload
    kept.flows().forEach(f -> learned.dirty(vertexOf.apply(f.key().source()), vertexOf.apply(f.key().destination())));
    learned.flushSoon();
    v.refused().forEach((why, n) -> refused.merge(why, (long) n, Long::sum));
    return new Ingested(v, added);
  }

  /** Refused records so far by reason, as a JSON object's members' text. */
  public String refusedJson() {
    return "{" + refused.entrySet().stream().map(e -> "\"" + e.getKey().label() + "\":" + e.getValue())
        .collect(Collectors.joining(",")) + "}";
  }
}
