package dev.palisade.dataplane.agent;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The pods that changed since the last sync, as the informer's store holds them now: key
 * (namespace/name) -> the pod, or null when it is gone. {@link #WHOLE} says the changes are not
 * known (the first sync, a failed one, too many at once, a relist): the calculator then reads
 * every pod, as a sync without deltas always did. Keys, not events: several events of one pod
 * between two syncs are one entry, and the store's object is the newest.
 */
record PodDelta(boolean whole, Map<String, Pod> changed) {
  static final PodDelta WHOLE = new PodDelta(true, Map.of());

  PodDelta {
    changed = whole ? Map.of() : Collections.unmodifiableMap(new HashMap<>(changed));
  }

  /** Only these pods changed (a null value: deleted). */
  static PodDelta of(Map<String, Pod> changed) {
    return new PodDelta(false, changed);
  }
}
