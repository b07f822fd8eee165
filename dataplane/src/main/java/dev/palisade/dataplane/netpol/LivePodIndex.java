package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.netpol.ClusterView.LivePod;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pods NetworkPolicy sees, kept from compile to compile by key (namespace/name) and moved one
 * changed pod at a time: a pod event costs that pod, not the cluster's size. Each pod object is
 * read once into a view ({@link ClusterView#live}); an informer replaces a pod's object on every
 * update and never mutates one it handed out, so the same object keeps the same view instance,
 * which is what lets a rule's peers be reused by identity. Records the views that came and went
 * since {@link #clearMoves}: the peer resolver moves each rule's peers by those alone. Not
 * thread-safe: one agent loop owns it.
 */
final class LivePodIndex {
  private final Map<String, Pod> sources = new HashMap<>();
  private final Map<String, LivePod> live = new LinkedHashMap<>();
  /** address -> the live pods with it; one almost always. */
  private final Map<String, List<LivePod>> byIp = new HashMap<>();
  private final List<LivePod> added = new ArrayList<>();
  private final List<LivePod> removed = new ArrayList<>();

  /** Every pod read again; views of objects already read are kept. */
  void replaceAll(List<Pod> pods) {
    Map<String, Pod> next = new HashMap<>();
    int duplicate = 0;
    for (Pod p : pods) {
      String key = keyOf(p);
      if (next.containsKey(key)) {
        key = key + "\u0000" + duplicate++; // a list with a key twice (no store has that): both count
      }
      next.put(key, p);
    }
    for (String key : new ArrayList<>(sources.keySet())) {
      if (!next.containsKey(key)) {
        put(key, null);
      }
    }
    next.forEach(this::put);
  }

  /** Moves the changed pods (key -> the pod now; null: gone). */
  void apply(Map<String, Pod> changed) {
    changed.forEach(this::put);
  }

  /** Forgets which views came and went (a compile has used them). */
  void clearMoves() {
    added.clear();
    removed.clear();
  }

  List<LivePod> added() {
    return Collections.unmodifiableList(added);
  }

  List<LivePod> removed() {
    return Collections.unmodifiableList(removed);
  }

  /** Every live pod. Live: read before the next change. */
  Collection<LivePod> pods() {
    return Collections.unmodifiableCollection(live.values());
  }

  /** The live pod with this address; of several, the first by namespace/name (a stable answer). */
  LivePod byIp(String ip) {
    List<LivePod> all = byIp.get(ip);
    if (all == null) {
      return null;
    }
    LivePod best = all.get(0);
    for (int i = 1; i < all.size(); i++) {
      if (ClusterView.BY_KEY.compare(all.get(i), best) < 0) {
        best = all.get(i);
      }
    }
    return best;
  }

  int size() {
    return sources.size();
  }

  private void put(String key, Pod now) {
    Pod before = now == null ? sources.remove(key) : sources.put(key, now);
    if (before == now) {
      return;
    }
    LivePod view = now == null ? null : ClusterView.live(now);
    LivePod old = view == null ? live.remove(key) : live.put(key, view);
    if (old != null) {
      List<LivePod> at = byIp.get(old.ip());
      at.removeIf(x -> x == old);
      if (at.isEmpty()) {
        byIp.remove(old.ip());
      }
      // a view that came and went since the last compile was never used by one: it is neither
      if (!added.removeIf(x -> x == old)) {
        removed.add(old);
      }
    }
    if (view != null) {
      byIp.computeIfAbsent(view.ip(), k -> new ArrayList<>(1)).add(view);
      added.add(view);
    }
  }

  private static String keyOf(Pod p) {
    return p.getMetadata() == null ? "?/?" : p.getMetadata().getNamespace() + "/" + p.getMetadata().getName();
  }
}
