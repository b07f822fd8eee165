package dev.palisade.controller.service;

import dev.palisade.controller.identity.WorkloadIndex;
import dev.palisade.model.workload.WorkloadResolver;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * Pods and the owners they are climbed through (ReplicaSet, Job) -> {@link WorkloadIndex}, on the
 * loop. A pod is resolved only from a whole view: events before every store has synced are
 * skipped and each pod is resolved once at {@link #resolveAll}, so no identity is ever written for
 * a ReplicaSet whose store had not listed yet. A pod's watch and its owner's are two streams, so an
 * owner may still arrive after its pods: then they are resolved again.
 */
final class PodEvents {
  private final ClusterCache cluster;
  private final WorkloadIndex workloads;
  private final WorkloadResolver resolver;
  private final BooleanSupplier ready;
  private final Runnable podsChanged;
  private final LongConsumer newIdentity;

  /**
   * @param podsChanged told of every pod event once ready (pod labels select guardrails' subjects)
   * @param newIdentity told of an identity a workload's first pod gave it, once ready (its allow-list is due)
   */
  PodEvents(ClusterCache cluster, WorkloadIndex workloads, BooleanSupplier ready, Runnable podsChanged,
      LongConsumer newIdentity) {
    this.cluster = cluster;
    this.workloads = workloads;
    this.resolver = new WorkloadResolver(cluster::owner);
    this.ready = ready;
    this.podsChanged = podsChanged;
    this.newIdentity = newIdentity;
  }

  /** Watches pods and ReplicaSets, and the Job informer made with the root owners; before the cache starts. */
  void watch(ControllerLoop loop, SharedIndexInformer<? extends HasMetadata> jobs) {
    cluster.replicaSets(ownerArrivals(loop));
    jobs.addEventHandler(this.<HasMetadata>ownerArrivals(loop));
    cluster.pods(loop.handler(this::onPod));
  }

  /**
   * An owner's arrival, or a change of its own controller (adopted, orphaned), is handed to the
   * loop; its status updates (every replica count change in a rollout) are not: they move no pod.
   */
  private <T extends HasMetadata> ResourceEventHandler<T> ownerArrivals(ControllerLoop loop) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T owner) {
        loop.submit(() -> onOwner(owner));
      }

      @Override
      public void onUpdate(T before, T now) {
        if (!Objects.equals(before.getMetadata().getOwnerReferences(), now.getMetadata().getOwnerReferences())) {
          loop.submit(() -> onOwner(now));
        }
      }

      @Override
      public void onDelete(T owner, boolean finalStateUnknown) {
        // its pods are deleted with it, or orphaned (a pod update follows)
      }
    };
  }

  /** Every pod in the synced store, resolved against all its owners; on the loop, before ready. */
  void resolveAll(long nowMillis) {
    cluster.pods().forEach(p -> workloads.onPod(p, false, resolver, nowMillis));
  }

  private void onPod(Pod p, boolean deleted) {
    if (!ready.getAsBoolean()) {
      return; // a partial view: resolveAll resolves it once every store has synced
    }
    podsChanged.run();
    Optional<Long> fresh = workloads.onPod(p, deleted, resolver, System.currentTimeMillis());
    fresh.ifPresent(newIdentity::accept);
  }

  /** An owner arrived or changed hands: its pods, resolved while it was unknown, may belong to another workload now. */
  private void onOwner(HasMetadata owner) {
    if (ready.getAsBoolean()) {
      cluster.podsControlledBy(owner).forEach(p -> onPod(p, false));
    }
  }
}
