package dev.palisade.dataplane.agent;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What the pod informer's handlers record between two syncs: the keys of pods that changed, not
 * the objects (the sync reads each from the store, so the newest wins whatever the order of
 * events). Starts "whole" (the first sync reads every pod), and goes back to whole when told the
 * changes cannot be trusted ({@link #everything}: a failed sync, a relist) or when more pods
 * changed than a delta is worth. Thread-safe: handlers record on the informers' threads, the
 * sync thread drains.
 */
final class PodChangeLog {
  /** Past this many changed pods, reading every pod costs less than a delta of them. */
  private final int limit;
  private Set<String> dirty = new HashSet<>();
  private boolean whole = true;

  PodChangeLog(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, not " + limit);
    }
    this.limit = limit;
  }

  /** A pod was added, updated or deleted (namespace/name). */
  synchronized void changed(String key) {
    if (!whole) {
      dirty.add(key);
      if (dirty.size() > limit) {
        everything();
      }
    }
  }

  /** The next sync must read every pod. */
  synchronized void everything() {
    whole = true;
    dirty = new HashSet<>();
  }

  /**
   * The changes since the last drain, each pod read from {@code store} now (null: gone). Drained
   * before the reads: an event after the drain marks its pod again for the next sync, so none is
   * lost between the two.
   */
  PodDelta drain(Function<String, Pod> store) {
    Set<String> keys;
    synchronized (this) {
      if (whole) {
        whole = false;
        dirty = new HashSet<>();
        return PodDelta.WHOLE;
      }
      keys = dirty;
      dirty = new HashSet<>();
    }
    Map<String, Pod> changed = new HashMap<>();
    for (String k : keys) {
      changed.put(k, store.apply(k));
    }
    return PodDelta.of(changed);
  }
}
