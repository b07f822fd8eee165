package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.KeptWhileUsed;
import dev.palisade.dataplane.render.RectSet;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One direction's approved rectangles (an allow-list's rules, identities expanded to their pods'
 * addresses), kept from one sync to the next while the rules and every peer identity's addresses
 * are the same. When a pod event moved some of a named identity's addresses, the kept set is
 * moved by the rectangles of those addresses ({@link RectSet#with}: a new version sharing the
 * old one's structure and saying what differs), not rebuilt: at 10k pods a set holds 1,000-3,000
 * rectangles and rebuilding each one a pod touched was half of a sync. Only where the step is not
 * known (a rebuild of every pod, a set not used in the last sync) is the set made whole. Entries
 * the latest sync did not use are dropped. Not thread-safe: the agent's sync thread owns it.
 */
final class ApprovedRects {
  /** Rules plus the address versions of the identities they name: equal keys, equal rectangles. */
  private record Key(Rules rules, List<Long> versions) {}

  /**
   * A rules list with its hash computed once per list object: a list's hash walks every rule (its
   * peer, protocol and ports), and each direction of each local identity was hashed that way three
   * times per sync although the lists are the same objects sync after sync (ObjectReadings).
   */
  private record Rules(List<PeerRule> list, int hash) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Rules r && hash == r.hash && (list == r.list || list.equals(r.list));
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /** The set last made for some rules, and the key it was made under. */
  private record Made(Key key, RectSet rects) {}

  private final KeptWhileUsed<Key, RectSet> kept = new KeptWhileUsed<>(HashMap::new);
  private final KeptWhileUsed<Rules, Made> latest = new KeptWhileUsed<>(HashMap::new);
  /** Each rules list object's hash, by identity. */
  private final KeptWhileUsed<List<PeerRule>, Rules> hashed = new KeptWhileUsed<>(java.util.IdentityHashMap::new);
  private final Map<Long, Long> versions = new HashMap<>();
  /** identity -> its version before this sync, for the identities this sync moved. */
  private Map<Long, Long> before = Map.of();
  /** identity -> {added, removed} addresses this sync; null: not known. */
  private Map<Long, List<Set<String>>> moves;
  private long nextVersion;

  /**
   * Starts a sync told which identities' addresses moved since the last one ({@link
   * PodAddresses#touched}) and how ({@link PodAddresses#addressMoves}; null: not known, then
   * their sets are made whole): no walk over every identity's addresses. Those get a new version.
   */
  void begin(Set<Long> moved, Map<Long, List<Set<String>>> how) {
    kept.begin();
    latest.begin();
    hashed.begin();
    moves = how;
    before = new HashMap<>();
    for (Long id : moved) {
      before.put(id, versions.getOrDefault(id, 0L));
      versions.put(id, ++nextVersion); // gone and back later with the same addresses is still a change
    }
  }

  /** As {@link #begin(Set, Map)} with the moves not known: every moved identity's sets are made whole. */
  void begin(Set<Long> moved) {
    begin(moved, null);
  }

  /**
   * The rectangles for {@code rules} over {@code ipsById} (every identity's addresses now), moved
   * from the set the last sync made for the same rules when the step is known, else made by
   * {@code make}.
   */
  Set<AllowRect> of(List<PeerRule> rules, Map<Long, Set<String>> ipsById, Supplier<Set<AllowRect>> make) {
    List<Long> v = new ArrayList<>(rules.size());
    for (PeerRule r : rules) {
      if (r.peer() instanceof Peer.OfIdentity id) {
        v.add(versions.getOrDefault(id.identity(), 0L));
      }
    }
    Rules r = hashed.get(rules, list -> new Rules(list, list.hashCode()));
    Key key = new Key(r, v);
    RectSet rects = kept.get(key, k -> {
      Made last = latest.find(r);
      RectSet stepped = last == null ? null : stepped(last, k, ipsById);
      return stepped != null ? stepped : RectSet.of(make.get());
    });
    latest.put(r, new Made(key, rects));
    return rects;
  }

  /** {@code last}'s set moved to {@code now}'s versions, or null when the step is not known. */
  private RectSet stepped(Made last, Key now, Map<Long, Set<String>> ipsById) {
    if (moves == null) {
      return null;
    }
    List<Long> was = last.key().versions();
    Set<Long> movedIds = new HashSet<>();
    int i = 0;
    for (PeerRule r : now.rules().list()) {
      if (r.peer() instanceof Peer.OfIdentity id) {
        long then = was.get(i);
        long current = now.versions().get(i++);
        if (then != current) {
          Long prior = before.get(id.identity());
          if (prior == null || prior != then || !moves.containsKey(id.identity())) {
            return null; // more than this sync's step apart
          }
          movedIds.add(id.identity());
        }
      }
    }
    Set<AllowRect> added = new HashSet<>();
    Map<AllowRect, String> gone = new HashMap<>(); // -> the address as the pod wrote it
    for (PeerRule r : now.rules().list()) {
      if (r.peer() instanceof Peer.OfIdentity id && movedIds.contains(id.identity())) {
        List<Set<String>> m = moves.get(id.identity());
        m.get(0).forEach(ip -> added.add(rect(ip, r)));
        m.get(1).forEach(ip -> gone.put(rect(ip, r), ip));
      }
    }
    // a rectangle another rule still gives stays: rules may overlap
    gone.entrySet().removeIf(e -> added.contains(e.getKey()) || stillGiven(e.getKey(), e.getValue(), now.rules().list(),
        ipsById));
    return last.rects().with(added, gone.keySet());
  }

  private static AllowRect rect(String ip, PeerRule r) {
    return new AllowRect(Interval.ip(ip), AllowRect.Proto.valueOf(r.protocol().name()),
        Interval.ports(r.ports().first(), r.ports().last()));
  }

  /** True if some rule gives {@code rect} (of address {@code ip}) with the addresses as they are now. */
  private static boolean stillGiven(AllowRect rect, String ip, List<PeerRule> rules, Map<Long, Set<String>> ipsById) {
    String canonical = Interval.ipString(rect.peers().from());
    for (PeerRule r : rules) {
      if (AllowRect.Proto.valueOf(r.protocol().name()) != rect.protocol()
          || r.ports().first() != rect.ports().from() || r.ports().last() != rect.ports().to()) {
        continue;
      }
      if (r.peer() instanceof Peer.OfIdentity id) {
        Set<String> ips = ipsById.getOrDefault(id.identity(), Set.of());
        if (ips.contains(ip) || ips.contains(canonical)) {
          return true;
        }
      } else if (r.peer() instanceof Peer.OfCidr && NodeRulesBuilder.peers(r.peer(), ipsById).contains(rect.peers())) {
        return true;
      }
    }
    return false;
  }
}
