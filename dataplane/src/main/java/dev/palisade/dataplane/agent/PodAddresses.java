package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.agent.ObjectProblems.Problem;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.model.Identities;
import dev.palisade.model.workload.WorkloadResolver;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every pod's claim on an address (its IPv4 address -> its identity), kept from sync to sync and
 * moved one changed pod at a time, so that a pod event costs that pod, not the cluster: at 10k
 * pods re-reading every pod on every sync was most of a sync's cost. It answers what the
 * calculator's per-pod loop did: every identity's peer addresses (an address two identities claim
 * speaks for neither), the addresses seen, the local pods (read whole each sync: a node has few),
 * and the pods that could not be read. {@link #touched} names the identities whose addresses moved
 * since it was last asked, which is what invalidates approved sets downstream.
 *
 * <p>Equal by construction to a rebuild from every pod ({@link #rebuilt}); PodDeltaEqualsFullTest
 * holds it to that. Not thread-safe: the agent's sync thread owns it.
 */
final class PodAddresses {
  /**
   * What a pod's reading depends on besides the pod. An owner's change moves only its own pods
   * (they come marked changed, and {@code ownerVersions} tells their facts to resolve again).
   */
  record Context(PodFacts facts, Map<String, Long> idOfWorkload, WorkloadResolver owners,
      OwnerVersions ownerVersions, Map<String, String> announced) {}

  /** One pod as the sync counts it. */
  static final class Entry {
    final Pod pod;
    /** null when the pod could not be read ({@link #problem} says why). */
    final PodFacts.Facts facts;
    /** The address it counts with (status, else announced); null: none yet, or finished. */
    final String ip;
    final long id;
    /** Its valid IPv4 address, the one it claims; null when it has none. */
    final String claim;
    final Problem problem;
    /** What the IP history was last told for this pod (address, identity). */
    private String toldIp;
    private long toldId = Long.MIN_VALUE;

    private Entry(Pod pod, PodFacts.Facts facts, String ip, long id, String claim, Problem problem) {
      this.pod = pod;
      this.facts = facts;
      this.ip = ip;
      this.id = id;
      this.claim = claim;
      this.problem = problem;
    }
  }

  private final Map<String, Entry> entries = new HashMap<>();
  /** address -> (pod key -> identity) of the pods claiming it; one pod almost always. */
  private final Map<String, Map<String, Long>> claims = new HashMap<>();
  /** address -> the identity it speaks for (claimed by exactly one identity). */
  private final Map<String, Long> owner = new HashMap<>();
  private final Map<Long, Set<String>> ipsById = new HashMap<>();
  private final TreeMap<String, Entry> local = new TreeMap<>();
  private final TreeMap<String, Problem> problems = new TreeMap<>();
  private Set<Long> touched = new HashSet<>();
  /** identity -> {added, removed} addresses since {@link #addressMoves} was last asked; null after a rebuild. */
  private Map<Long, List<Set<String>>> addressMoves = new HashMap<>();
  /** Addresses that came to be seen, and that are seen no more, since {@link #seenMoves} was last asked. */
  private Set<String> seenAdded = new HashSet<>();
  private Set<String> seenRemoved = new HashSet<>();

  /** Every pod read again (the first sync, a changed context, untrusted changes); {@code earlier} lends its readings. */
  static PodAddresses rebuilt(PodAddresses earlier, Collection<Pod> pods, Context ctx,
      NodeRulesCalculator.Tenancies tenancies) {
    PodAddresses fresh = new PodAddresses();
    fresh.seenAdded = null; // rebuilt: no moves to tell
    fresh.addressMoves = null;
    int duplicate = 0;
    for (Pod p : pods) {
      String key = PodFacts.keyOf(p);
      if (fresh.entries.containsKey(key)) {
        key = key + "\u0000" + duplicate++; // a list with a key twice (no store has that): both count
      }
      Entry before = earlier == null ? null : earlier.entries.get(key);
      Entry e = read(key, p, before, ctx);
      fresh.put(key, e, before, tenancies);
      if (e.claim != null) {
        fresh.settle(e.claim);
      }
    }
    // what moved since the earlier state is what downstream must rebuild
    fresh.touched = new HashSet<>();
    if (earlier == null) {
      fresh.touched.addAll(fresh.ipsById.keySet());
    } else {
      fresh.touched.addAll(earlier.touched);
      for (Long id : union(earlier.ipsById.keySet(), fresh.ipsById.keySet())) {
        if (!Objects.equals(earlier.ipsById.get(id), fresh.ipsById.get(id))) {
          fresh.touched.add(id);
        }
      }
    }
    return fresh;
  }

  /** Moves the changed pods (key -> the pod now, null: gone); the rest is as it was. */
  void update(Map<String, Pod> changed, Context ctx, NodeRulesCalculator.Tenancies tenancies) {
    update(changed, Set.of(), ctx, tenancies);
  }

  /** As above; the pods of {@code reread} are read again even where their object is the same. */
  void update(Map<String, Pod> changed, Set<String> reread, Context ctx, NodeRulesCalculator.Tenancies tenancies) {
    for (var e : changed.entrySet()) {
      String key = e.getKey();
      Entry before = entries.get(key);
      Pod now = e.getValue();
      if (before != null && before.pod == now && !announcedMoved(key, before, ctx) && !reread.contains(key)
          && (before.facts == null || !before.facts.ownerMoved(ctx.ownerVersions()))) {
        continue; // the same object (and the same owner): the same reading
      }
      remove(key, before);
      Entry after = now == null ? null : read(key, now, before, ctx);
      if (after != null) {
        put(key, after, before, tenancies);
      }
      // settled once both are in: a pod that kept its address and identity moves nothing downstream
      if (before != null && before.claim != null) {
        settle(before.claim);
      }
      if (after != null && after.claim != null && (before == null || !after.claim.equals(before.claim))) {
        settle(after.claim);
      }
    }
  }

  /**
   * The pods counted with an identity other than the one {@code idOfWorkload} gives their workload
   * now (an identity given, taken back or changed): key -> pod. Only an address counts with an
   * identity, so pods without one (none yet, finished, unreadable) are not among them.
   */
  Map<String, Pod> identityMoved(Map<String, Long> idOfWorkload) {
    Map<String, Pod> out = new HashMap<>();
    for (var e : entries.entrySet()) {
      Entry en = e.getValue();
      if (en.facts != null && en.ip != null
          && idOfWorkload.getOrDefault(en.facts.workloadKey(), Identities.UNKNOWN) != en.id) {
        out.put(e.getKey(), en.pod);
      }
    }
    return out;
  }

  private static boolean announcedMoved(String key, Entry before, Context ctx) {
    return before.facts != null && before.facts.statusIp == null && !Objects.equals(before.ip, ctx.announced().get(key));
  }

  /** The identities whose addresses moved since the last call. */
  Set<Long> touched() {
    Set<Long> t = touched;
    touched = new HashSet<>();
    return t;
  }

  /**
   * identity -> {added, removed} addresses of {@link #ipsById} since the last call (only for the
   * identities {@link #touched} names); null after a rebuild: then those identities' addresses are
   * to be read whole.
   */
  Map<Long, List<Set<String>>> addressMoves() {
    Map<Long, List<Set<String>>> m = addressMoves;
    addressMoves = new HashMap<>();
    return m;
  }

  /** Every identity's addresses (contested ones left out). Live: read it before the next update. */
  Map<Long, Set<String>> ipsById() {
    return ipsById;
  }

  /** Every address some pod counts with. Live, as above. */
  Set<String> seen() {
    return claims.keySet();
  }

  /**
   * {added, removed} addresses of {@link #seen} since the last call; null after a rebuild (then
   * read {@link #seen} whole).
   */
  List<Set<String>> seenMoves() {
    if (seenAdded == null) {
      seenAdded = new HashSet<>();
      seenRemoved = new HashSet<>();
      return null;
    }
    List<Set<String>> moves = List.of(seenAdded, seenRemoved);
    seenAdded = new HashSet<>();
    seenRemoved = new HashSet<>();
    return moves;
  }

  /** Addresses claimed by pods of different identities. */
  boolean contested(String ip) {
    Map<String, Long> c = claims.get(ip);
    return c != null && !owner.containsKey(ip);
  }

  /** The local pods, by key. */
  Collection<Entry> local() {
    return local.values();
  }

  Entry get(String key) {
    return entries.get(key);
  }

  Collection<Problem> problems() {
    return problems.values();
  }

  int size() {
    return entries.size();
  }

  private static Entry read(String key, Pod p, Entry before, Context ctx) {
    PodFacts.Facts f;
    try {
      f = ctx.facts().read(p, before != null && before.pod == p ? before.facts : null, ctx.ownerVersions(),
          ctx.owners());
    } catch (RuntimeException e) {
      return new Entry(p, null, null, 0, null, problem(p, e));
    }
    String ip = f.statusIp != null ? f.statusIp : ctx.announced().get(f.key);
    if (ip == null || f.terminal) {
      return new Entry(p, f, null, 0, null, null);
    }
    long id = ctx.idOfWorkload().getOrDefault(f.workloadKey(), Identities.UNKNOWN);
    if (ip.indexOf(':') >= 0) {
      return new Entry(p, f, ip, id, null, null); // IPv6 only: the IPv4 rules cannot name it
    }
    try {
      if (ip != f.statusIp || !f.statusIpChecked) {
        Interval.parseIp(ip); // a malformed address names the pod, not the sync
        f.statusIpChecked = ip == f.statusIp;
      }
    } catch (RuntimeException e) {
      return new Entry(p, f, ip, id, null, problem(p, e));
    }
    return new Entry(p, f, ip, id, ip, null);
  }

  /** Files the pod and its claim; the caller settles its address ({@link #settle}). */
  private void put(String key, Entry e, Entry before, NodeRulesCalculator.Tenancies tenancies) {
    entries.put(key, e);
    if (e.facts != null && e.facts.local) {
      local.put(key, e);
    }
    if (e.problem != null) {
      problems.put(key, e.problem);
    }
    if (before != null) {
      e.toldIp = before.toldIp;
      e.toldId = before.toldId;
    }
    if (e.claim != null) {
      if (!e.claim.equals(e.toldIp) || e.id != e.toldId) {
        tenancies.assign(e.claim, e.facts.key, e.id);
        e.toldIp = e.claim;
        e.toldId = e.id;
      }
      claims.computeIfAbsent(e.claim, k -> {
        moved(k, true);
        return new HashMap<>(2);
      }).put(key, e.id);
    }
  }

  /** Takes the pod's claim back; the caller settles its address ({@link #settle}). */
  private void remove(String key, Entry e) {
    if (e == null) {
      return;
    }
    entries.remove(key);
    local.remove(key);
    problems.remove(key);
    if (e.claim != null) {
      Map<String, Long> c = claims.get(e.claim);
      c.remove(key);
      if (c.isEmpty()) {
        claims.remove(e.claim);
        moved(e.claim, false);
      }
    }
  }

  private void moved(String ip, boolean came) {
    if (seenAdded == null) {
      return;
    }
    if (came) {
      if (!seenRemoved.remove(ip)) {
        seenAdded.add(ip);
      }
    } else if (!seenAdded.remove(ip)) {
      seenRemoved.add(ip);
    }
  }

  /** Files the address under the one identity its claims agree on, or none when they differ. */
  private void settle(String ip) {
    Long want = null;
    Map<String, Long> c = claims.get(ip);
    if (c != null) {
      for (Long id : c.values()) {
        if (want == null) {
          want = id;
        } else if (!want.equals(id)) {
          want = null;
          break;
        }
      }
    }
    Long have = owner.get(ip);
    if (Objects.equals(have, want)) {
      return;
    }
    if (have != null) {
      Set<String> ips = ipsById.get(have);
      ips.remove(ip);
      if (ips.isEmpty()) {
        ipsById.remove(have);
      }
      owner.remove(ip);
      touched.add(have);
      addressMoved(have, ip, false);
    }
    if (want != null) {
      ipsById.computeIfAbsent(want, k -> new HashSet<>()).add(ip);
      owner.put(ip, want);
      touched.add(want);
      addressMoved(want, ip, true);
    }
  }

  /** Counts one address coming to or leaving an identity; a return within one sync cancels out. */
  private void addressMoved(long id, String ip, boolean came) {
    if (addressMoves == null) {
      return;
    }
    List<Set<String>> m = addressMoves.computeIfAbsent(id, k -> List.of(new HashSet<>(), new HashSet<>()));
    if (came) {
      if (!m.get(1).remove(ip)) {
        m.get(0).add(ip);
      }
    } else if (!m.get(0).remove(ip)) {
      m.get(1).add(ip);
    }
  }

  private static Set<Long> union(Set<Long> a, Set<Long> b) {
    Set<Long> u = new HashSet<>(a);
    u.addAll(b);
    return u;
  }

  private static Problem problem(Pod p, RuntimeException e) {
    return NodeRulesCalculator.problem("Pod", p, e);
  }
}
