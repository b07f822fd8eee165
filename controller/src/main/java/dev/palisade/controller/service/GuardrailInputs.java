package dev.palisade.controller.service;

import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.guardrail.Guardrails;
import dev.palisade.controller.identity.WorkloadIndex;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What the org guardrails judge by, read from the controller's state on its loop: every edge, the
 * live pods of each workload (their labels select a guardrail's subjects and peers) and the
 * namespaces (their labels too). Pods in name order, so a judgement does not depend on hash order.
 */
final class GuardrailInputs implements Guardrails.Cluster {
  private final FlowGraph graph;
  private final WorkloadIndex workloads;
  private final ClusterCache cluster;

  GuardrailInputs(FlowGraph graph, WorkloadIndex workloads, ClusterCache cluster) {
    this.graph = graph;
    this.workloads = workloads;
    this.cluster = cluster;
  }

  @Override
  public Collection<EdgeKey> edges() {
    return graph.edges().stream().map(EdgeView::key).toList();
  }

  @Override
  public Map<String, List<Pod>> podsByWorkload() {
    Map<String, List<Pod>> out = new HashMap<>();
    workloads.podsByWorkload().forEach((w, keys) -> out.put(w.toString(), new TreeSet<>(keys).stream()
        .map(cluster::pod).filter(Objects::nonNull).toList()));
    return out;
  }

  @Override
  public List<Namespace> namespaces() {
    return cluster.namespaces();
  }
}
