package dev.palisade.controller.service;

import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.identity.WorkloadIndex;
import dev.palisade.controller.publish.AllowListPublisher;
import dev.palisade.model.Mode;
import dev.palisade.model.WorkloadRef;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What the allow-lists are compiled from: identities from the workload index, modes and the edges
 * in force from the wiring (the mode index and the overlays of git and the guardrails are made at
 * sync, after the publisher). Loop thread only.
 */
final class CompileInputs implements AllowListPublisher.Sources {
  private final WorkloadIndex workloads;
  private final Function<WorkloadRef, Mode> modeOf;
  private final Function<Set<String>, Collection<EdgeView>> edgesInForce;
  private final Mode defaultMode;

  /**
   * @param modeOf a known workload's mode (the default for an identity with no workload)
   * @param edgesInForce the edges touching these vertices, with the status in force
   */
  CompileInputs(WorkloadIndex workloads, Function<WorkloadRef, Mode> modeOf,
      Function<Set<String>, Collection<EdgeView>> edgesInForce, Mode defaultMode) {
    this.workloads = workloads;
    this.modeOf = modeOf;
    this.edgesInForce = edgesInForce;
    this.defaultMode = defaultMode;
  }

  @Override
  public Optional<Long> identityOf(String vertex) {
    return workloads.identityOf(vertex);
  }

  @Override
  public String vertexOf(long identity) {
    return workloads.vertexOf(identity);
  }

  @Override
  public Optional<WorkloadRef> workload(long identity) {
    return workloads.workload(identity);
  }

  @Override
  public Mode modeOf(long identity) {
    return workloads.workload(identity).map(modeOf).orElse(defaultMode);
  }

  @Override
  public Collection<EdgeView> edgesInForce(Set<String> vertices) {
    return edgesInForce.apply(vertices);
  }
}
