package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.netpol.ClusterView.LivePod;
import dev.palisade.dataplane.netpol.CompiledPolicy.Rule;
import dev.palisade.dataplane.render.KeptWhileUsed;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What an agent's NetworkPolicy compiles keep from one to the next, so that a compile costs what
 * changed, not the cluster's size: an agent compiles on every change, and at 10k pods reading
 * every pod and re-deriving every peer set was most of the time from a pod's creation to its rules.
 *
 * <ul>
 *   <li>every pod's view (address, labels, named ports), by key in a {@link LivePodIndex} that a
 *       compile moves by the pods that changed ({@link #begin(Map)}) or reads whole
 *       ({@link #begin(List)}); each NetworkPolicy object's reading, kept while the informer holds
 *       the same instance (an informer replaces an object on every update and never mutates one
 *       it handed out, so the same instance is the same content);
 *   <li>each rule's peers, reused when the same pods (the same views, in the same order) match;
 *   <li>each computed pod policy, reused when the same policies and the same peers made it.
 * </ul>
 *
 * Reused results are the same instances, so what is built from them downstream (the renderer's
 * set elements) can be reused by identity too. Entries not used by the latest compile are
 * dropped. Not thread-safe: one agent loop owns it.
 */
public final class PodViews {
  /** A policy object's reading: the compiled policy, or null and its problems. */
  private record Reading(CompiledPolicy policy, List<String> problems) {}

  /** A pod policy and the objects (policies, peers) it was computed from, compared by identity. */
  private record Made(List<Object> from, PodPolicy policy) {}

  private final LivePodIndex pods = new LivePodIndex();
  private final KeptWhileUsed<NetworkPolicy, Reading> readings = new KeptWhileUsed<>(IdentityHashMap::new);
  private final KeptWhileUsed<List<Object>, Made> made = new KeptWhileUsed<>(java.util.HashMap::new);
  private Map<Rule, PeerResolver.Peers> peers = new IdentityHashMap<>();
  private Map<String, Map<String, String>> namespaceLabels = Map.of();
  /** A pod view's selection key and the policies it was judged against. */
  private record Selection(List<CompiledPolicy> policies, List<Object> key) {}

  private final KeptWhileUsed<LivePod, Selection> selections = new KeptWhileUsed<>(IdentityHashMap::new);
  private List<Namespace> namespacesRead = List.of();
  private Map<String, Map<String, String>> labelsRead = Map.of();
  /**
   * False from a compile's start until it kept its peers: a compile that threw in between moved
   * the pods but not the peers, so the next one resolves every rule afresh (never from peers that
   * miss a change).
   */
  private boolean consistent = true;

  /** Starts a compile that reads every pod (views of objects read before are kept). */
  void begin(List<Pod> all) {
    begin();
    pods.replaceAll(all);
  }

  /** Starts a compile that moves only the changed pods (key namespace/name -> the pod now; null: gone). */
  void begin(Map<String, Pod> changed) {
    begin();
    pods.apply(changed);
  }

  private void begin() {
    if (!consistent) {
      peers = new IdentityHashMap<>();
    }
    consistent = false;
    readings.begin();
    made.begin();
    selections.begin();
  }

  /**
   * The pods as this compile sees them. Namespace labels are read again only when the list holds
   * other objects than last time (reading every namespace's labels on every compile was a fixed
   * cost of each sync).
   */
  ClusterView cluster(List<Namespace> namespaces) {
    if (!sameInstances(namespaces, namespacesRead)) {
      namespacesRead = new ArrayList<>(namespaces);
      labelsRead = ClusterView.readNamespaces(namespaces);
    }
    return new ClusterView(labelsRead, pods);
  }

  /**
   * Which of {@code policies} select the pod, as {@code make} says, kept per pod view while the
   * policies are the same objects: a node's pods are matched against every policy on every compile
   * otherwise, whatever changed.
   */
  List<Object> selection(LivePod pod, List<CompiledPolicy> policies,
      java.util.function.BiFunction<LivePod, List<CompiledPolicy>, List<Object>> make) {
    Selection s = selections.get(pod, p -> new Selection(List.copyOf(policies), make.apply(p, policies)));
    if (!sameInstances(s.policies(), policies)) {
      s = new Selection(List.copyOf(policies), make.apply(pod, policies));
      selections.put(pod, s);
    }
    return s.key();
  }

  /** The policy object read (or its problems added), once per object. */
  CompiledPolicy policy(NetworkPolicy np, List<String> problems) {
    Reading r = readings.get(np, policy -> {
      List<String> mine = new ArrayList<>();
      return new Reading(PolicyReader.read(policy, mine), List.copyOf(mine));
    });
    problems.addAll(r.problems());
    return r.policy();
  }

  /**
   * The last compile's peers per rule, if the namespaces' labels are as they were (a label change
   * may move whole namespaces in or out of a namespaceSelector), with the pods that came and went
   * since: the resolver updates a rule's peers from those alone instead of testing every pod
   * against every selector.
   */
  PeerResolver resolver(ClusterView cluster) {
    boolean sameNamespaces = cluster.namespaceLabelsByName().equals(namespaceLabels);
    namespaceLabels = cluster.namespaceLabelsByName();
    if (!sameNamespaces || peers.isEmpty()) {
      return new PeerResolver(cluster, Map.of(), null, null);
    }
    // "everyone" is not carried over: its named ports are looked up among the cluster's pods
    return new PeerResolver(cluster, peers, null,
        new PeerResolver.Delta(List.copyOf(pods.added()), List.copyOf(pods.removed())));
  }

  /** Keeps what the compile's resolver resolved, for the next compile. */
  void keep(PeerResolver resolver) {
    peers = resolver.resolved();
    pods.clearMoves();
    consistent = true;
  }

  /**
   * The pod policy made from exactly these objects (by identity) last time, else a new one.
   *
   * @param key what selects the pod (equal keys, equal selection)
   * @param from the policies and peers the answer depends on
   */
  PodPolicy podPolicy(List<Object> key, List<Object> from, Supplier<PodPolicy> make) {
    return podPolicy(key, from, make, (was, policy) -> null);
  }

  /**
   * As {@link #podPolicy(List, List, Supplier)}; when the objects differ from last time's, {@code
   * step} may move last time's policy (given the objects it was made from) instead of {@code make}
   * making it whole (null: it cannot).
   */
  PodPolicy podPolicy(List<Object> key, List<Object> from, Supplier<PodPolicy> make,
      java.util.function.BiFunction<List<Object>, PodPolicy, PodPolicy> step) {
    Made m = made.get(key, k -> new Made(from, make.get()));
    if (!sameInstances(m.from(), from)) {
      PodPolicy stepped = step.apply(m.from(), m.policy());
      m = new Made(from, stepped != null ? stepped : make.get());
      made.put(key, m);
    }
    return m.policy();
  }

  /**
   * True when both lists hold the very same objects in the same order: informers replace an
   * object on every change and never mutate it, so what was read from these objects still holds.
   */
  public static boolean sameInstances(List<?> a, List<?> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  /** How many pods are remembered (for tests). */
  int size() {
    return pods.size();
  }
}
