package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.netpol.ClusterView.LivePod;
import dev.palisade.dataplane.netpol.ClusterView.NamedPort;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.TierOrder;
import dev.palisade.dataplane.render.TierOrder.TierRule;
import dev.palisade.model.Cidr;
import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Peer;
import dev.palisade.model.cnp.ClusterNetworkPolicy.PortMatch;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Rule;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Selection;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Tier;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Pure: ClusterNetworkPolicies (already read and valid, {@link
 * dev.palisade.model.cnp.ClusterNetworkPolicyReader}) -> what each given pod's tiers decide per
 * direction, with upstream's semantics:
 *
 * <ul>
 *   <li>a policy applies to the pods its subject selects (namespace labels, and pod labels if
 *       given); per tier, policies are judged by priority, lowest first (equal priorities by name,
 *       for a stable answer), each policy's rules in order; the first matching rule decides;
 *   <li>peers: pods by namespace (and pod) labels; {@code networks} CIDRs, which match pod
 *       addresses too; peers of one rule are OR'd;
 *   <li>no protocols: every port of TCP, UDP and SCTP (other protocols, ICMP among them, are not
 *       judged by the tiers: the ruleset's tier sets are keyed by port); a named port resolves on
 *       the destination pod: the subject pod itself for ingress, each peer pod for egress (so a
 *       named port never matches a {@code networks} peer).
 * </ul>
 */
public final class ClusterPolicyCompiler {
  private ClusterPolicyCompiler() {}

  /** Every port of every protocol the tiers judge. */
  private static final List<Proto> ALL_PROTOCOLS = List.of(Proto.TCP, Proto.UDP, Proto.SCTP);

  /**
   * @param policies every valid ClusterNetworkPolicy
   * @param forIps the pods to compute for (normally this node's), by IPv4 address; an address of
   *     no live pod, or a pod no policy selects, is absent from the answer
   */
  public static Map<String, PodTiers> compile(List<ClusterNetworkPolicy> policies, List<Namespace> namespaces,
      List<Pod> pods, Set<String> forIps) {
    if (policies.isEmpty()) {
      return Map.of();
    }
    ClusterView cluster = new ClusterView(namespaces, pods);
    List<Compiled> ordered = policies.stream()
        .sorted(Comparator.comparing(ClusterNetworkPolicy::tier).thenComparingInt(ClusterNetworkPolicy::priority)
            .thenComparing(ClusterNetworkPolicy::name))
        .map(p -> new Compiled(p, selector(p.subject())))
        .toList();
    Map<Selection, List<LivePod>> peerPods = new HashMap<>();
    // pods with the same namespace, labels and named ports get the same answer: computed once
    Map<List<Object>, PodTiers> memo = new HashMap<>();
    Map<String, PodTiers> out = new TreeMap<>();
    for (String ip : new TreeSet<>(forIps)) {
      LivePod pod = cluster.byIp(ip);
      if (pod == null) {
        continue;
      }
      Map<String, String> nsLabels = cluster.namespaceLabels(pod.namespace());
      List<Compiled> selecting = ordered.stream().filter(c -> c.subject().test(nsLabels, pod.labels())).toList();
      if (selecting.isEmpty()) {
        continue;
      }
      List<Object> key = List.of(selecting, pod.ports());
      out.put(ip, memo.computeIfAbsent(key, k -> forPod(pod, selecting, cluster, peerPods)));
    }
    return out;
  }

  private record Compiled(ClusterNetworkPolicy policy, PodMatcher subject) {}

  /** Namespace labels and pod labels -> selected? */
  @FunctionalInterface
  private interface PodMatcher {
    boolean test(Map<String, String> namespaceLabels, Map<String, String> podLabels);
  }

  private static PodMatcher selector(Selection s) {
    Predicate<Map<String, String>> ns = LabelSelectors.compile(s.namespaces());
    Predicate<Map<String, String>> pods = s.pods() == null ? l -> true : LabelSelectors.compile(s.pods());
    return (nsLabels, podLabels) -> ns.test(nsLabels) && pods.test(podLabels);
  }

  private static PodTiers forPod(LivePod pod, List<Compiled> selecting, ClusterView cluster,
      Map<Selection, List<LivePod>> peerPods) {
    List<TierRule> adminIn = new ArrayList<>();
    List<TierRule> adminOut = new ArrayList<>();
    List<TierRule> baselineIn = new ArrayList<>();
    List<TierRule> baselineOut = new ArrayList<>();
    for (Compiled c : selecting) {
      boolean admin = c.policy().tier() == Tier.ADMIN;
      for (Rule r : c.policy().ingress()) {
        (admin ? adminIn : baselineIn).add(new TierRule(r.action(), matches(r, pod, true, cluster, peerPods)));
      }
      for (Rule r : c.policy().egress()) {
        (admin ? adminOut : baselineOut).add(new TierRule(r.action(), matches(r, pod, false, cluster, peerPods)));
      }
    }
    return new PodTiers(TierOrder.resolve(adminIn), TierOrder.resolve(adminOut), TierOrder.resolve(baselineIn),
        TierOrder.resolve(baselineOut));
  }

  /** The (peer, protocol, port) region one rule matches for this subject pod. */
  private static Set<AllowRect> matches(Rule r, LivePod self, boolean ingress, ClusterView cluster,
      Map<Selection, List<LivePod>> peerPods) {
    Set<AllowRect> out = new HashSet<>();
    for (Peer peer : r.peers()) {
      List<LivePod> pods = peer instanceof Peer.Pods p
          ? peerPods.computeIfAbsent(p.selection(), s -> podsOf(s, cluster)) : List.of();
      List<Interval> addresses = new ArrayList<>();
      if (peer instanceof Peer.Networks n) {
        for (Cidr c : n.cidrs()) {
          addresses.add(Interval.cidr(c.toString()));
        }
      } else {
        pods.forEach(p -> addresses.add(Interval.ip(p.ip())));
      }
      if (r.ports().isEmpty()) {
        for (Interval a : addresses) {
          for (Proto proto : ALL_PROTOCOLS) {
            out.add(new AllowRect(a, proto, Interval.ALL_PORTS));
          }
        }
        continue;
      }
      for (PortMatch m : r.ports()) {
        if (m instanceof PortMatch.Numbered n) {
          Proto proto = Proto.valueOf(n.protocol().name());
          addresses.forEach(a -> out.add(new AllowRect(a, proto, Interval.ports(n.from(), n.to()))));
        } else if (m instanceof PortMatch.Named named) {
          if (ingress) {
            // the subject pod is the destination: its own port of that name, for every peer
            for (NamedPort np : self.ports()) {
              if (np.name().equals(named.name())) {
                addresses.forEach(a -> out.add(new AllowRect(a, np.protocol(), Interval.port(np.port()))));
              }
            }
          } else {
            // each peer pod is a destination with its own number for the name
            for (LivePod p : pods) {
              for (NamedPort np : p.ports()) {
                if (np.name().equals(named.name())) {
                  out.add(new AllowRect(Interval.ip(p.ip()), np.protocol(), Interval.port(np.port())));
                }
              }
            }
          }
        }
      }
    }
    return out;
  }

  private static List<LivePod> podsOf(Selection s, ClusterView cluster) {
    PodMatcher m = selector(s);
    List<LivePod> out = new ArrayList<>();
    for (LivePod p : cluster.pods()) {
      if (m.test(cluster.namespaceLabels(p.namespace()), p.labels())) {
        out.add(p);
      }
    }
    return out;
  }
}
