package dev.palisade.dataplane.render;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What one node must enforce, already resolved from identities to addresses: the renderer's
 * input. Local pods are grouped (normally one group per identity) and each group carries, per
 * direction, what NetworkPolicy allows and what the approved allow-list allows.
 *
 * <p>The groups are IPv4 only, as the rendered rules are. {@code closedV6} holds the IPv6
 * addresses of local pods that are restricted at all (either direction NetworkPolicy-isolated or
 * not in learn mode): the ruleset drops every IPv6 connection to or from them, so a dual-stack
 * pod cannot be reached around its IPv4 rules. Held in canonical (RFC 5952) text.
 */
public record NodeRules(List<Group> groups, Failsafe failsafe, Set<String> closedV6) {
  private static final Pattern GROUP_NAME = Pattern.compile("[a-z0-9_]{1,40}");

  public NodeRules {
    groups = List.copyOf(groups);
    java.util.Objects.requireNonNull(failsafe, "failsafe");
    // one dispatch element per address: the kernel refuses a map with one key twice
    Map<Long, String> groupOf = new HashMap<>();
    for (Group g : groups) {
      for (String ip : g.podIps()) {
        String other = groupOf.put(Interval.parseIp(ip), g.name());
        if (other != null) {
          throw new IllegalArgumentException("pod address " + ip + " is in two groups: " + other + " and " + g.name());
        }
      }
    }
    Set<String> v6 = new TreeSet<>();
    closedV6.forEach(a -> v6.add(Ipv6.podAddress(a)));
    closedV6 = Set.copyOf(v6);
  }

  public NodeRules(List<Group> groups) {
    this(groups, Failsafe.NONE);
  }

  public NodeRules(List<Group> groups, Failsafe failsafe) {
    this(groups, failsafe, Set.of());
  }

  /** The same rules, with {@code closedV6} (pod IPv6 addresses in any valid text) closed. */
  public NodeRules withClosedV6(Set<String> closedV6) {
    return new NodeRules(groups, failsafe, closedV6);
  }

  /**
   * What {@code closedV6} must hold: the IPv6 addresses of the local pods, given as pod IPv4
   * address -> that pod's IPv6 addresses, whose group restricts either direction. A pod in no
   * group is unrestricted.
   */
  public Set<String> restrictedV6(Map<String, ? extends Collection<String>> v6ByPodIpv4) {
    if (v6ByPodIpv4.isEmpty()) {
      return Set.of(); // an IPv4-only node: no need to index every local address on each sync
    }
    Map<Long, Group> byIp = new HashMap<>();
    groups.forEach(g -> g.podIps().forEach(ip -> byIp.put(Interval.parseIp(ip), g)));
    Set<String> out = new TreeSet<>();
    v6ByPodIpv4.forEach((v4, v6) -> {
      Group g = byIp.get(Interval.parseIp(v4));
      if (g != null && (g.ingress().restricted() || g.egress().restricted())) {
        v6.forEach(a -> out.add(Ipv6.podAddress(a)));
      }
    });
    return out;
  }

  /**
   * Traffic no policy may cut, judged before any group's rules, so a bad policy cannot cut the
   * cluster off from its own control plane: {@code sources} (this node's own addresses: kubelet
   * health probes, host agents) to any pod, and any pod to {@code destinations} (the API server's
   * service and endpoints on their ports, the cluster DNS service and its pods on port 53).
   */
  public record Failsafe(Set<Interval> sources, Set<AllowRect> destinations) {
    public static final Failsafe NONE = new Failsafe(Set.of(), Set.of());

    public Failsafe {
      sources = Set.copyOf(sources);
      destinations = Set.copyOf(destinations);
    }
  }

  /** How the approved allow-list part is applied (Palisade's own modes). */
  public enum Enforcement {
    /** learn: never drop for the allow-list part (flows are recorded by conntrack). */
    OPEN,
    /** monitor: accept, but log what enforce would drop. */
    MONITOR,
    /** enforce: drop and log what is not approved. */
    ENFORCE
  }

  /**
   * The rules of one direction. {@code npIsolated}: a NetworkPolicy of this direction selects the
   * pods, so only {@code npAny} (any protocol/port) and {@code np} pass it. The approved part
   * applies per {@code enforcement}. {@code admin} and {@code baseline}: what the ClusterNetworkPolicy
   * tiers decide for this side (first match already resolved, {@link TierOrder}); the Admin tier is
   * judged before everything else, the Baseline tier only where neither NetworkPolicy nor an
   * enforced allow-list has the final word.
   */
  public record Direction(
      boolean npIsolated, Set<Interval> npAny, Set<AllowRect> np,
      Enforcement enforcement, Set<Interval> approvedAny, Set<AllowRect> approved,
      TierOrder.TierRects admin, TierOrder.TierRects baseline) {
    public Direction {
      npAny = Set.copyOf(npAny);
      approvedAny = Set.copyOf(approvedAny);
      // a RectSet is immutable and carries what moved since its predecessor: kept, not copied
      np = np instanceof RectSet ? np : Set.copyOf(np);
      approved = approved instanceof RectSet ? approved : Set.copyOf(approved);
      java.util.Objects.requireNonNull(admin, "admin");
      java.util.Objects.requireNonNull(baseline, "baseline");
    }

    /** Without cluster policies. */
    public Direction(boolean npIsolated, Set<Interval> npAny, Set<AllowRect> np,
        Enforcement enforcement, Set<Interval> approvedAny, Set<AllowRect> approved) {
      this(npIsolated, npAny, np, enforcement, approvedAny, approved, TierOrder.TierRects.NONE, TierOrder.TierRects.NONE);
    }

    public static final Direction OPEN = new Direction(false, Set.of(), Set.of(), Enforcement.OPEN, Set.of(), Set.of());

    public boolean restricted() {
      return npIsolated || enforcement != Enforcement.OPEN || !admin.isEmpty() || baselineApplies();
    }

    /**
     * The Baseline tier has a say only where nothing before it is final: NetworkPolicy isolates
     * nothing here and the approved allow-list is not enforced (an approved edge is as final as a
     * NetworkPolicy allow). Only its denials need rendering: an accept is the default anyway.
     */
    public boolean baselineApplies() {
      return !npIsolated && enforcement != Enforcement.ENFORCE && !baseline.deny().isEmpty();
    }
  }

  /**
   * Local pods that share rules. {@code name} is the deterministic suffix of the group's chains
   * and sets (the identity id, plus a variant suffix where named ports resolve differently).
   */
  public record Group(String name, long identity, Set<String> podIps, Direction ingress, Direction egress) {
    public Group {
      if (!GROUP_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("group name must match " + GROUP_NAME.pattern() + ": " + name);
      }
      podIps = Set.copyOf(podIps);
      podIps.forEach(Interval::ip);
    }
  }
}
