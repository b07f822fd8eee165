package dev.palisade.controller.export;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes NetworkPolicy semantics, for tests: is a connection from one endpoint to another on
 * (protocol, port) allowed? A pod is isolated in a direction if any policy of that type selects
 * it; then some rule of those policies must match the peer and port. A connection needs both the
 * source's egress and the destination's ingress. Endpoints outside the cluster have no namespace
 * and match only ipBlocks; pods never match an ipBlock here (that part is plugin-specific).
 */
final class PolicyEvaluator {
  record Endpoint(String namespace, Map<String, String> labels) {
    static Endpoint external() {
      return new Endpoint(null, Map.of());
    }

    boolean isPod() {
      return namespace != null;
    }
  }

  private final List<NetworkPolicy> policies;

  PolicyEvaluator(List<NetworkPolicy> policies) {
    this.policies = policies;
  }

  boolean allowed(Endpoint src, Endpoint dst, String protocol, int port) {
    return ingressAllows(src, dst, protocol, port) && egressAllows(src, dst, protocol, port);
  }

  boolean ingressAllows(Endpoint src, Endpoint dst, String protocol, int port) {
    List<NetworkPolicy> selecting = selecting(dst, "Ingress");
    return selecting.isEmpty() || selecting.stream().flatMap(p -> p.getSpec().getIngress().stream()
        .map(r -> peersMatch(p, r.getFrom(), src) && portsMatch(r.getPorts(), protocol, port)))
        .anyMatch(b -> b);
  }

  boolean egressAllows(Endpoint src, Endpoint dst, String protocol, int port) {
    List<NetworkPolicy> selecting = selecting(src, "Egress");
    return selecting.isEmpty() || selecting.stream().flatMap(p -> p.getSpec().getEgress().stream()
        .map(r -> peersMatch(p, r.getTo(), dst) && portsMatch(r.getPorts(), protocol, port)))
        .anyMatch(b -> b);
  }

  /** Policies of the given type that isolate the endpoint. */
  List<NetworkPolicy> selecting(Endpoint e, String type) {
    if (!e.isPod()) {
      return List.of();
    }
    return policies.stream()
        .filter(p -> p.getMetadata().getNamespace().equals(e.namespace()))
        .filter(p -> types(p).contains(type))
        .filter(p -> matches(p.getSpec().getPodSelector(), e.labels()))
        .toList();
  }

  private static List<String> types(NetworkPolicy p) {
    List<String> t = p.getSpec().getPolicyTypes();
    if (t != null && !t.isEmpty()) {
      return t;
    }
    return p.getSpec().getEgress().isEmpty() ? List.of("Ingress") : List.of("Ingress", "Egress");
  }

  private static boolean peersMatch(NetworkPolicy p, List<NetworkPolicyPeer> peers, Endpoint e) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    return peers.stream().anyMatch(peer -> peerMatches(p, peer, e));
  }

  private static boolean peerMatches(NetworkPolicy p, NetworkPolicyPeer peer, Endpoint e) {
    if (peer.getIpBlock() != null) {
      return !e.isPod() && peer.getIpBlock().getExcept().isEmpty();
    }
    if (!e.isPod()) {
      return false;
    }
    if (peer.getNamespaceSelector() == null) {
      return e.namespace().equals(p.getMetadata().getNamespace()) && matches(peer.getPodSelector(), e.labels());
    }
    Map<String, String> nsLabels = Map.of(NetworkPolicyExporter.NAMESPACE_NAME_LABEL, e.namespace());
    return matches(peer.getNamespaceSelector(), nsLabels)
        && (peer.getPodSelector() == null || matches(peer.getPodSelector(), e.labels()));
  }

  private static boolean portsMatch(List<NetworkPolicyPort> ports, String protocol, int port) {
    if (ports == null || ports.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPort p : ports) {
      String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
      IntOrString v = p.getPort();
      if (v != null && v.getIntVal() == null) {
        throw new IllegalArgumentException("named ports are not modelled here: " + v.getStrVal());
      }
      int from = v == null ? 1 : v.getIntVal();
      int to = v == null ? 65535 : (p.getEndPort() != null ? p.getEndPort() : from);
      if (proto.equals(protocol) && port >= from && port <= to) {
        return true;
      }
    }
    return false;
  }

  static boolean matches(LabelSelector s, Map<String, String> labels) {
    if (s.getMatchExpressions() != null && !s.getMatchExpressions().isEmpty()) {
      throw new IllegalArgumentException("matchExpressions are not modelled here");
    }
    Map<String, String> want = s.getMatchLabels() == null ? Map.of() : s.getMatchLabels();
    return labels.entrySet().containsAll(want.entrySet());
  }
}
