package dev.palisade.controller.service;

import dev.palisade.controller.review.ModeDecisions;
import dev.palisade.model.crd.SegmentationMode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.List;

/** What a mode decision reads (the informers' stores, loop thread) and writes (the API server) of the cluster. */
final class ModeTargets implements ModeDecisions.Cluster {
  private final ClusterCache cluster;
  private final KubernetesClient client;

  ModeTargets(ClusterCache cluster, KubernetesClient client) {
    this.cluster = cluster;
    this.client = client;
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
  public List<SegmentationMode> modes() {
    return cluster.modes();
  }

  @Override
  public void write(SegmentationMode mode) {
    client.resources(SegmentationMode.class).inNamespace(mode.getMetadata().getNamespace()).resource(mode)
        .createOr(NonDeletingOperation::update);
  }
}
