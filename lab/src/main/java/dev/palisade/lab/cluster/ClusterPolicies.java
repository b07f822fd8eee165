package dev.palisade.lab.cluster;

import dev.palisade.model.cnp.ClusterNetworkPolicy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * ClusterNetworkPolicy objects (and the v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy) (policy.networking.k8s.io/v1alpha2, cluster-scoped) through a
 * client: upstream has no fabric8 model class, so they travel as generic resources; the agents
 * read them with the model's strict reader.
 */
final class ClusterPolicies {
  static final String KIND = ClusterNetworkPolicy.KIND;
  /** Each cluster-scoped policy kind: version and plural. */
  static final java.util.Map<String, String[]> KINDS = java.util.Map.of(
      ClusterNetworkPolicy.KIND, new String[] {ClusterNetworkPolicy.VERSION, ClusterNetworkPolicy.PLURAL},
      "AdminNetworkPolicy", new String[] {"v1alpha1", "adminnetworkpolicies"},
      "BaselineAdminNetworkPolicy", new String[] {"v1alpha1", "baselineadminnetworkpolicies"});

  private ClusterPolicies() {}

  static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> of(KubernetesClient client) {
    return of(client, ClusterNetworkPolicy.KIND);
  }

  static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> of(KubernetesClient client, String kind) {
    String[] vp = KINDS.get(kind);
    return client.genericKubernetesResources(new ResourceDefinitionContext.Builder()
        .withGroup(ClusterNetworkPolicy.GROUP).withVersion(vp[0]).withKind(kind).withPlural(vp[1])
        .withNamespaced(false).build());
  }

  /** Every cluster-scoped policy of every kind, as the agents hold them together. */
  static java.util.List<GenericKubernetesResource> all(KubernetesClient client) {
    java.util.List<GenericKubernetesResource> out = new java.util.ArrayList<>();
    KINDS.keySet().forEach(k -> out.addAll(of(client, k).list().getItems()));
    return out;
  }
}
