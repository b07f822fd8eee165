package dev.palisade.dataplane.agent;

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
import java.util.TreeSet;

/**
 * Pure: what the cluster says (local pods and their identities, every identity's pod IPs, the
 * compiled policies) -> what this node must enforce ({@link NodeRules}), with identities already
 * expanded to addresses. One group per local identity, named by its id.
 */
public final class NodeRulesBuilder {
  private NodeRulesBuilder() {}

  /**
   * @param localPods IP -> identity of the pods on this node
   * @param ipsByIdentity every identity's pod IPs in the cluster (peers)
   * @param policies compiled policy per identity; an identity without one is in {@code defaultMode}
   *     with nothing approved
   */
  public static NodeRules build(Map<String, Long> localPods, Map<Long, Set<String>> ipsByIdentity,
      Map<Long, IdentityPolicy> policies, Mode defaultMode) {
    TreeMap<Long, Set<String>> local = new TreeMap<>();
    localPods.forEach((ip, id) -> local.computeIfAbsent(id, k -> new TreeSet<>()).add(ip));
    List<Group> groups = new ArrayList<>();
    for (var e : local.entrySet()) {
      long id = e.getKey();
      IdentityPolicy p = policies.get(id);
      Mode mode = p == null ? defaultMode : p.mode();
      Enforcement enforcement = switch (mode) {
        case LEARN -> Enforcement.OPEN;
        case MONITOR -> Enforcement.MONITOR;
        case ENFORCE -> Enforcement.ENFORCE;
      };
      List<PeerRule> in = p == null ? List.of() : p.ingress();
      List<PeerRule> out = p == null ? List.of() : p.egress();
      groups.add(new Group(Long.toString(id), id, e.getValue(),
          direction(enforcement, in, ipsByIdentity), direction(enforcement, out, ipsByIdentity)));
    }
    return new NodeRules(groups);
  }

  private static Direction direction(Enforcement enforcement, List<PeerRule> rules, Map<Long, Set<String>> ipsByIdentity) {
    if (enforcement == Enforcement.OPEN) {
      return Direction.OPEN;
    }
    Set<AllowRect> rects = new HashSet<>();
    for (PeerRule r : rules) {
      AllowRect.Proto proto = AllowRect.Proto.valueOf(r.protocol().name());
      Interval ports = Interval.ports(r.ports().first(), r.ports().last());
      for (Interval peer : peers(r.peer(), ipsByIdentity)) {
        rects.add(new AllowRect(peer, proto, ports));
      }
    }
    return new Direction(false, Set.of(), Set.of(), enforcement, Set.of(), rects);
  }

  private static List<Interval> peers(Peer peer, Map<Long, Set<String>> ipsByIdentity) {
    if (peer instanceof Peer.OfIdentity id) {
      return ipsByIdentity.getOrDefault(id.identity(), Set.of()).stream().map(Interval::ip).toList();
    }
    Peer.OfCidr c = (Peer.OfCidr) peer;
    return Disjoint.subtract(Interval.cidr(c.cidr().toString()),
        c.except().stream().map(x -> Interval.cidr(x.toString())).toList());
  }
}
