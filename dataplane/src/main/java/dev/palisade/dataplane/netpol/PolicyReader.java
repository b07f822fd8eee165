package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.netpol.CompiledPolicy.Peer;
import dev.palisade.dataplane.netpol.CompiledPolicy.PortMatch;
import dev.palisade.dataplane.netpol.CompiledPolicy.Rule;
import dev.palisade.dataplane.render.AllowRect.Proto;
import dev.palisade.dataplane.render.Interval;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Checks one NetworkPolicy the way the API server's validation does and compiles it. A policy
 * with any problem is refused whole: applying the valid half of a policy would allow or deny
 * something its author never wrote (a real API server would have rejected it outright).
 */
final class PolicyReader {
  /** IANA_SVC_NAME, the syntax of a named port: lower-case letters, digits and single inner hyphens. */
  private static final Pattern PORT_NAME = Pattern.compile("(?=.*[a-z])[a-z0-9](-?[a-z0-9])*");

  private final String ref;
  private final List<String> errors = new ArrayList<>();

  private PolicyReader(String ref) {
    this.ref = ref;
  }

  /** The compiled policy, or null after adding one line per problem ("ns/name: field: what") to {@code problems}. */
  static CompiledPolicy read(NetworkPolicy np, List<String> problems) {
    String ns = np.getMetadata() == null ? null : np.getMetadata().getNamespace();
    String name = np.getMetadata() == null ? null : np.getMetadata().getName();
    PolicyReader r = new PolicyReader((ns == null ? "?" : ns) + "/" + (name == null ? "?" : name));
    if (ns == null || ns.isEmpty()) {
      r.error("metadata.namespace", "missing");
    }
    CompiledPolicy p = r.spec(ns, name, np.getSpec() == null ? new NetworkPolicySpec() : np.getSpec());
    if (!r.errors.isEmpty()) {
      problems.addAll(r.errors);
      return null;
    }
    return p;
  }

  private CompiledPolicy spec(String ns, String name, NetworkPolicySpec spec) {
    // spec.podSelector is a struct in the API, not a pointer: absent is {} and selects every pod.
    Predicate<Map<String, String>> target = spec.getPodSelector() == null
        ? labels -> true : selector(spec.getPodSelector(), "spec.podSelector");
    List<Rule> ingress = new ArrayList<>();
    List<NetworkPolicyIngressRule> in = spec.getIngress() == null ? List.of() : spec.getIngress();
    for (int i = 0; i < in.size(); i++) {
      String where = "spec.ingress[" + i + "]";
      ingress.add(rule(in.get(i) == null ? List.of() : in.get(i).getFrom(),
          in.get(i) == null ? List.of() : in.get(i).getPorts(), where, "from"));
    }
    List<Rule> egress = new ArrayList<>();
    List<NetworkPolicyEgressRule> out = spec.getEgress() == null ? List.of() : spec.getEgress();
    for (int i = 0; i < out.size(); i++) {
      String where = "spec.egress[" + i + "]";
      egress.add(rule(out.get(i) == null ? List.of() : out.get(i).getTo(),
          out.get(i) == null ? List.of() : out.get(i).getPorts(), where, "to"));
    }
    boolean isolatesIngress;
    boolean isolatesEgress;
    List<String> types = spec.getPolicyTypes();
    if (types == null || types.isEmpty()) {
      // The API's default: Ingress always, Egress only when the policy has egress rules.
      isolatesIngress = true;
      isolatesEgress = !out.isEmpty();
    } else {
      if (types.size() > 2) {
        error("spec.policyTypes", "may not list more than two policy types");
      }
      for (int i = 0; i < types.size(); i++) {
        if (!"Ingress".equals(types.get(i)) && !"Egress".equals(types.get(i))) {
          error("spec.policyTypes[" + i + "]", "'" + types.get(i) + "' is not Ingress or Egress");
        }
      }
      isolatesIngress = types.contains("Ingress");
      isolatesEgress = types.contains("Egress");
    }
    return new CompiledPolicy(ns, name, target, isolatesIngress, isolatesEgress, List.copyOf(ingress), List.copyOf(egress));
  }

