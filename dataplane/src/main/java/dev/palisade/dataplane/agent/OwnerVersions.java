package dev.palisade.dataplane.agent;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How often each owner (a ReplicaSet or Job, by {@code namespace/Kind/name}) has changed in a way
 * that can move its pods to another workload: it arrived, left, or its owner references changed.
 * A pod's workload depends on its controlling owner only (Pod -> ReplicaSet -> Deployment reads
 * the ReplicaSet, nothing else), so a pod is resolved again when its own owner's version moved,
 * and a new ReplicaSet beside 10k pods costs its own pods, not a reading of every pod.
 * The informers' threads bump, the sync thread reads: thread-safe.
 */
final class OwnerVersions {
  /** The owner kinds whose objects the agent reads to resolve a pod (the resolver's lookups). */
  private static final List<String> LOOKED_UP = List.of("ReplicaSet", "Job");

  private final ConcurrentHashMap<String, Long> versions = new ConcurrentHashMap<>();

  /** The owner {@code key} changed (call before its pods are marked changed: a sync that reads them sees it). */
  void bump(String key) {
    versions.merge(key, 1L, Long::sum);
  }

  /** 0 for an owner never seen changing. */
  long of(String key) {
    return key == null ? 0 : versions.getOrDefault(key, 0L);
  }

  /**
   * The key of the owner a pod's workload is read from: its controller's, when that is a kind the
   * agent looks up; else null (the pod's workload depends on the pod alone).
   */
  static String ownerKeyOf(Pod p) {
    var m = p.getMetadata();
    if (m == null || m.getOwnerReferences() == null) {
      return null;
    }
    for (OwnerReference r : m.getOwnerReferences()) {
      if (r != null && Boolean.TRUE.equals(r.getController()) && LOOKED_UP.contains(r.getKind())) {
        return key(m.getNamespace(), r.getKind(), r.getName());
      }
    }
    return null;
  }

  /** {@code namespace/Kind/name}. */
  static String key(String namespace, String kind, String name) {
    return namespace + "/" + kind + "/" + name;
  }
}
