package dev.palisade.dataplane.agent;

import dev.palisade.model.access.AccessRule;
import dev.palisade.model.access.KubeAccess;
import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.crd.AllowList;
import dev.palisade.model.crd.SegmentationMode;
import dev.palisade.model.crd.WorkloadIdentity;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;

/**
 * What the node agent may do with the Kubernetes API: read, nothing else. {@link NodeAgent} makes
 * an informer only for a kind declared here, AgentAccessTest replays an agent against a mock API
 * server and fails on any request this does not grant, and {@code scripts/gen-rbac.sh} writes
 * deploy/base/rbac-agent.yaml from it.
 */
public final class AgentAccess {
  public static final String SERVICE_ACCOUNT = "palisade-agent";

  /**
   * The cluster-wide defaults the controller publishes (ConfigMap palisade-defaults, see
   * ClusterDefaults in model), readable in Palisade's namespace only: other namespaces' ConfigMaps
   * are none of the agent's business.
   */
  public static final AccessRule CLUSTER_DEFAULTS = AccessRule.of("", List.of("configmaps"), List.of("list", "watch"),
      "The cluster-wide defaults the controller publishes (ConfigMap palisade-defaults: the default\n"
          + "mode), watched in Palisade's namespace only.");

  public static final KubeAccess DECLARED = new KubeAccess(SERVICE_ACCOUNT, "palisade-system",
      "Agents read pods and their owners (IP -> workload -> identity), the policy that applies to\n"
          + "them and what the controller publishes. They write only Warning Events on objects they skip.",
      List.of(
          AccessRule.reads("Pods: which workload an address belongs to, and which pods run on this node;\n"
              + "namespaces: their labels (NetworkPolicy namespaceSelector) and palisade.dev/mode.",
              Pod.class, Namespace.class),
          AccessRule.reads("A pod's workload is its owner's owner: ReplicaSet -> Deployment.", ReplicaSet.class),
          AccessRule.reads("... and Job -> CronJob.", Job.class),
          AccessRule.reads("NetworkPolicy is enforced by the agent on the pods of its node.", NetworkPolicy.class),
          AccessRule.of(ClusterNetworkPolicy.GROUP,
              dev.palisade.model.cnp.ClusterPolicyKind.ALL.stream().map(dev.palisade.model.cnp.ClusterPolicyKind::plural).toList(),
              List.of("list", "watch"),
              "ClusterNetworkPolicy (upstream's Admin and Baseline tiers) is enforced with NetworkPolicy,\n"
                  + "and so are the v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy it replaced."),
          AccessRule.reads("What the controller publishes (identities, allow-lists) and the modes users set.",
              WorkloadIdentity.class, AllowList.class, SegmentationMode.class),
          AccessRule.reads("Failsafe: the node's own addresses (kubelet probes) and the API server and DNS\n"
              + "Services (default/kubernetes, kube-system/kube-dns) and their endpoints are never cut.\n"
              + "Services are read cluster-wide because --failsafe-* may name other namespaces.",
              Node.class, Service.class),
          AccessRule.reads("Failsafe: the endpoints behind those Services.", EndpointSlice.class),
          AccessRule.of("", List.of("events"), List.of("create"),
              "A Warning Event on each object the agent skips as malformed (kubectl describe shows it).")),
      new KubeAccess.NamespaceRole(SERVICE_ACCOUNT + "-defaults", List.of(CLUSTER_DEFAULTS)));

  private AgentAccess() {}
}
