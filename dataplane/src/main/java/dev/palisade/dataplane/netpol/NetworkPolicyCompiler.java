package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.netpol.ClusterView.LivePod;
import dev.palisade.dataplane.netpol.ClusterView.NamedPort;
import dev.palisade.dataplane.netpol.CompiledPolicy.PortMatch;
import dev.palisade.dataplane.netpol.CompiledPolicy.Rule;
import dev.palisade.dataplane.render.AllowRect;
import dev.palisade.dataplane.render.Disjoint;
import dev.palisade.dataplane.render.Interval;
import dev.palisade.dataplane.render.RectSet;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Pure: Kubernetes NetworkPolicy (networking.k8s.io/v1) -> what each given pod's two directions
 * allow, as address ranges and (address range, protocol, port range) rectangles the renderer
 * enforces. The semantics, exactly as upstream:
 *
 * <ul>
 *   <li>a policy selects pods of its own namespace by spec.podSelector; a pod selected by a policy
 *       whose policyTypes hold Ingress (Egress) is isolated for ingress (egress), and then only
 *       what some such policy's rules allow passes: policies and rules are a union;
 *   <li>policyTypes absent: Ingress, plus Egress if the policy has egress rules;
 *   <li>peers in from/to are OR'd; podSelector and namespaceSelector in one peer are AND'd; a
 *       podSelector alone means the policy's namespace; from/to absent means every address;
 *   <li>ipBlock is cidr minus its own except list; it matches any address, pods' included;
 *   <li>ports absent means every protocol and port; a missing protocol is TCP; a port entry with
 *       only a protocol is every port of it; endPort is inclusive; a named port is resolved on the
 *       destination pod (ingress: the selected pod itself; egress: each peer pod, so one rule gives
 *       one rectangle per peer pod that has the name, and nothing for non-pod addresses).
 * </ul>
 *
 * Invalid policies are reported and skipped whole ({@link PolicyReader}).
 */
public final class NetworkPolicyCompiler {
  private NetworkPolicyCompiler() {}

  /**
   * @param pods per requested IP that belongs to a live pod (see {@link ClusterView}): its policy,
   *     {@link PodPolicy#OPEN} when no policy selects it; requested IPs of no live pod are absent
   * @param problems one line per problem of a skipped policy: "ns/name: field: what"
   */
  public record Result(Map<String, PodPolicy> pods, List<String> problems) {
    public Result {
      pods = java.util.Collections.unmodifiableMap(new TreeMap<>(pods));
      problems = List.copyOf(problems);
    }
  }

  /**
   * What is wrong with a policy, one line per problem ("ns/name: field: what"); empty when it is
   * valid. A policy with problems is skipped whole by {@link #compile}.
   */
  public static List<String> problems(NetworkPolicy policy) {
    List<String> problems = new ArrayList<>();
    PolicyReader.read(policy, problems);
    return List.copyOf(problems);
  }

  /**
   * @param policies every NetworkPolicy in the cluster
   * @param namespaces every namespace (for namespaceSelector)
   * @param pods every pod in the cluster (the peers)
   * @param forIps the pods to compute rules for (normally the pods on this node), by IPv4 address
   */
  public static Result compile(List<NetworkPolicy> policies, List<Namespace> namespaces, List<Pod> pods,
      Set<String> forIps) {
    return compile(policies, namespaces, pods, forIps, new PodViews());
  }

  /**
   * As {@link #compile(List, List, List, Set)}, reusing what {@code views} read from pod objects an
   * earlier call saw (an agent compiles on every change, and most pods have not changed).
   */
  public static Result compile(List<NetworkPolicy> policies, List<Namespace> namespaces, List<Pod> pods,
      Set<String> forIps, PodViews views) {
    views.begin(pods);
    return compile(policies, namespaces, forIps, views);
  }

  /**
   * As {@link #compile(List, List, List, Set, PodViews)} on the pods {@code views} held after the
   * last compile, moved by {@code changed} (namespace/name -> the pod now; null: gone): the agent's
   * path for one pod event, which costs the changed pods and the rules they match, not every pod.
   */
  public static Result compile(List<NetworkPolicy> policies, List<Namespace> namespaces, Map<String, Pod> changed,
      Set<String> forIps, PodViews views) {
    views.begin(changed);
    return compile(policies, namespaces, forIps, views);
  }

  private static Result compile(List<NetworkPolicy> policies, List<Namespace> namespaces, Set<String> forIps,
      PodViews views) {
    List<String> problems = new ArrayList<>();
    List<CompiledPolicy> compiled = new ArrayList<>();
    for (NetworkPolicy np : policies) {
      CompiledPolicy p = views.policy(np, problems);
      if (p != null) {
        compiled.add(p);
      }
    }
    ClusterView cluster = views.cluster(namespaces);
    PeerResolver peers = views.resolver(cluster);
    Map<String, PodPolicy> out = new TreeMap<>();
    // Pods the same policies select get the same answer (unless a named port makes it their own):
    // computed once and shared, as the peers are, and kept while its policies and peers are the
    // same objects. A node's pods of one workload then cost one, and an unchanged answer none.
    Map<List<Object>, PodPolicy> bySelection = new java.util.HashMap<>();
    // in any order: pods of one key get one answer, whichever of them is asked first
    for (String ip : forIps) {
      LivePod pod = cluster.byIp(ip);
      if (pod != null) {
        List<Object> key = views.selection(pod, compiled, NetworkPolicyCompiler::selection);
        out.put(ip, bySelection.computeIfAbsent(key, k -> {
          List<Object> from = inputs(pod, compiled, peers);
          return views.podPolicy(k, from, () -> forPod(pod, compiled, peers),
              (wasFrom, was) -> PeerSteps.step(pod, compiled, wasFrom, from, was));
        }));
      }
    }
    views.keep(peers);
    return new Result(out, problems);
  }

