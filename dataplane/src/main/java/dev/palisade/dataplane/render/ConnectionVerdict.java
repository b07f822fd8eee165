package dev.palisade.dataplane.render;

import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pure: the verdict this node's rendered ruleset gives a NEW connection, decided here once for
 * everything in Java that must know what the kernel does: cutting live connections that a
 * tightened policy no longer allows (conntrack carries established ones past nftables; cutting
 * one the kernel would accept breaks DNS or probes for nothing), and explaining drops. It walks
 * {@link RulesetRenderer}'s forward chain stage by stage in the same order; a test renders random
 * rules and asserts the packet tracer agrees on random connections, logs included.
 *
 * <p>An enforced or monitored egress check also passes what the pod's approved DNS names resolved
 * to for it (the {@code fqdn4} rule, {@link RulesetRenderer#FQDN_RULE}); that set is written by the
 * DNS hold, not rendered, so its contents come in as {@link Names}.
 *
 * <p>{@code dst} is the destination as the forward hook sees it: after DNAT, so for a conntrack
 * entry the reply tuple's source, not the service address the client dialled. Immutable and
 * thread-safe once built.
 */
public final class ConnectionVerdict {
  /** The stage that decided, in the forward chain's order. */
  public enum Stage {
    /** Dropped: IPv6 from or to a restricted pod ({@code closed_v6}). */
    CLOSED_V6(false),
    /** Accepted: the source is one of this node's own addresses ({@code failsafe_src}). */
    FAILSAFE_SOURCE(true),
    /** Accepted: the destination is the control plane or cluster DNS ({@code failsafe_dst}). */
    FAILSAFE_DESTINATION(true),
    /** Dropped: an Admin-tier ClusterNetworkPolicy rule denies it (first match). */
    ADMIN_DENY(false),
    /** Dropped: a NetworkPolicy isolates the group's side and allows nothing that matches. */
    NETWORK_POLICY(false),
    /** Dropped: the group's side is enforced and its approved allow-list does not hold it. */
    ALLOW_LIST(false),
    /** Dropped: a Baseline-tier ClusterNetworkPolicy rule denies it and nothing before it was final. */
    BASELINE_DENY(false),
    /** Accepted: every restricted local end let it pass (a monitored one may have logged). */
    ALLOWED(true),
    /** Accepted: no local end restricts it (the chain's policy accept). */
    UNRESTRICTED(true);

    private final boolean passes;

    Stage(boolean passes) {
      this.passes = passes;
    }
  }

  /** Which end of the connection a group's rules are for. */
  public enum Side {
    /** The destination is local: its group's ingress rules, peer = source. */
    INGRESS("in"),
    /** The source is local: its group's egress rules, peer = destination. */
    EGRESS("out");

    private final String dir;

    Side(String dir) {
      this.dir = dir;
    }

    /** As in the log prefix: in, out. */
    public String dir() {
      return dir;
    }
  }

  /** An NFLOG line the kernel writes on the way: group 100 for drops, 101 for monitor's would-drops. */
  public record Log(String prefix, int nflogGroup) {
    /** As the packet tracer writes it: {@code prefix@group}. */
    public String text() {
      return prefix + "@" + nflogGroup;
    }
  }

  /**
   * The verdict: {@code stage} decided; {@code group} and {@code side} say whose rules dropped it
   * (null for stages no group decides; CLOSED_V6 has a side but no group); {@code logs} are every
   * NFLOG line on the way, in order.
   */
  public record Verdict(Stage stage, String group, Side side, List<Log> logs) {
    public Verdict {
      logs = List.copyOf(logs);
    }

    public boolean passes() {
      return stage.passes;
    }

    /** One line for a developer asking why. */
    public String explain() {
      String whose = group == null ? "" : " (group " + group + ", " + side.name().toLowerCase(java.util.Locale.ROOT) + ")";
      String text = switch (stage) {
        case CLOSED_V6 -> "dropped: IPv6 " + (side == Side.EGRESS ? "from" : "to")
            + " a restricted pod, whose rules are enforced on IPv4 only";
        case FAILSAFE_SOURCE -> "accepted: the source is this node (failsafe)";
        case FAILSAFE_DESTINATION -> "accepted: the destination is the control plane or cluster DNS (failsafe)";
        case ADMIN_DENY -> "dropped: an Admin-tier ClusterNetworkPolicy denies it" + whose;
        case NETWORK_POLICY -> "dropped: no NetworkPolicy allows it" + whose;
        case BASELINE_DENY -> "dropped: a Baseline-tier ClusterNetworkPolicy denies it" + whose;
        case ALLOW_LIST -> "dropped: not in the approved allow-list" + whose;
        case ALLOWED -> "accepted: allowed by the rules of its restricted end(s)";
        case UNRESTRICTED -> "accepted: no local end restricts it";
      };
      List<String> wouldDrop = logs.stream().filter(l -> l.nflogGroup() == RulesetRenderer.WOULD_DROP_LOG_GROUP)
          .map(Log::prefix).toList();
      return wouldDrop.isEmpty() ? text : text + "; monitor would drop it: " + String.join(", ", wouldDrop);
    }
  }

  /** What the {@code fqdn4} set holds: whether {@code pod} may reach {@code remote} by a name it resolved. */
  @FunctionalInterface
  public interface Names {
    Names NONE = (pod, remote, proto, port) -> false;

    boolean granted(String pod, String remote, Proto proto, int port);
  }

  private final Map<Long, Group> byIp = new HashMap<>();
  private final NodeRules.Failsafe failsafe;
  private final Set<String> closedV6;
  private final Names names;

  /** Without names: no approved name's addresses pass (the fqdn4 set empty). */
  public ConnectionVerdict(NodeRules rules) {
    this(rules, Names.NONE);
  }

  public ConnectionVerdict(NodeRules rules, Names names) {
    this.names = names;
    for (Group g : rules.groups()) {
      for (String ip : g.podIps()) {
        byIp.put(Interval.parseIp(ip), g);
      }
    }
    failsafe = rules.failsafe();
    closedV6 = rules.closedV6();
  }

  /**
   * The verdict on a NEW connection src -> dst:port/proto. Both addresses IPv4 or both IPv6 (any
   * valid text); anything else is refused with an IllegalArgumentException naming it.
   */
  public Verdict judge(String src, String dst, Proto proto, int port) {
    boolean v6 = Ipv6.isV6(src);
    if (v6 != Ipv6.isV6(dst)) {
      throw new IllegalArgumentException("a connection cannot mix address families: " + src + " -> " + dst);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535: " + port);
    }
    if (v6) {
      if (closedV6.contains(Ipv6.canonical(src))) {
        return closed(Side.EGRESS);
      }
      if (closedV6.contains(Ipv6.canonical(dst))) {
        return closed(Side.INGRESS);
      }
      return new Verdict(Stage.UNRESTRICTED, null, null, List.of()); // every other rule is IPv4 only
    }
    long s = Interval.parseIp(src);
    long d = Interval.parseIp(dst);
    if (failsafe.sources().stream().anyMatch(i -> i.contains(s))) {
      return new Verdict(Stage.FAILSAFE_SOURCE, null, null, List.of());
    }
    if (inRects(failsafe.destinations(), d, proto, port)) {
      return new Verdict(Stage.FAILSAFE_DESTINATION, null, null, List.of());
    }
    List<Log> logs = new ArrayList<>();
    boolean checked = false;
    Group from = byIp.get(s);
    if (from != null && from.egress().restricted()) {
      checked = true;
      boolean byName = names.granted(src, dst, proto, port);
      Verdict dropped = check(from, Side.EGRESS, d, proto, port, byName, logs);
      if (dropped != null) {
        return dropped;
      }
    }
    Group to = byIp.get(d);
    if (to != null && to.ingress().restricted()) {
      checked = true;
      Verdict dropped = check(to, Side.INGRESS, s, proto, port, false, logs);
      if (dropped != null) {
        return dropped;
      }
    }
    return new Verdict(checked ? Stage.ALLOWED : Stage.UNRESTRICTED, null, null, logs);
  }

  /** True if the kernel would accept the connection as a new one: cut it only if false. */
  public boolean allows(String src, String dst, Proto proto, int port) {
    return judge(src, dst, proto, port).passes();
  }

  /**
   * True if a local end of the connection is restricted at all; when false, {@link #allows} is
   * true for every protocol and port, so a caller may skip the check.
   */
  public boolean involvesRestricted(String src, String dst) {
    if (Ipv6.isV6(src) || Ipv6.isV6(dst)) {
      return closedV6.contains(Ipv6.canonical(src)) || closedV6.contains(Ipv6.canonical(dst));
    }
    Group from = byIp.get(Interval.parseIp(src));
    Group to = byIp.get(Interval.parseIp(dst));
    return (from != null && from.egress().restricted()) || (to != null && to.ingress().restricted());
  }

  private static Verdict closed(Side side) {
    String prefix = RulesetRenderer.logPrefix("v6", side.dir(), RulesetRenderer.V6_GROUP);
    return new Verdict(Stage.CLOSED_V6, null, side, List.of(new Log(prefix, RulesetRenderer.DROP_LOG_GROUP)));
  }

  /**
   * One side's chains in the renderer's order: Admin tier, NetworkPolicy, the allow-list, Baseline
   * tier; null if it passes. {@code byName}: the fqdn4 rule of the egress allow-list chain matches.
   */
  private static Verdict check(Group g, Side side, long peer, Proto proto, int port, boolean byName,
      List<Log> logs) {
    Direction d = side == Side.INGRESS ? g.ingress() : g.egress();
    dev.palisade.model.cnp.ClusterNetworkPolicy.Action admin = d.admin().decide(peer, proto, port);
    if (admin == dev.palisade.model.cnp.ClusterNetworkPolicy.Action.DENY) {
      return new Verdict(Stage.ADMIN_DENY, g.name(), side, logs); // silently: no log
    }
    if (admin == dev.palisade.model.cnp.ClusterNetworkPolicy.Action.ACCEPT) {
      return null; // final for this side: no NetworkPolicy or approval needed
    }
    if (d.npIsolated() && !holds(d.npAny(), d.np(), peer, proto, port)) {
      logs.add(new Log(RulesetRenderer.logPrefix("np", side.dir(), g.name()), RulesetRenderer.DROP_LOG_GROUP));
      return new Verdict(Stage.NETWORK_POLICY, g.name(), side, logs);
    }
    if (d.enforcement() != Enforcement.OPEN && !byName && !holds(d.approvedAny(), d.approved(), peer, proto, port)) {
      if (d.enforcement() == Enforcement.ENFORCE) {
        logs.add(new Log(RulesetRenderer.logPrefix("enforce", side.dir(), g.name()), RulesetRenderer.DROP_LOG_GROUP));
        return new Verdict(Stage.ALLOW_LIST, g.name(), side, logs);
      }
      logs.add(new Log(RulesetRenderer.logPrefix("monitor", side.dir(), g.name()),
          RulesetRenderer.WOULD_DROP_LOG_GROUP));
    }
    if (d.baselineApplies()
        && d.baseline().decide(peer, proto, port) == dev.palisade.model.cnp.ClusterNetworkPolicy.Action.DENY) {
      return new Verdict(Stage.BASELINE_DENY, g.name(), side, logs);
    }
    return null;
  }

  private static boolean holds(Set<Interval> any, Set<AllowRect> rects, long peer, Proto proto, int port) {
    return any.stream().anyMatch(i -> i.contains(peer)) || inRects(rects, peer, proto, port);
  }

  private static boolean inRects(Set<AllowRect> rects, long ip, Proto proto, int port) {
    return rects.stream().anyMatch(r -> r.protocol() == proto && r.peers().contains(ip) && r.ports().contains(port));
  }
}
