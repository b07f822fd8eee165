package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.netpol.PodPolicy;
import dev.palisade.dataplane.netpol.PodTiers;
import dev.palisade.dataplane.render.TierOrder.TierRects;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Disjoint;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import dev.palisade.model.IdentityPolicy;
import dev.palisade.model.Mode;
import dev.palisade.model.Peer;
import dev.palisade.model.PeerRule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Pure: what the cluster says (local pods and their identities, every identity's pod IPs, the
 * compiled policies) -> what this node must enforce ({@link NodeRules}), with identities already
 * expanded to addresses. One group per local identity, named by its id; where NetworkPolicy
 * treats pods of one identity differently (labels outside the identity, named ports that differ
 * between pods), the identity splits into variants named {@code ID_vN}, numbered by their lowest
 * pod address so the names stay put while pods come and go.
 */
public final class NodeRulesBuilder {
  private NodeRulesBuilder() {}

  /** Without NetworkPolicy: the allow-list and modes only. */
  public static NodeRules build(Map<String, Long> localPods, Map<Long, Set<String>> ipsByIdentity,
      Map<Long, IdentityPolicy> policies, Mode defaultMode) {
    return build(localPods, ipsByIdentity, policies, defaultMode, Map.of(), Map.of());
  }

  /**
   * @param localPods IP -> identity of the pods on this node
   * @param ipsByIdentity every identity's pod IPs in the cluster (peers)
   * @param policies compiled policy per identity; an identity without one is in {@code defaultMode}
   *     with nothing approved
   * @param netpol what NetworkPolicy says per local pod IP; a pod missing here is not isolated
   * @param podModes the mode of local pods (IP -> mode), which beats their policy's: the agent
   *     passes every local pod's (its SegmentationModes and namespaces decide, a list only makes it
   *     stricter); a pod missing here is in its policy's mode, or {@code defaultMode} without one.
   *     So a new workload in an enforced namespace starts closed, not open, while the controller
   *     allocates its identity
   */
  public static NodeRules build(Map<String, Long> localPods, Map<Long, Set<String>> ipsByIdentity,
      Map<Long, IdentityPolicy> policies, Mode defaultMode, Map<String, PodPolicy> netpol,
      Map<String, Mode> podModes) {
    return build(localPods, ipsByIdentity, policies, defaultMode, netpol, podModes, null);
  }

  /** As above, reusing {@code kept}'s approved sets where rules and peer addresses are unchanged (null: none). */
  static NodeRules build(Map<String, Long> localPods, Map<Long, Set<String>> ipsByIdentity,
      Map<Long, IdentityPolicy> policies, Mode defaultMode, Map<String, PodPolicy> netpol,
      Map<String, Mode> podModes, ApprovedRects kept) {
    return build(localPods, ipsByIdentity, policies, defaultMode, netpol, podModes, kept, Map.of());
  }

  /**
   * As above, with what the ClusterNetworkPolicy tiers decide per local pod IP ({@code tiers}; a
   * pod missing there has no cluster policy). Pods of one identity whose tiers differ are variants.
   */
  static NodeRules build(Map<String, Long> localPods, Map<Long, Set<String>> ipsByIdentity,
      Map<Long, IdentityPolicy> policies, Mode defaultMode, Map<String, PodPolicy> netpol,
      Map<String, Mode> podModes, ApprovedRects kept, Map<String, PodTiers> tiers) {
    // identity -> (NetworkPolicy, mode) variant -> its local pods (sorted by address)
    TreeMap<Long, Map<Variant, VariantPods>> local = new TreeMap<>();
    // A policy's hash walks every peer rectangle; pods usually share one PodPolicy instance, so
    // each instance is hashed once, not once per pod.
    Map<PodPolicy, Integer> hashes = new java.util.IdentityHashMap<>();
    localPods.forEach((ip, id) -> {
      IdentityPolicy p = policies.get(id);
      Mode mode = podModes.getOrDefault(ip, p != null ? p.mode() : defaultMode);
      PodPolicy np = netpol.getOrDefault(ip, PodPolicy.OPEN);
      Variant v = new Variant(np, mode, hashes.computeIfAbsent(np, PodPolicy::hashCode),
          tiers.getOrDefault(ip, PodTiers.NONE));
      local.computeIfAbsent(id, k -> new java.util.HashMap<>()).computeIfAbsent(v, k -> new VariantPods()).add(ip);
    });
    List<Group> groups = new ArrayList<>();
    for (var e : local.entrySet()) {
      long id = e.getKey();
      IdentityPolicy p = policies.get(id);
      List<PeerRule> in = p == null ? List.of() : p.ingress();
      List<PeerRule> out = p == null ? List.of() : p.egress();
      List<Map.Entry<Variant, VariantPods>> variants = new ArrayList<>(e.getValue().entrySet());
      variants.sort(java.util.Comparator.comparingLong(v -> v.getValue().lowest));
      for (int i = 0; i < variants.size(); i++) {
        Variant v = variants.get(i).getKey();
        Enforcement enforcement = switch (v.mode()) {
          case LEARN -> Enforcement.OPEN;
          case MONITOR -> Enforcement.MONITOR;
          case ENFORCE -> Enforcement.ENFORCE;
        };
        String name = variants.size() == 1 ? Long.toString(id) : id + "_v" + i;
        groups.add(new Group(name, id, Set.copyOf(variants.get(i).getValue().ips),
            direction(v.netpol().ingress(), enforcement, approved(enforcement, in, ipsByIdentity, kept),
                v.tiers().adminIngress(), v.tiers().baselineIngress()),
            direction(v.netpol().egress(), enforcement, approved(enforcement, out, ipsByIdentity, kept),
                v.tiers().adminEgress(), v.tiers().baselineEgress())));
      }
    }
    return new NodeRules(groups);
  }

