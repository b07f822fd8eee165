package dev.palisade.lab.cluster;

import dev.palisade.lab.scenario.Scenario.Step;
import dev.palisade.lab.scenario.ScenarioException;
import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.ClusterPolicyKind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;

/**
 * ClusterNetworkPolicy objects (and the v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy) (policy.networking.k8s.io/v1alpha2, cluster-scoped) through a
 * client: upstream has no fabric8 model class, so they travel as generic resources; the agents
 * read them with the model's strict reader.
 */
public final class ClusterPolicies {
  static final String KIND = ClusterNetworkPolicy.KIND;
  private ClusterPolicies() {}

  static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> of(KubernetesClient client) {
    return of(client, ClusterNetworkPolicy.KIND);
  }

  static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList,
      Resource<GenericKubernetesResource>> of(KubernetesClient client, String kind) {
    return client.genericKubernetesResources(ClusterPolicyKind.named(kind).orElseThrow().context());
  }

  /** Every cluster-scoped policy of every kind, as the agents hold them together. */
  public static java.util.List<GenericKubernetesResource> all(KubernetesClient client) {
    java.util.List<GenericKubernetesResource> out = new java.util.ArrayList<>();
    ClusterPolicyKind.ALL.forEach(k -> out.addAll(of(client, k.kind()).list().getItems()));
    return out;
  }

  static boolean isClusterPolicy(Step step) {
    return step.fields().get("policy") instanceof java.util.Map<?, ?> m && isKind(m.get("kind"));
  }

  /** Whether {@code kind} names a cluster-scoped policy kind. */
  static boolean isKind(Object kind) {
    return kind instanceof String k && ClusterPolicyKind.named(k).isPresent();
  }

  static void create(KubernetesClient client, Step step) {
    GenericKubernetesResource p = policy(client, step);
    of(client, p.getKind()).resource(p).create();
  }

  /** Replaces the whole object (SCHEMA.md: update-policy replaces the whole object). */
  static void update(KubernetesClient client, Step step) {
    GenericKubernetesResource p = policy(client, step);
    var existing = of(client, p.getKind()).withName(p.getMetadata().getName());
    if (existing.get() == null) {
      throw new ScenarioException(step.describe() + ": no " + p.getKind() + " " + p.getMetadata().getName()
          + " to update");
    }
    existing.edit(old -> {
      old.setAdditionalProperties(p.getAdditionalProperties());
      return old;
    });
  }

  static void delete(KubernetesClient client, Step step, String kind, String name) {
    if (of(client, kind).withName(name).delete().isEmpty()) {
      throw new ScenarioException(step.describe() + ": no " + kind + " " + name + " to delete");
    }
  }

  /**
   * The step's {@code policy:} as an object of its kind, stored as written: the agents judge it
   * (and skip it whole, reported, if they cannot enforce it), as on a real cluster.
   */
  private static GenericKubernetesResource policy(KubernetesClient client, Step step) {
    java.util.Map<?, ?> map = (java.util.Map<?, ?>) step.fields().get("policy");
    String want = ClusterNetworkPolicy.GROUP + "/" + ClusterPolicyKind.named((String) map.get("kind")).orElseThrow().version();
    if (!want.equals(map.get("apiVersion"))) {
      throw new ScenarioException(step.describe() + ": a " + map.get("kind") + " must have apiVersion " + want
          + ", not " + map.get("apiVersion"));
    }
    GenericKubernetesResource p = client.getKubernetesSerialization().convertValue(map, GenericKubernetesResource.class);
    if (p.getMetadata() == null || p.getMetadata().getName() == null || p.getMetadata().getName().isBlank()) {
      throw new ScenarioException(step.describe() + ": the policy has no metadata.name");
    }
    p.getMetadata().setNamespace(null); // cluster-scoped
    return p;
  }
}
