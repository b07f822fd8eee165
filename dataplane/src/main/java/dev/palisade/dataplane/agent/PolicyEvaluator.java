package dev.palisade.dataplane.agent;

import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.NodeRules;
import dev.palisade.dataplane.render.NodeRules.Direction;
import dev.palisade.dataplane.render.NodeRules.Enforcement;
import dev.palisade.dataplane.render.NodeRules.Group;
import java.util.HashMap;
import java.util.Map;

/**
 * Pure: would this node's rules let a NEW connection through? The same decision the rendered
 * ruleset makes in the kernel, used to find live connections that a tightened policy no longer
 * allows (they must be cut: nftables only judges new connections, established ones bypass it).
 */
public final class PolicyEvaluator {
  private final Map<Long, Group> byIp = new HashMap<>();

  public PolicyEvaluator(NodeRules rules) {
    for (Group g : rules.groups()) {
      for (String ip : g.podIps()) {
        byIp.put(Interval.parseIp(ip), g);
      }
    }
  }

  /** True if the local end(s) of src -> dst:port allow it; a non-local end is judged on its own node. */
  public boolean allows(String src, String dst, AllowRect.Proto proto, int port) {
    long s = Interval.parseIp(src);
    long d = Interval.parseIp(dst);
    Group from = byIp.get(s);
    if (from != null && !passes(from.egress(), d, proto, port)) {
      return false;
    }
    Group to = byIp.get(d);
    return to == null || passes(to.ingress(), s, proto, port);
  }

  /** True if the connection has a local end that is restricted at all (others need no check). */
  public boolean involvesRestricted(String src, String dst) {
    Group from = byIp.get(Interval.parseIp(src));
    Group to = byIp.get(Interval.parseIp(dst));
    return (from != null && from.egress().restricted()) || (to != null && to.ingress().restricted());
  }

  static boolean passes(Direction d, long peer, AllowRect.Proto proto, int port) {
    if (d.npIsolated() && !(inAny(d.npAny(), peer) || inRects(d.np(), peer, proto, port))) {
      return false;
    }
    if (d.enforcement() == Enforcement.ENFORCE) {
      return inAny(d.approvedAny(), peer) || inRects(d.approved(), peer, proto, port);
    }
    return true;
  }

  private static boolean inAny(java.util.Set<Interval> any, long peer) {
    return any.stream().anyMatch(i -> i.contains(peer));
  }

  private static boolean inRects(java.util.Set<AllowRect> rects, long peer, AllowRect.Proto proto, int port) {
    return rects.stream().anyMatch(r -> r.protocol() == proto && r.peers().contains(peer) && r.ports().contains(port));
  }
}