  /**
   * What {@link #forPod} depends on for this pod: which policies select it, and its own named
   * ports when an ingress rule of one of them names a port (then the answer is the pod's own).
   */
  private static List<Object> selection(LivePod pod, List<CompiledPolicy> policies) {
    List<Object> key = new ArrayList<>();
    boolean named = false;
    for (int i = 0; i < policies.size(); i++) {
      CompiledPolicy p = policies.get(i);
      if (p.namespace().equals(pod.namespace()) && p.podSelector().test(pod.labels())) {
        key.add(i);
        named |= p.isolatesIngress() && p.ingress().stream().anyMatch(r -> r.ports().stream()
            .anyMatch(m -> m instanceof PortMatch.Named));
      }
    }
    if (named) {
      key.add(pod.ports());
    }
    return key;
  }

  /** The objects {@link #forPod} reads for this pod: the policies selecting it and their rules' peers. */
  private static List<Object> inputs(LivePod pod, List<CompiledPolicy> policies, PeerResolver peers) {
    List<Object> from = new ArrayList<>();
    for (CompiledPolicy p : policies) {
      if (!p.namespace().equals(pod.namespace()) || !p.podSelector().test(pod.labels())) {
        continue;
      }
      from.add(p);
      if (p.isolatesIngress()) {
        p.ingress().forEach(r -> from.add(peers.resolve(p, r)));
      }
      if (p.isolatesEgress()) {
        p.egress().forEach(r -> from.add(peers.resolve(p, r)));
      }
    }
    return from;
  }

  private static PodPolicy forPod(LivePod pod, List<CompiledPolicy> policies, PeerResolver peers) {
    SideBuilder in = new SideBuilder();
    SideBuilder out = new SideBuilder();
    for (CompiledPolicy p : policies) {
      if (!p.namespace().equals(pod.namespace()) || !p.podSelector().test(pod.labels())) {
        continue;
      }
      if (p.isolatesIngress()) {
        in.isolated = true;
        for (Rule r : p.ingress()) {
          ingressRule(r, peers.resolve(p, r), pod, in);
        }
      }
      if (p.isolatesEgress()) {
        out.isolated = true;
        for (Rule r : p.egress()) {
          egressRule(r, peers.resolve(p, r), out);
        }
      }
    }
    return in.isolated || out.isolated ? new PodPolicy(in.build(), out.build()) : PodPolicy.OPEN;
  }

  /** Named ports are the selected pod's own: it is the destination of everything it receives. */
  private static void ingressRule(Rule r, PeerResolver.Peers from, LivePod self, SideBuilder side) {
    if (r.ports().isEmpty()) {
      side.any.addAll(from.ranges());
      return;
    }
    for (PortMatch m : r.ports()) {
      if (m instanceof PortMatch.Numbered n) {
        side.rects(from.ranges(), n.protocol(), n.ports());
      } else if (m instanceof PortMatch.Named named) {
        for (NamedPort cp : self.ports()) {
          if (cp.name().equals(named.name()) && cp.protocol() == named.protocol()) {
            side.rects(from.ranges(), cp.protocol(), Interval.port(cp.port()));
          }
        }
      }
    }
  }

  /** Named ports are each destination pod's: the same name may be a different number on each. */
  private static void egressRule(Rule r, PeerResolver.Peers to, SideBuilder side) {
    if (r.ports().isEmpty()) {
      side.any.addAll(to.ranges());
      return;
    }
    for (PortMatch m : r.ports()) {
      if (m instanceof PortMatch.Numbered n) {
        side.rects(to.ranges(), n.protocol(), n.ports());
      } else if (m instanceof PortMatch.Named named) {
        side.rects.addAll(to.namedPortRects(named));
      }
    }
  }

  private static final class SideBuilder {
    boolean isolated;
    final List<Interval> any = new ArrayList<>();
    final List<AllowRect> rects = new ArrayList<>();

    void rects(List<Interval> peers, AllowRect.Proto proto, Interval ports) {
      for (Interval peer : peers) {
        rects.add(new AllowRect(peer, proto, ports));
      }
    }

    PodPolicy.Side build() {
      if (!isolated) {
        return PodPolicy.Side.OPEN;
      }
      // Rectangles are left overlapping: the renderer makes them disjoint once, and doing it here
      // too would double a cost that grows with (peer pods x rules).
      // a RectSet, so the next compile can move it by the peers that changed (PeerSteps)
      return new PodPolicy.Side(true, Set.copyOf(Disjoint.merge(any)), RectSet.of(rects));
    }
  }
}
