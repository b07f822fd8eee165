package dev.palisade.lab.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Deletes dependents whose owners are gone, as the Kubernetes garbage collector does in the
 * background: a deleted Deployment takes its ReplicaSets, which take their pods; a deleted Service
 * takes its EndpointSlices. Only owners of the kinds these controllers manage are considered, so
 * objects owned by anything else (a custom resource) are left alone. Also empties a deleted
 * namespace, which the mock API server does not do.
 */
final class GarbageCollector {
  private static final Set<String> OWNER_KINDS = Set.of("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job",
      "CronJob", "Service");
  private final ControllerContext ctx;

  GarbageCollector(ControllerContext ctx) {
    this.ctx = ctx;
  }

  void collect(String namespace) {
    boolean deleted = true;
    while (deleted) { // a ReplicaSet deleted in one round orphans its pods for the next
      Set<String> live = new HashSet<>();
      owners(namespace).forEach(o -> live.add(o.getMetadata().getUid()));
      deleted = false;
      for (HasMetadata dependent : dependents(namespace)) {
        if (orphaned(dependent, live) && !KubeObjects.terminating(dependent)) {
          ctx.delete(dependent);
          deleted = true;
        }
      }
    }
  }

  /** Deletes what lives in a namespace that was deleted. */
  void emptyNamespace(String namespace) {
    if (ctx.client.namespaces().withName(namespace).get() != null) {
      return; // re-created since
    }
    List<HasMetadata> all = new ArrayList<>(owners(namespace));
    all.addAll(dependents(namespace));
    all.forEach(ctx::delete);
  }

  private static boolean orphaned(HasMetadata dependent, Set<String> live) {
    List<OwnerReference> refs = dependent.getMetadata().getOwnerReferences();
    if (refs == null || refs.isEmpty()) {
      return false;
    }
    boolean managedOwner = false;
    for (OwnerReference ref : refs) {
      if (!OWNER_KINDS.contains(ref.getKind()) || live.contains(ref.getUid())) {
        return false; // some owner still holds it
      }
      managedOwner = true;
    }
    return managedOwner;
  }

  private List<HasMetadata> owners(String namespace) {
    List<HasMetadata> owners = new ArrayList<>();
    owners.addAll(ctx.client.apps().deployments().inNamespace(namespace).list().getItems());
    owners.addAll(ctx.client.apps().replicaSets().inNamespace(namespace).list().getItems());
    owners.addAll(ctx.client.apps().statefulSets().inNamespace(namespace).list().getItems());
    owners.addAll(ctx.client.apps().daemonSets().inNamespace(namespace).list().getItems());
    owners.addAll(ctx.client.batch().v1().jobs().inNamespace(namespace).list().getItems());
    owners.addAll(ctx.client.batch().v1().cronjobs().inNamespace(namespace).list().getItems());
    owners.addAll(ctx.client.services().inNamespace(namespace).list().getItems());
    return owners;
  }

  private List<HasMetadata> dependents(String namespace) {
    List<HasMetadata> dependents = new ArrayList<>();
    dependents.addAll(ctx.client.apps().replicaSets().inNamespace(namespace).list().getItems());
    dependents.addAll(ctx.client.batch().v1().jobs().inNamespace(namespace).list().getItems()); // a CronJob's
    dependents.addAll(ctx.client.pods().inNamespace(namespace).list().getItems());
    dependents.addAll(ctx.client.discovery().v1().endpointSlices().inNamespace(namespace).list().getItems());
    return dependents;
  }
}
