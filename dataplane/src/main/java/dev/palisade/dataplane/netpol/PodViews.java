package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.netpol.ClusterView.LivePod;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * What NetworkPolicy reads from each pod (address, labels, named ports), kept between compiles and
 * reused while the pod object is the same instance (kept by identity, not by name: no key to build). An informer replaces a pod's object on every
 * update and never mutates one it has handed out, so the same instance means the same pod; at 10k
 * pods, reading them all again was most of an agent's sync. Entries of pods not seen in the latest
 * compile are dropped. Not thread-safe: one agent loop owns it.
 */
public final class PodViews {
  /** Pods NetworkPolicy does not see (no address yet, finished, host network) map to this. */
  private static final LivePod UNSEEN = new LivePod("", "", Map.of(), "", 0, java.util.List.of());

  private Map<Pod, LivePod> previous = new IdentityHashMap<>();
  private Map<Pod, LivePod> current = new IdentityHashMap<>();

  /** Starts a compile: what the last one saw becomes the cache it reads from. */
  void begin() {
    previous = current;
    current = new IdentityHashMap<>(previous.size() + 16);
  }

  /** The pod's view, or null when NetworkPolicy does not see it (no IPv4 yet, finished, host network). */
  LivePod live(Pod p) {
    LivePod live = previous.get(p);
    if (live == null) {
      live = ClusterView.live(p);
      if (live == null) {
        live = UNSEEN;
      }
    }
    current.put(p, live);
    return live == UNSEEN ? null : live;
  }

  /** How many pods are remembered (for tests). */
  int size() {
    return current.size();
  }
}
