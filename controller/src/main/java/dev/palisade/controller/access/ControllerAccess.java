package dev.palisade.controller.access;

import dev.palisade.model.access.AccessRule;
import dev.palisade.model.access.KubeAccess;
import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.crd.CrdNames;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.List;

/**
 * What the controller may do with the Kubernetes API. It reads the cluster, is the single writer
 * of Palisade's resources, reviews agents' tokens and holds its leader Lease. Its informers are
 * made only for kinds declared here; ControllerAccessTest replays a controller (leader election,
 * flow reports, a review, a mode, a snapshot, an agent's token, an invalid NetworkPolicy) against
 * a mock API server and fails on any request this does not grant; {@code scripts/gen-rbac.sh}
 * writes deploy/base/rbac-controller.yaml from it.
 */
public final class ControllerAccess {
  public static final String SERVICE_ACCOUNT = "palisade-controller";
  /** createOr(update): create, and on a conflict get the current version and update it. */
  private static final List<String> WRITE = List.of("get", "list", "create", "update");

  public static final KubeAccess DECLARED = new KubeAccess(SERVICE_ACCOUNT, "palisade-system",
      "The controller is the single writer of Palisade's resources; it reads the rest of the cluster.",
      List.of(
          AccessRule.reads("What identities are made of: pods, their namespaces (and palisade.dev/mode on them);\n"
              + "services (which one is the cluster DNS) and service accounts, watched so nothing is\n"
              + "written before they synced.", Namespace.class, Pod.class, Service.class, ServiceAccount.class),
          AccessRule.reads("A pod's workload (ReplicaSet -> Deployment) and the palisade.dev/mode annotation of\n"
              + "root owners.", ReplicaSet.class, Deployment.class, StatefulSet.class, DaemonSet.class),
          AccessRule.reads("... and Job -> CronJob.", Job.class, CronJob.class),
          AccessRule.reads("Endpoints of the services above.", EndpointSlice.class),
          AccessRule.reads("NetworkPolicies: watched with the rest; invalid ones are reported (below).",
              NetworkPolicy.class),
          AccessRule.of(ClusterNetworkPolicy.GROUP,
              dev.palisade.model.cnp.ClusterPolicyKind.ALL.stream().map(dev.palisade.model.cnp.ClusterPolicyKind::plural).toList(),
              List.of("list", "watch"),
              "Org guardrails: an Admin-tier ClusterNetworkPolicy Accept approves the learned edges it covers\n"
                  + "(audited), a Deny forbids them; palisade why walks both tiers as the agents do."),
          AccessRule.of(ClusterNetworkPolicy.GROUP, List.of(ClusterNetworkPolicy.PLURAL + "/status",
              "adminnetworkpolicies/status", "baselineadminnetworkpolicies/status"), List.of("update"),
              "A condition (palisade.dev/Enforced) on each cluster policy: enforced, or skipped whole and why."),
          AccessRule.of("", List.of("nodes"), List.of("list"),
              "Nodes, listed per palisade why: their addresses are the failsafe sources (kubelet probes)."),
          AccessRule.of("", List.of("events"), List.of("create", "get", "patch"),
              "A Warning Event on each invalid NetworkPolicy and each bad mode setting (a SegmentationMode,\n"
                  + "a palisade.dev/mode annotation; kubectl describe shows it), and Events on both\n"
                  + "ends of a dropped edge, aggregated: created once, then count and lastTimestamp patched\n"
                  + "(the client reads the Event before it patches it)."),
          AccessRule.of("wgpolicyk8s.io", List.of("policyreports"), List.of("get", "create", "update"),
              "One PolicyReport (palisade) per namespace summarizing its drops, for Policy Reporter: created,\n"
                  + "or read and replaced when it exists; at most one write per namespace per 5 s."),
          AccessRule.of(CrdNames.GROUP, List.of("workloadidentities"), WRITE,
              "Palisade's own resources: read back at start (identities keep their numbers), then written\n"
                  + "(create, or update when they exist). Never deleted."),
          AccessRule.of(CrdNames.GROUP, List.of("learnedflows"), List.of("get", "list", "create", "update", "delete"),
              "Learned edges: read back at start, then written (create, or update at a version known to be\n"
                  + "the same source's). A source's object under a name its parts no longer have (parts named\n"
                  + "as before an upgrade, a name taken while another's object held its own) is read and deleted\n"
                  + "once its parts are written; never one of another source."),
          AccessRule.of(CrdNames.GROUP, List.of("allowlists"), List.of("get", "list", "watch", "create", "update"),
              "Allow-lists: read back at start and written like the above, and watched so that one deleted\n"
                  + "or edited by anyone else is written back at once (fail closed)."),
          AccessRule.of(CrdNames.GROUP, List.of("segmentationmodes"), List.of("get", "list", "watch", "create",
              "update"), "Modes: written by users or GitOps, watched; the review API sets them too."),
          AccessRule.of(CrdNames.GROUP, List.of("approvedgraphs"), List.of("list", "watch"),
              "Approved graphs kept in git (kubectl or GitOps write them): watched, never written."),
          AccessRule.of(CrdNames.GROUP, List.of("reviewaudits"), List.of("get", "list", "create"),
              "The review audit log is append-only: entries are created and read, never updated or deleted. "
                  + "One is read back when its create was not answered (stored or not?)."),
          AccessRule.of(CrdNames.GROUP, List.of("graphsnapshots"), List.of("list", "create"),
              "Graph snapshots are kept as taken: created and read, never changed."),
          AccessRule.of(CrdNames.GROUP, List.of("accessrequests"), List.of("list", "watch"),
              "Access requests (palisade request): developers create them; watched for the review page's queue."),
          AccessRule.of(CrdNames.GROUP, List.of("accessrequests/status"), List.of("update"),
              "Their status says what an approver decided (phase, decidedBy, the audit entry): the controller\n"
                  + "alone writes it."),
          AccessRule.of("authentication.k8s.io", List.of("tokenreviews"), List.of("create"),
              "Authenticate agents: their ServiceAccount tokens are checked with a TokenReview.")),
      // the Role keeps its first name (-leader): renaming it would leave the old Role behind in clusters
      new KubeAccess.NamespaceRole(SERVICE_ACCOUNT + "-leader", List.of(
          AccessRule.of("coordination.k8s.io", List.of("leases"), List.of("get", "create", "patch"),
              "Leader election: one Lease in Palisade's own namespace (fabric8's LeaseLock creates it, then\n"
                  + "renews and releases it with patches)."),
          AccessRule.of("", List.of("configmaps"), List.of("get", "list", "watch", "create", "update"),
              "The cluster-wide defaults the agents read (ConfigMap palisade-defaults, from --default-mode):\n"
                  + "written at start, watched and written back when deleted or edited."))));

  private ControllerAccess() {}
}
