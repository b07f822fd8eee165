package dev.palisade.controller.persist;

import dev.palisade.controller.graph.OutsideVertex;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.LearnedFlows;
import dev.palisade.model.crd.LearnedFlowsSpec;

/**
 * Whose edges a run of LearnedFlows parts holds: a workload's own, out of it ({@code workload} is
 * the source), or an outside source's ({@code world}, an address, a range: ingress through a
 * NodePort or LoadBalancer) into one workload. Either way the parts are cut by
 * {@link LearnedFlowsParts}, named by {@link LearnedFlowsNames}, written last first and restored
 * alike, in the workload's namespace.
 *
 * <p>A stored object says its holder by what it holds: its source, and for an outside source the
 * workload every edge of it enters ({@link #of(LearnedFlows)}). That is the owner marker the writer
 * checks before it writes over an object, or deletes one: an object that names no holder, or
 * another, is someone else's.
 */
record LearnedFlowsHolder(String source, WorkloadRef workload) {
  private static final String ARROW = " -> ";

  /** {@code source}'s own edges (a workload, NS/KIND/NAME). */
  static LearnedFlowsHolder workload(String source) {
    return new LearnedFlowsHolder(source, WorkloadRef.parse(source));
  }

  /** The edges from the outside vertex {@code source} into the workload {@code destination}. */
  static LearnedFlowsHolder inbound(String source, String destination) {
    return new LearnedFlowsHolder(source, WorkloadRef.parse(destination));
  }

  /** Read back from {@link #text}. */
  static LearnedFlowsHolder parse(String text) {
    int arrow = text.indexOf(ARROW);
    return arrow < 0 ? workload(text) : inbound(text.substring(0, arrow), text.substring(arrow + ARROW.length()));
  }

  /**
   * The holder whose edges a stored object holds, by its source and edges; null when it names none:
   * no source, a source that is neither a workload nor outside, or an outside source whose edges do
   * not all enter one workload (none, or several: no object the writer makes).
   */
  static LearnedFlowsHolder of(LearnedFlows lf) {
    LearnedFlowsSpec spec = lf.getSpec();
    if (spec == null || spec.source == null) {
      return null;
    }
    try {
      if (isWorkload(spec.source)) {
        return workload(spec.source);
      }
      if (!OutsideVertex.isOutside(spec.source) || spec.edges == null || spec.edges.isEmpty()) {
        return null;
      }
      String into = spec.edges.get(0).destination;
      if (into == null || !isWorkload(into) || !spec.edges.stream().allMatch(e -> into.equals(e.destination))) {
        return null;
      }
      return inbound(spec.source, into);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static boolean isWorkload(String vertex) {
    return vertex.split("/").length == 3;
  }

  /** Whether these are an outside source's edges into {@link #workload}. */
  boolean isInbound() {
    return !source.equals(workload.toString());
  }

  /** Where its objects are: the workload's namespace. */
  String namespace() {
    return workload.namespace();
  }

  /** Its one spelling: the source, or SOURCE -> NS/KIND/NAME (no vertex name holds " -> "). */
  String text() {
    return isInbound() ? source + ARROW + workload : source;
  }

  @Override
  public String toString() {
    return text();
  }
}
