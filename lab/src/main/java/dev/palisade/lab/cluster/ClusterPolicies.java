package dev.palisade.lab.cluster;

import dev.palisade.model.cnp.ClusterNetworkPolicy;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * ClusterNetworkPolicy objects (policy.networking.k8s.io/v1alpha2, cluster-scoped) through a
 * client: upstream has no fabric8 model class, so they travel as generic resources; the agents
 * read them with the model's strict reader.
 */
final class ClusterPolicies {
  static final String KIND = ClusterNetworkPolicy.KIND;
  private static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
      .withGroup(ClusterNetworkPolicy.GROUP).withVersion(ClusterNetworkPolicy.VERSION)
      .withKind(ClusterNetworkPolicy.KIND).withPlural(ClusterNetworkPolicy.PLURAL).withNamespaced(false).build();

  private ClusterPolicies() {}

  static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> of(KubernetesClient client) {
    return client.genericKubernetesResources(CONTEXT);
  }
}