  private Rule rule(List<NetworkPolicyPeer> peers, List<NetworkPolicyPort> ports, String where, String peerField) {
    List<Peer> compiledPeers = new ArrayList<>();
    for (int j = 0; peers != null && j < peers.size(); j++) {
      Peer p = peer(peers.get(j), where + "." + peerField + "[" + j + "]");
      if (p != null) {
        compiledPeers.add(p);
      }
    }
    List<PortMatch> compiledPorts = new ArrayList<>();
    for (int k = 0; ports != null && k < ports.size(); k++) {
      PortMatch m = port(ports.get(k), where + ".ports[" + k + "]");
      if (m != null) {
        compiledPorts.add(m);
      }
    }
    return new Rule(List.copyOf(compiledPeers), List.copyOf(compiledPorts));
  }

  private Peer peer(NetworkPolicyPeer peer, String where) {
    LabelSelector pods = peer == null ? null : peer.getPodSelector();
    LabelSelector namespaces = peer == null ? null : peer.getNamespaceSelector();
    IPBlock block = peer == null ? null : peer.getIpBlock();
    if (pods == null && namespaces == null && block == null) {
      error(where, "must specify podSelector, namespaceSelector or ipBlock");
      return null;
    }
    if (block != null) {
      if (pods != null || namespaces != null) {
        error(where, "may not specify both ipBlock and another peer");
        return null;
      }
      try {
        return new Peer.Block(IpBlocks.ranges(block.getCidr(), block.getExcept()));
      } catch (IllegalArgumentException e) {
        nested(where + ".ipBlock.", e);
        return null;
      }
    }
    return new Peer.Pods(namespaces == null ? null : selector(namespaces, where + ".namespaceSelector"),
        pods == null ? null : selector(pods, where + ".podSelector"));
  }

  private PortMatch port(NetworkPolicyPort port, String where) {
    if (port == null) {
      error(where, "must not be null");
      return null;
    }
    Proto proto = Proto.TCP; // the API's default
    if (port.getProtocol() != null) {
      switch (port.getProtocol()) {
        case "TCP" -> proto = Proto.TCP;
        case "UDP" -> proto = Proto.UDP;
        case "SCTP" -> proto = Proto.SCTP;
        default -> {
          error(where + ".protocol", "'" + port.getProtocol() + "' is not TCP, UDP or SCTP");
          return null;
        }
      }
    }
    Integer end = port.getEndPort();
    IntOrString value = port.getPort();
    if (value == null) {
      if (end != null) {
        error(where + ".port", "must be specified when endPort is");
        return null;
      }
      return new PortMatch.Numbered(proto, Interval.ALL_PORTS);
    }
    if (value.getIntVal() != null) {
      int from = value.getIntVal();
      if (from < 1 || from > 65535) {
        error(where + ".port", from + " is not a port number 1..65535");
        return null;
      }
      if (end == null) {
        return new PortMatch.Numbered(proto, Interval.port(from));
      }
      if (end < from) {
        error(where + ".endPort", end + " must be greater than or equal to port " + from);
        return null;
      }
      if (end > 65535) {
        error(where + ".endPort", end + " is not a port number 1..65535");
        return null;
      }
      return new PortMatch.Numbered(proto, Interval.ports(from, end));
    }
    String name = value.getStrVal();
    if (name == null) {
      error(where + ".port", "is neither a number nor a name");
      return null;
    }
    if (end != null) {
      error(where + ".endPort", "may not be specified when port is a name ('" + name + "')");
      return null;
    }
    if (name.length() > 15 || !PORT_NAME.matcher(name).matches()) {
      error(where + ".port", "'" + name + "' is not a valid port name (IANA_SVC_NAME: at most 15 lower-case "
          + "letters, digits and inner hyphens, with at least one letter)");
      return null;
    }
    return new PortMatch.Named(proto, name);
  }

  private Predicate<Map<String, String>> selector(LabelSelector s, String where) {
    try {
      return LabelSelectors.compile(s);
    } catch (IllegalArgumentException e) {
      nested(where + ".", e);
      return labels -> false;
    }
  }

  /** Helpers throw "relative.field: what"; this files it under the full path. */
  private void nested(String prefix, IllegalArgumentException e) {
    String m = e.getMessage();
    int cut = m.indexOf(": ");
    error(prefix + m.substring(0, cut), m.substring(cut + 2));
  }

  private void error(String field, String what) {
    errors.add(ref + ": " + field + ": " + what);
  }
}
