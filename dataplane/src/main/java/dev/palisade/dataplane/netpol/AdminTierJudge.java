package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.netpol.ClusterView.LivePod;
import dev.palisade.dataplane.netpol.ClusterView.NamedPort;
import dev.palisade.model.Cidr;
import dev.palisade.model.Protocol;
import dev.palisade.model.cnp.ClusterNetworkPolicy;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Action;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Peer;
import dev.palisade.model.cnp.ClusterNetworkPolicy.PortMatch;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Rule;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Selection;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Tier;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Comparator;
import java.util.List;

/**
 * Pure: which Admin-tier ClusterNetworkPolicy rule decides one connection between two pods, per
 * direction, with the policy and rule named. The same semantics as {@link ClusterPolicyCompiler}
 * (priority lowest first, equal priorities by name, rules in order, first match decides, Pass ends
 * the tier with no verdict; named ports resolve on the destination pod), asked for one point
 * instead of compiled into regions: the controller asks it whether an org guardrail settles a
 * learned edge, and needs the rule's name for the audit log and the reviewer.
 *
 * <p>Kept beside the compiler rather than derived from its regions because the regions forget
 * which rule made them; {@code AdminTierJudgeTest} checks the two agree on random policies.
 */
public final class AdminTierJudge {
  private AdminTierJudge() {}

  /** One deciding rule: Accept, Deny or Pass, of which policy. */
  public record Match(String policy, String rule, Action action, boolean egress) {
    /** As the page, the audit log and a 4xx name it. */
    public String text() {
      return ClusterNetworkPolicy.KIND + " " + policy + (rule == null || rule.isEmpty() ? "" : " rule " + rule)
          + " (Admin " + action.name().charAt(0) + action.name().substring(1).toLowerCase(java.util.Locale.ROOT)
          + ", " + (egress ? "egress" : "ingress") + ")";
    }
  }

  /** The first Admin match of each direction: the client's egress and the server's ingress; null where none. */
  public record Judgement(Match egress, Match ingress) {
    /** A Deny in either direction: the connection never passes, whatever is approved. */
    public Match deny() {
      if (egress != null && egress.action() == Action.DENY) {
        return egress;
      }
      return ingress != null && ingress.action() == Action.DENY ? ingress : null;
    }

    /** An Accept in some direction and a Deny in none: the org has said this connection may happen. */
    public Match accept() {
      if (deny() != null) {
        return null;
      }
      if (egress != null && egress.action() == Action.ACCEPT) {
        return egress;
      }
      return ingress != null && ingress.action() == Action.ACCEPT ? ingress : null;
    }
  }

  /**
   * @param policies valid policies of both tiers (the Baseline tier is ignored here)
   * @return null when either pod cannot be judged (no IPv4 address, finished, host network)
   */
  public static Judgement judge(List<ClusterNetworkPolicy> policies, List<Namespace> namespaces, Pod client,
      Pod server, Protocol protocol, int port) {
    LivePod src = ClusterView.live(client);
    LivePod dst = ClusterView.live(server);
    if (src == null || dst == null) {
      return null;
    }
    ClusterView cluster = new ClusterView(namespaces, List.of());
    List<ClusterNetworkPolicy> admin = policies.stream().filter(p -> p.tier() == Tier.ADMIN)
        .sorted(Comparator.comparingInt(ClusterNetworkPolicy::priority).thenComparing(ClusterNetworkPolicy::name))
        .toList();
    return new Judgement(first(admin, cluster, src, dst, protocol, port, true),
        first(admin, cluster, src, dst, protocol, port, false));
  }

  /** The first rule of the tier that matches, judged from the subject's side of this direction. */
  private static Match first(List<ClusterNetworkPolicy> admin, ClusterView cluster, LivePod src, LivePod dst,
      Protocol protocol, int port, boolean egress) {
    LivePod subject = egress ? src : dst;
    LivePod peer = egress ? dst : src;
    for (ClusterNetworkPolicy p : admin) {
      if (!selects(p.subject(), cluster, subject)) {
        continue;
      }
      for (Rule r : egress ? p.egress() : p.ingress()) {
        if (matches(r, cluster, peer, dst, protocol, port, egress)) {
          return new Match(p.name(), r.name(), r.action(), egress);
        }
      }
    }
    return null;
  }

  private static boolean selects(Selection s, ClusterView cluster, LivePod pod) {
    return LabelSelectors.matches(s.namespaces(), cluster.namespaceLabels(pod.namespace()))
        && (s.pods() == null || LabelSelectors.matches(s.pods(), pod.labels()));
  }

  /**
   * Peers are OR'd. A named port of an egress rule resolves on the peer pod, so it never matches a
   * {@code networks} peer there (as the compiler has it); on ingress it is the subject's own port.
   */
  private static boolean matches(Rule r, ClusterView cluster, LivePod peer, LivePod destination, Protocol protocol,
      int port, boolean egress) {
    for (Peer p : r.peers()) {
      if (p instanceof Peer.Pods pods && selects(pods.selection(), cluster, peer)
          && portMatches(r, destination, protocol, port, true)) {
        return true;
      }
      if (p instanceof Peer.Networks n && portMatches(r, destination, protocol, port, !egress)) {
        int ip = Cidr.parseIp(peer.ip(), "pod address");
        if (n.cidrs().stream().anyMatch(c -> c.contains(ip))) {
          return true;
        }
      }
    }
    return false;
  }

  /** No protocols: every port of TCP, UDP and SCTP; a named port is the destination pod's. */
  private static boolean portMatches(Rule r, LivePod destination, Protocol protocol, int port, boolean named) {
    if (r.ports().isEmpty()) {
      return true;
    }
    for (PortMatch m : r.ports()) {
      if (m instanceof PortMatch.Numbered num && num.protocol() == protocol && num.from() <= port && port <= num.to()) {
        return true;
      }
      if (named && m instanceof PortMatch.Named n) {
        for (NamedPort np : destination.ports()) {
          if (np.name().equals(n.name()) && np.port() == port && np.protocol().name().equals(protocol.name())) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
