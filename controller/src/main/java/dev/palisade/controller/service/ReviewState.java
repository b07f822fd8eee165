package dev.palisade.controller.service;

import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.identity.WorkloadIndex;
import dev.palisade.controller.review.ReviewEndpoints;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.SegmentationMode;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** What the review endpoints read of the controller: its graph, labels, modes and informers' stores (loop thread). */
final class ReviewState implements ReviewEndpoints.Backend {
  private final ControllerLoop loop;
  private final FlowGraph graph;
  private final WorkloadIndex workloads;
  private final ClusterCache cluster;
  private final Mode defaultMode;
  private final KubernetesClient client;

  ReviewState(ControllerLoop loop, FlowGraph graph, WorkloadIndex workloads, ClusterCache cluster, Mode defaultMode,
      KubernetesClient client) {
    this.loop = loop;
    this.graph = graph;
    this.workloads = workloads;
    this.cluster = cluster;
    this.defaultMode = defaultMode;
    this.client = client;
  }

  @Override
  public <T> T onLoop(Callable<T> c) {
    return loop.call(c);
  }

  @Override
  public FlowGraph graph() {
    return graph;
  }

  @Override
  public boolean namespaceExists(String namespace) {
    return cluster.namespaceExists(namespace);
  }

  @Override
  public boolean workloadExists(String namespace, String kind, String name) {
    return cluster.workloadExists(namespace, kind, name);
  }

  @Override
  public Map<String, String> labelsOf(String vertex) {
    return workloads.labelsOf(vertex);
  }

  @Override
  public List<SegmentationMode> modes() {
    return cluster.modes();
  }

  @Override
  public Mode defaultMode() {
    return defaultMode;
  }

  @Override
  public KubernetesClient client() {
    return client;
  }
}
