package dev.palisade.model.cnp;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Optional;

/**
 * One cluster-scoped policy kind of policy.networking.k8s.io that Palisade reads: the
 * ClusterNetworkPolicy and the two v1alpha1 kinds it replaced. The one list of them, so the
 * agents, the controller's guardrails and the lab's API server cannot disagree on which exist.
 */
/** @param shortName as upstream's CRD declares it (kubectl get cnp) */
public record ClusterPolicyKind(String version, String kind, String plural, String shortName) {
  public static final List<ClusterPolicyKind> ALL = List.of(
      new ClusterPolicyKind(ClusterNetworkPolicy.VERSION, ClusterNetworkPolicy.KIND, ClusterNetworkPolicy.PLURAL, "cnp"),
      new ClusterPolicyKind("v1alpha1", LegacyPolicies.ADMIN, "adminnetworkpolicies", "anp"),
      new ClusterPolicyKind("v1alpha1", LegacyPolicies.BASELINE, "baselineadminnetworkpolicies", "banp"));

  /** The kind named {@code kind}, if it is one of them. */
  public static Optional<ClusterPolicyKind> named(String kind) {
    return ALL.stream().filter(k -> k.kind().equals(kind)).findFirst();
  }

  public String group() {
    return ClusterNetworkPolicy.GROUP;
  }

  /** How a generic client addresses it. */
  public ResourceDefinitionContext context() {
    return new ResourceDefinitionContext.Builder().withGroup(group()).withVersion(version).withKind(kind)
        .withPlural(plural).withNamespaced(false).build();
  }
}
