package dev.palisade.dataplane.agent;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

import dev.palisade.model.Mode;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.WorkloadIdentity;
import dev.palisade.model.workload.OwnerLookup;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;

/**
 * What the agent's informers held at one moment, as the pure {@link NodeRulesCalculator} reads
 * it. Lists are the informers' own (never mutated: an informer replaces objects, it does not
 * change them). {@code clusterDefault} is the mode the controller published for workloads no
 * SegmentationMode or annotation covers; null while the agent has not seen it.
 * {@code workloadModeAnnotations} is whether the controller honours {@code palisade.dev/mode} on
 * root owners (its published setting; false, the stricter reading, unless it says so).
 */
public record ClusterSnapshot(
    List<Pod> pods,
    OwnerLookup owners,
    List<WorkloadIdentity> identities,
    List<AllowList> allowLists,
    List<NetworkPolicy> networkPolicies,
    List<SegmentationMode> modes,
    List<Namespace> namespaces,
    List<Node> nodes,
    List<Service> services,
    List<EndpointSlice> slices,
    Mode clusterDefault,
    List<GenericKubernetesResource> clusterPolicies,
    boolean workloadModeAnnotations) {

  /** Workload mode annotations not honoured. */
  public ClusterSnapshot(List<Pod> pods, OwnerLookup owners, List<WorkloadIdentity> identities, List<AllowList> allowLists,
      List<NetworkPolicy> networkPolicies, List<SegmentationMode> modes, List<Namespace> namespaces, List<Node> nodes,
      List<Service> services, List<EndpointSlice> slices, Mode clusterDefault,
      List<GenericKubernetesResource> clusterPolicies) {
    this(pods, owners, identities, allowLists, networkPolicies, modes, namespaces, nodes, services, slices,
        clusterDefault, clusterPolicies, false);
  }

  /** Without cluster network policies (the API server serves none, or a test needs none). */
  public ClusterSnapshot(List<Pod> pods, OwnerLookup owners, List<WorkloadIdentity> identities, List<AllowList> allowLists,
      List<NetworkPolicy> networkPolicies, List<SegmentationMode> modes, List<Namespace> namespaces, List<Node> nodes,
      List<Service> services, List<EndpointSlice> slices, Mode clusterDefault) {
    this(pods, owners, identities, allowLists, networkPolicies, modes, namespaces, nodes, services, slices,
        clusterDefault, List.of());
  }
}
