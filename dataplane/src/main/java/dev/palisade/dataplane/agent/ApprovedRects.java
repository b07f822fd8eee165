package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.KeptWhileUsed;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One direction's approved rectangles (an allow-list's rules, identities expanded to their pods'
 * addresses), kept from one sync to the next while the rules and every peer identity's addresses
 * are the same: one pod event then rebuilds only the sets of the identities whose addresses it
 * moved. The kept set is the same instance, so the renderer's {@code ElementMemo} reuses its text
 * and the applier skips it by identity; rebuilding every identity's sets on every sync was most
 * of a sync's cost at 10k pods. Entries the latest sync did not use are dropped. Not thread-safe:
 * the agent's sync thread owns it.
 */
final class ApprovedRects {
  /** Rules plus the address versions of the identities they name: equal keys, equal rectangles. */
  private record Key(List<PeerRule> rules, List<Long> versions) {}

  private final KeptWhileUsed<Key, Set<AllowRect>> kept = new KeptWhileUsed<>(HashMap::new);
  private final Map<Long, Long> versions = new HashMap<>();
  private long nextVersion;

  /**
   * Starts a sync told which identities' addresses moved since the last one ({@link
   * PodAddresses#touched}): no walk over every identity's addresses. Those get a new version.
   */
  void begin(Set<Long> moved) {
    kept.begin();
    for (Long id : moved) {
      versions.put(id, ++nextVersion); // gone and back later with the same addresses is still a change
    }
  }

  /** The rectangles for {@code rules}, computed by {@code make} only when no kept set matches. */
  Set<AllowRect> of(List<PeerRule> rules, java.util.function.Supplier<Set<AllowRect>> make) {
    List<Long> v = new ArrayList<>(rules.size());
    for (PeerRule r : rules) {
      if (r.peer() instanceof Peer.OfIdentity id) {
        v.add(versions.getOrDefault(id.identity(), 0L));
      }
    }
    return kept.get(new Key(rules, v), k -> Set.copyOf(make.get()));
  }
}
