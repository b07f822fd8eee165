package dev.palisade.controller.service;

import dev.palisade.dataplane.agent.ClusterSnapshot;
import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the agents' informers hold, read from the API server now, for {@code GET /v1/why}: a
 * question asked right after a change must see the change, which the controller's own informers
 * may not have delivered yet. Runs on the caller's thread (a viewer's), never on the loop.
 */
final class ClusterReads {
  private final KubernetesClient client;
  private final Mode defaultMode;
  /** The cluster policies as the controller's informers hold them (the agents' tiers). */
  private final Supplier<List<GenericKubernetesResource>> clusterPolicies;
  private final boolean workloadModeAnnotations;

  ClusterReads(KubernetesClient client, Mode defaultMode, Supplier<List<GenericKubernetesResource>> clusterPolicies,
      boolean workloadModeAnnotations) {
    this.client = client;
    this.defaultMode = defaultMode;
    this.clusterPolicies = clusterPolicies;
    this.workloadModeAnnotations = workloadModeAnnotations;
  }

  ClusterSnapshot now() {
    return new ClusterSnapshot(all(Pod.class), this::owner, all(WorkloadIdentity.class), all(AllowList.class),
        all(NetworkPolicy.class), all(SegmentationMode.class), client.resources(Namespace.class).list().getItems(),
        client.resources(Node.class).list().getItems(), all(Service.class), all(EndpointSlice.class),
        defaultMode == null ? Mode.ENFORCE : defaultMode, clusterPolicies.get(), workloadModeAnnotations);
  }

  private Optional<HasMetadata> owner(String ns, String kind, String name) {
    Class<? extends HasMetadata> type = switch (kind) {
      case "ReplicaSet" -> ReplicaSet.class;
      case "Job" -> Job.class;
      default -> null; // as the agent: only these owners are looked up, the rest is the owner reference
    };
    return type == null ? Optional.empty()
        : Optional.ofNullable(client.resources(type).inNamespace(ns).withName(name).get());
  }

  private <T extends HasMetadata> List<T> all(Class<T> kind) {
    return client.resources(kind).inAnyNamespace().list().getItems();
  }
}
