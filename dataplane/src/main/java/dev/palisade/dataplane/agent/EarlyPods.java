package dev.palisade.dataplane.agent;

import io.fabric8.kubernetes.api.model.Pod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Function;

/**
 * Pods a pod start read straight from the API server because the pod informer had not delivered
 * them yet. The CNI ADD can come before the agent's watch event; waiting for the informer cost
 * such a start 20-50 ms (most of the pod-start tail in the process lab, bench/RESULTS.md).
 *
 * <p>Also read when the store's copy is not bound to this node yet: the CNI ADD says it is. The
 * early copy wins over the store's until the informer's next event for the pod, and that event's
 * copy replaces it as soon as it arrives (its handler calls {@link
 * #delivered}). One the informer never delivers (a pod deleted during a watch gap, seen by no
 * event) is forgotten after {@code keep}: the sync that reads its key again finds it gone, so its
 * address is covered no longer than a lagging informer would have kept it. Thread-safe: pod
 * starts put, informer threads deliver, the sync thread reads.
 */
final class EarlyPods {
  private record Early(Pod pod, long readAt) {}

  private final long keepNanos;
  private final LongSupplier clock;
  private final Map<String, Early> byKey = new HashMap<>();

  EarlyPods(Duration keep, LongSupplier clock) {
    if (keep.isNegative() || keep.isZero()) {
      throw new IllegalArgumentException("keep must be positive: " + keep);
    }
    this.keepNanos = keep.toNanos();
    this.clock = clock;
  }

  /**
   * A pod (namespace/name {@code key}) read from the API server before its informer event; kept
   * unless {@code storeCurrent} says the informer's store caught up meanwhile. Checked under the
   * lock {@link #delivered} takes: an event that lands after the check removes the copy again.
   */
  synchronized boolean put(String key, Pod pod, java.util.function.BooleanSupplier storeCurrent) {
    if (storeCurrent.getAsBoolean()) {
      return false;
    }
    byKey.put(key, new Early(pod, clock.getAsLong()));
    return true;
  }

  /** The informer delivered an event for this pod: its store's copy is the one to read now. */
  synchronized void delivered(String key) {
    byKey.remove(key);
  }

  synchronized boolean holds(String key) {
    return byKey.containsKey(key);
  }

  /** The early copy of this pod, or null. */
  synchronized Pod get(String key) {
    Early e = byKey.get(key);
    return e == null ? null : e.pod();
  }

  /** Forgets the pods read longer than {@code keep} ago; returns their keys (to be read again). */
  synchronized List<String> expire() {
    List<String> gone = new ArrayList<>();
    long now = clock.getAsLong();
    for (Iterator<Map.Entry<String, Early>> it = byKey.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Early> e = it.next();
      if (now - e.getValue().readAt() > keepNanos) {
        gone.add(e.getKey());
        it.remove();
      }
    }
    return gone;
  }

  /**
   * {@code stored} with the early pods in place of the store's copies of them ({@code storeByKey}
   * finds those; an early pod replaces a stale copy, e.g. one not yet bound to this node).
   */
  synchronized List<Pod> addTo(List<Pod> stored, Function<String, Pod> storeByKey) {
    if (byKey.isEmpty()) {
      return stored;
    }
    Set<Pod> replaced = Collections.newSetFromMap(new IdentityHashMap<>());
    byKey.keySet().forEach(key -> {
      Pod s = storeByKey.apply(key);
      if (s != null) {
        replaced.add(s);
      }
    });
    List<Pod> out = new ArrayList<>(stored.size() + byKey.size());
    for (Pod p : stored) {
      if (!replaced.contains(p)) {
        out.add(p);
      }
    }
    byKey.values().forEach(e -> out.add(e.pod()));
    return out;
  }
}
