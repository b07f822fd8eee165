package dev.palisade.model.workload;

import dev.palisade.model.WorkloadRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Pure: which workload a pod belongs to (its root controller: Pod -> ReplicaSet -> Deployment,
 * Pod -> Job -> CronJob, Pod -> StatefulSet/DaemonSet, or the bare pod) and which of its labels
 * are stable. Volatile labels (pod-template-hash and friends) change with every rollout or run
 * and must never split one workload into many identities.
 */
public final class WorkloadResolver {
  /** Labels Kubernetes controllers stamp per revision, per pod or per run. */
  public static final Set<String> VOLATILE_LABELS = Set.of("pod-template-hash", "controller-revision-hash",
      "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "controller-uid",
      "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name",
      "batch.kubernetes.io/job-completion-index");

  private static final int MAX_DEPTH = 4;

  private final OwnerLookup owners;

  public WorkloadResolver(OwnerLookup owners) {
    this.owners = owners;
  }

  public WorkloadRef workloadOf(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    HasMetadata current = pod;
    String kind = "Pod";
    String name = pod.getMetadata().getName();
    for (int depth = 0; depth < MAX_DEPTH; depth++) {
      Optional<OwnerReference> ref = controllerOf(current);
      if (ref.isEmpty() || !WorkloadRef.KINDS.contains(ref.get().getKind())) {
        break;
      }
      kind = ref.get().getKind();
      name = ref.get().getName();
      Optional<HasMetadata> owner = owners.find(ns, kind, name);
      if (owner.isEmpty()) {
        // The owner is not in the cache (yet): a ReplicaSet's name still tells its Deployment
        // when the pod carries its template hash, so a fresh pod is not misfiled as a bare RS.
        if (kind.equals("ReplicaSet")) {
          String hash = labels(pod).get("pod-template-hash");
          if (hash != null && name.endsWith("-" + hash)) {
            return new WorkloadRef(ns, "Deployment", name.substring(0, name.length() - hash.length() - 1));
          }
        }
        break;
      }
      current = owner.get();
    }
    return new WorkloadRef(ns, kind, name);
  }

  static Optional<OwnerReference> controllerOf(HasMetadata o) {
    List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
    if (refs == null || refs.isEmpty()) {
      return Optional.empty();
    }
    return refs.stream().filter(r -> Boolean.TRUE.equals(r.getController())).findFirst();
  }

  private static Map<String, String> labels(HasMetadata o) {
    return o.getMetadata().getLabels() == null ? Map.of() : o.getMetadata().getLabels();
  }

  /** The pod's labels without the volatile ones, sorted. */
  public static Map<String, String> stableLabels(Pod pod) {
    Map<String, String> out = new TreeMap<>();
    labels(pod).forEach((k, v) -> {
      if (!VOLATILE_LABELS.contains(k)) {
        out.put(k, v);
      }
    });
    return out;
  }
}