  /** Local pods of one identity that NetworkPolicy or their pending mode treat alike. */
  private record Variant(PodPolicy netpol, Mode mode, int netpolHash, PodTiers tiers) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Variant v && mode == v.mode && netpolHash == v.netpolHash
          && (netpol == v.netpol || netpol.equals(v.netpol)) && (tiers == v.tiers || tiers.equals(v.tiers));
    }

    @Override
    public int hashCode() {
      return 31 * netpolHash + mode.hashCode(); // tiers are mostly shared instances: equals tells them apart
    }
  }

  /**
   * A variant's local pods and the lowest of their addresses (what numbers the variants). Each
   * address is parsed once: a sorted set parsed two per comparison, on every sync.
   */
  private static final class VariantPods {
    /** address -> its first text: two texts of one address are one pod address, as a sorted set had them */
    final Map<Long, String> byAddress = new java.util.HashMap<>();
    final java.util.Collection<String> ips = byAddress.values();
    long lowest = Long.MAX_VALUE;

    void add(String ip) {
      long a = Interval.parseIp(ip);
      byAddress.putIfAbsent(a, ip);
      lowest = Math.min(lowest, a);
    }
  }

  private static Direction direction(PodPolicy.Side np, Enforcement enforcement, Set<AllowRect> approved,
      TierRects admin, TierRects baseline) {
    if (!np.isolated() && enforcement == Enforcement.OPEN && admin.isEmpty() && baseline.isEmpty()) {
      return Direction.OPEN;
    }
    return new Direction(np.isolated(), np.any(), np.rects(), enforcement, Set.of(),
        enforcement == Enforcement.OPEN ? Set.of() : approved, admin, baseline);
  }

  private static Set<AllowRect> approved(Enforcement enforcement, List<PeerRule> rules,
      Map<Long, Set<String>> ipsByIdentity, ApprovedRects kept) {
    if (enforcement == Enforcement.OPEN) {
      return Set.of();
    }
    return kept == null ? approved(rules, ipsByIdentity)
        : kept.of(rules, ipsByIdentity, () -> approved(rules, ipsByIdentity));
  }

  private static Set<AllowRect> approved(List<PeerRule> rules, Map<Long, Set<String>> ipsByIdentity) {
    Set<AllowRect> rects = new HashSet<>();
    for (PeerRule r : rules) {
      AllowRect.Proto proto = AllowRect.Proto.valueOf(r.protocol().name());
      Interval ports = Interval.ports(r.ports().first(), r.ports().last());
      for (Interval peer : peers(r.peer(), ipsByIdentity)) {
        rects.add(new AllowRect(peer, proto, ports));
      }
    }
    return rects;
  }

  static List<Interval> peers(Peer peer, Map<Long, Set<String>> ipsByIdentity) {
    if (peer instanceof Peer.OfIdentity id) {
      return ipsByIdentity.getOrDefault(id.identity(), Set.of()).stream().map(Interval::ip).toList();
    }
    if (peer instanceof Peer.OfName) {
      return List.of(); // no fixed addresses: the DNS hold adds what the name resolved to, per pod (fqdn4)
    }
    Peer.OfCidr c = (Peer.OfCidr) peer;
    return Disjoint.subtract(Interval.cidr(c.cidr().toString()),
        c.except().stream().map(x -> Interval.cidr(x.toString())).toList());
  }
}
