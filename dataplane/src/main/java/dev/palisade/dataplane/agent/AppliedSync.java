package dev.palisade.dataplane.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the last applied sync put in force, for other threads: the pod-start gate (is this local
 * address covered?), metrics, and labs and tests that wait for a change to be enforced without
 * sleeping. Written only by the sync thread, after the kernel accepted the sync's ruleset.
 */
final class AppliedSync {
  private volatile long revision = -1;
  /** Moved by each sync's changes, not copied whole: copying 10k addresses was most of a sync. */
  private volatile Set<String> podIps = Set.of();
  private volatile Map<String, Long> localIdentity = Map.of();
  /** What the sync was computed from, per kind: for {@link #enforces}. */
  private volatile Map<String, List<? extends HasMetadata>> from = Map.of();

  /** The sync thread: {@code r} is in the kernel now. */
  void applied(NodeRulesCalculator.Result r) {
    localIdentity = r.localIdentity();
    podIps = podIps(podIps, r);
    revision = r.revision();
    from = r.from();
  }

  /** How many pod addresses (local and remote) the rules in force name. */
  int podIpCount() {
    return podIps.size();
  }

  /** Local pod address -> its identity, as enforced. */
  Map<String, Long> localIdentity() {
    return localIdentity;
  }

  boolean covers(long atLeastRevision, Set<String> addresses) {
    return revision >= atLeastRevision && podIps.containsAll(addresses);
  }

  /** See {@link NodeAgent#enforces}. */
  boolean enforces(String kind, Map<String, String> versions) {
    Map<String, List<? extends HasMetadata>> f = from;
    List<? extends HasMetadata> held = f.get(kind);
    if (held == null && !f.isEmpty()) {
      throw new IllegalArgumentException("kind " + kind + " is not one the agent can report on");
    }
    // computed when asked, not on every sync: at 10k pods the map cost a sync more than its rules
    return held != null && versions.equals(versions(held));
  }

  /** namespace/name (or name) -> resourceVersion. */
  private static Map<String, String> versions(List<? extends HasMetadata> objects) {
    Map<String, String> out = new HashMap<>();
    for (HasMetadata o : objects) {
      String ns = o.getMetadata().getNamespace();
      out.put((ns == null ? "" : ns + "/") + o.getMetadata().getName(), o.getMetadata().getResourceVersion());
    }
    return Map.copyOf(out);
  }

  /** The applied addresses moved by a sync's result (copied whole only when it read every pod). */
  private static Set<String> podIps(Set<String> before, NodeRulesCalculator.Result r) {
    if (r.podIpsMoved() == null || !(before instanceof java.util.concurrent.ConcurrentHashMap.KeySetView)) {
      Set<String> all = java.util.concurrent.ConcurrentHashMap.newKeySet(r.podIps().size());
      all.addAll(r.podIps());
      return all;
    }
    r.podIpsMoved().get(1).forEach(before::remove); // one lookup each (a view's removeAll may walk it whole)
    before.addAll(r.podIpsMoved().get(0));
    return before;
  }
}
