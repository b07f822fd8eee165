package dev.palisade.lab.cluster;

import static dev.palisade.lab.cluster.StepFields.required;

import dev.palisade.lab.scenario.Scenario.Step;
import dev.palisade.lab.scenario.ScenarioException;
import dev.palisade.lab.scenario.ScenarioTarget.UnsupportedStepException;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.CrdNames;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.SegmentationModeSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.util.Map;

/**
 * The scenario steps that write policy objects (create-, update-, delete-policy, delete-all-policies,
 * set-mode) as a user or GitOps would: NetworkPolicy here, the cluster-scoped kinds via {@link ClusterPolicies}.
 */
final class LabPolicySteps {
  private final KubernetesClient client;

  LabPolicySteps(KubernetesClient client) {
    this.client = client;
  }

  void create(Step step) {
    if (ClusterPolicies.isClusterPolicy(step)) {
      ClusterPolicies.create(client, step);
      return;
    }
    NetworkPolicy np = policy(step);
    policies().inNamespace(np.getMetadata().getNamespace()).resource(np).create();
  }

  void update(Step step) {
    if (ClusterPolicies.isClusterPolicy(step)) {
      ClusterPolicies.update(client, step);
      return;
    }
    NetworkPolicy np = policy(step);
    var existing = policies().inNamespace(np.getMetadata().getNamespace()).withName(np.getMetadata().getName());
    if (existing.get() == null) {
      throw new ScenarioException(step.describe() + ": no NetworkPolicy " + np.getMetadata().getNamespace() + "/"
          + np.getMetadata().getName() + " to update");
    }
    // the whole spec is replaced, as kubectl replace would
    existing.edit(old -> {
      old.setSpec(np.getSpec());
      return old;
    });
  }

  void delete(Step step) {
    String kind = String.valueOf(step.fields().getOrDefault("kind", "NetworkPolicy"));
    if (ClusterPolicies.isKind(kind)) {
      ClusterPolicies.delete(client, step, kind, String.valueOf(required(step, "name")));
      return;
    }
    networkPolicyOnly(step, kind);
    String ns = String.valueOf(required(step, "namespace"));
    String name = String.valueOf(required(step, "name"));
    if (policies().inNamespace(ns).withName(name).delete().isEmpty()) {
      throw new ScenarioException(step.describe() + ": no NetworkPolicy " + ns + "/" + name + " to delete");
    }
  }

  void deleteAll() {
    policies().inAnyNamespace().delete();
    dev.palisade.model.cnp.ClusterPolicyKind.ALL.forEach(k -> ClusterPolicies.of(client, k.kind()).delete());
  }

  private MixedOperation<NetworkPolicy, NetworkPolicyList, Resource<NetworkPolicy>> policies() {
    return client.network().v1().networkPolicies();
  }

  /** The step's {@code policy:} as a NetworkPolicy; its namespace defaults to "default". */
  private NetworkPolicy policy(Step step) {
    Object raw = required(step, "policy");
    if (!(raw instanceof Map<?, ?> map)) {
      throw new ScenarioException(step.describe() + ": 'policy' must be a NetworkPolicy mapping");
    }
    networkPolicyOnly(step, map.get("kind") == null ? "NetworkPolicy" : String.valueOf(map.get("kind")));
    NetworkPolicy np;
    try {
      np = client.getKubernetesSerialization().convertValue(raw, NetworkPolicy.class);
    } catch (RuntimeException e) {
      throw new ScenarioException(step.describe() + ": 'policy' is not a NetworkPolicy: " + e.getMessage());
    }
    if (np.getMetadata() == null || np.getMetadata().getName() == null || np.getMetadata().getName().isBlank()) {
      throw new ScenarioException(step.describe() + ": the policy has no metadata.name");
    }
    if (np.getMetadata().getNamespace() == null || np.getMetadata().getNamespace().isBlank()) {
      np.getMetadata().setNamespace("default");
    }
    return np;
  }

  /** Only NetworkPolicy is namespaced; the cluster-scoped kinds are handled above. */
  private static void networkPolicyOnly(Step step, String kind) {
    if (!kind.equals("NetworkPolicy")) {
      throw new UnsupportedStepException(step.action() + " of a " + kind + " (cluster-wide policies)");
    }
  }

  /** A SegmentationMode resource, as a user (or GitOps) would write it. */
  void setMode(Step step) {
    String target = String.valueOf(required(step, "target"));
    String mode = String.valueOf(required(step, "mode"));
    // a typo fails the step, it does not silently open anything; the CRD takes the lower-case name
    String canonical = dev.palisade.model.Mode.parse(mode).text();
    String[] t = target.split("/");
    SegmentationMode m = new SegmentationMode();
    m.setSpec(new SegmentationModeSpec());
    m.getSpec().mode = canonical;
    String ns;
    String name;
    if (t.length == 2 && t[0].equals("namespace")) {
      ns = t[1];
      name = "namespace";
    } else if (t.length == 4 && t[0].equals("workload")) {
      ns = t[1];
      m.getSpec().workload = t[2] + "/" + t[3];
      name = CrdNames.objectName(new WorkloadRef(ns, t[2], t[3]));
    } else {
      throw new ScenarioException(step.describe() + ": target must be namespace/NS or workload/NS/KIND/NAME, not "
          + target);
    }
    m.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
    client.resources(SegmentationMode.class).inNamespace(ns).resource(m).createOr(NonDeletingOperation::update);
  }
}
