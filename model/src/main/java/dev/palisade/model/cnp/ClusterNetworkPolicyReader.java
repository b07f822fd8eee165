package dev.palisade.model.cnp;

import dev.palisade.model.Cidr;
import dev.palisade.model.Protocol;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Action;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Peer;
import dev.palisade.model.cnp.ClusterNetworkPolicy.PortMatch;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Rule;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Selection;
import dev.palisade.model.cnp.ClusterNetworkPolicy.Tier;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a ClusterNetworkPolicy object (as parsed JSON or YAML: maps, lists, strings, numbers)
 * strictly: an unknown field, a missing required one, a bad CIDR or a peer Palisade does not
 * enforce ({@code nodes}, {@code domainNames}, IPv6 networks) is refused with an
 * IllegalArgumentException naming the field, e.g. {@code spec.egress[0].to[1].networks[0]}. The
 * v1alpha1 kinds are read too, translated by {@link LegacyPolicies}. A
 * refused policy is skipped whole by its users, never half-applied.
 */
public final class ClusterNetworkPolicyReader {
  private static final Set<String> TOP = Set.of("apiVersion", "kind", "metadata", "spec", "status");
  private static final Set<String> SPEC = Set.of("tier", "priority", "subject", "ingress", "egress");
  private static final Set<String> SUBJECT = Set.of("namespaces", "pods");
  private static final Set<String> NAMESPACED_POD = Set.of("namespaceSelector", "podSelector");
  private static final Set<String> RULE = Set.of("name", "action", "from", "to", "protocols");
  private static final Set<String> INGRESS_PEER = Set.of("namespaces", "pods");
  private static final Set<String> EGRESS_PEER = Set.of("namespaces", "pods", "nodes", "networks", "domainNames");
  private static final Set<String> PROTOCOL = Set.of("tcp", "udp", "sctp", "destinationNamedPort");
  private static final Set<String> PROTOCOL_PORT = Set.of("destinationPort");
  private static final Set<String> PORT = Set.of("number", "range");
  private static final Set<String> RANGE = Set.of("start", "end");
  private static final Set<String> SELECTOR = Set.of("matchLabels", "matchExpressions");
  private static final Set<String> EXPRESSION = Set.of("key", "operator", "values");

  private ClusterNetworkPolicyReader() {}

  /**
   * As {@link #read(Map)}, from the object an informer of generic resources holds (fabric8 keeps
   * everything but apiVersion, kind and metadata among its additional properties).
   *
   * @throws IllegalArgumentException naming what cannot be enforced
   */
  public static ClusterNetworkPolicy read(io.fabric8.kubernetes.api.model.GenericKubernetesResource o) {
    Map<String, Object> object = new java.util.HashMap<>(o.getAdditionalProperties());
    object.put("apiVersion", o.getApiVersion());
    object.put("kind", o.getKind());
    object.put("metadata", Map.of("name", o.getMetadata() == null || o.getMetadata().getName() == null
        ? "" : o.getMetadata().getName()));
    return read(object);
  }

  /** The policy the object describes, or an IllegalArgumentException naming what is wrong. */
  public static ClusterNetworkPolicy read(Map<String, ?> object) {
    if (LegacyPolicies.isLegacy(object)) {
      object = LegacyPolicies.translate(object); // v1alpha1 AdminNetworkPolicy, BaselineAdminNetworkPolicy
    }
    only(object, TOP, "");
    String apiVersion = text(object, "apiVersion", "");
    if (!ClusterNetworkPolicy.API_VERSION.equals(apiVersion)) {
      throw new IllegalArgumentException("apiVersion: must be " + ClusterNetworkPolicy.API_VERSION + ", not " + apiVersion);
    }
    if (!ClusterNetworkPolicy.KIND.equals(text(object, "kind", ""))) {
      throw new IllegalArgumentException("kind: must be " + ClusterNetworkPolicy.KIND);
    }
    Map<String, ?> metadata = map(object.get("metadata"), "metadata");
    String name = text(metadata, "name", "metadata.");
    Map<String, ?> spec = map(object.get("spec"), "spec");
    only(spec, SPEC, "spec.");
    Tier tier = switch (text(spec, "tier", "spec.")) {
      case "Admin" -> Tier.ADMIN;
      case "Baseline" -> Tier.BASELINE;
      default -> throw new IllegalArgumentException("spec.tier: must be Admin or Baseline, not " + spec.get("tier"));
    };
    int priority = integer(spec.get("priority"), "spec.priority", 0, ClusterNetworkPolicy.MAX_PRIORITY);
    Selection subject = subject(map(spec.get("subject"), "spec.subject"), "spec.subject");
    List<Rule> ingress = rules(spec.get("ingress"), "spec.ingress", "from", INGRESS_PEER);
    List<Rule> egress = rules(spec.get("egress"), "spec.egress", "to", EGRESS_PEER);
    return new ClusterNetworkPolicy(name, tier, priority, subject, ingress, egress);
  }

  /** Exactly one of namespaces or pods, as upstream's validation says. */
  private static Selection subject(Map<String, ?> o, String at) {
    only(o, SUBJECT, at + ".");
    if (o.containsKey("namespaces") == o.containsKey("pods")) {
      throw new IllegalArgumentException(at + ": must set exactly one of namespaces or pods");
    }
    if (o.containsKey("namespaces")) {
      return new Selection(selector(o.get("namespaces"), at + ".namespaces"), null);
    }
    return namespacedPod(map(o.get("pods"), at + ".pods"), at + ".pods");
  }

  private static Selection namespacedPod(Map<String, ?> o, String at) {
    only(o, NAMESPACED_POD, at + ".");
    require(o, "namespaceSelector", at);
    require(o, "podSelector", at);
    return new Selection(selector(o.get("namespaceSelector"), at + ".namespaceSelector"),
        selector(o.get("podSelector"), at + ".podSelector"));
  }

  private static List<Rule> rules(Object value, String at, String peersField, Set<String> peerFields) {
    List<Rule> rules = new ArrayList<>();
    List<?> list = value == null ? List.of() : list(value, at);
    for (int i = 0; i < list.size(); i++) {
      String r = at + "[" + i + "]";
      Map<String, ?> o = map(list.get(i), r);
      only(o, RULE, r + ".");
      for (String f : o.keySet()) {
        if ((f.equals("from") || f.equals("to")) && !f.equals(peersField)) {
          throw new IllegalArgumentException(r + "." + f + ": unknown field");
        }
      }
      String name = o.get("name") == null ? "" : text(o, "name", r + ".");
      Action action = switch (text(o, "action", r + ".")) {
        case "Accept" -> Action.ACCEPT;
        case "Deny" -> Action.DENY;
        case "Pass" -> Action.PASS;
        default -> throw new IllegalArgumentException(r + ".action: must be Accept, Deny or Pass, not " + o.get("action"));
      };
      require(o, peersField, r);
      List<?> peerList = list(o.get(peersField), r + "." + peersField);
      if (peerList.isEmpty()) {
        throw new IllegalArgumentException(r + "." + peersField + ": must hold at least one peer");
      }
      List<Peer> peers = new ArrayList<>();
      for (int j = 0; j < peerList.size(); j++) {
        peers.add(peer(map(peerList.get(j), r + "." + peersField + "[" + j + "]"), r + "." + peersField + "[" + j + "]",
            peerFields));
      }
      List<PortMatch> ports = new ArrayList<>();
      List<?> protocols = o.get("protocols") == null ? List.of() : list(o.get("protocols"), r + ".protocols");
      for (int j = 0; j < protocols.size(); j++) {
        ports.add(protocol(map(protocols.get(j), r + ".protocols[" + j + "]"), r + ".protocols[" + j + "]"));
      }
      rules.add(new Rule(name, action, peers, ports));
    }
    return rules;
  }

  /** Exactly one field per peer, as upstream's validation says. */
  private static Peer peer(Map<String, ?> o, String at, Set<String> fields) {
    only(o, fields, at + ".");
    if (o.size() != 1) {
      throw new IllegalArgumentException(at + ": must set exactly one of " + new java.util.TreeSet<>(fields));
    }
    String f = o.keySet().iterator().next();
    return switch (f) {
      case "namespaces" -> new Peer.Pods(new Selection(selector(o.get(f), at + ".namespaces"), null));
      case "pods" -> new Peer.Pods(namespacedPod(map(o.get(f), at + ".pods"), at + ".pods"));
      case "networks" -> networks(list(o.get(f), at + ".networks"), at + ".networks");
      default -> throw new IllegalArgumentException(at + "." + f + ": not supported by Palisade (the policy is skipped whole)");
    };
  }

  private static Peer networks(List<?> list, String at) {
    if (list.isEmpty()) {
      throw new IllegalArgumentException(at + ": must hold at least one CIDR");
    }
    List<Cidr> cidrs = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Object v = list.get(i);
      String field = at + "[" + i + "]";
      if (!(v instanceof String s) || !s.contains("/")) {
        throw new IllegalArgumentException(field + ": must be a CIDR (address/prefix), not " + v);
      }
      if (s.contains(":")) {
        throw new IllegalArgumentException(field + ": IPv6 network " + s + " is not supported by Palisade (IPv4 only)");
      }
      try {
        Cidr c = Cidr.parse(s);
        if (!c.toString().equals(s.strip())) {
          throw new IllegalArgumentException("host bits set, the network is " + c);
        }
        cidrs.add(c);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(field + ": bad CIDR " + s + ": " + e.getMessage(), e);
      }
    }
    return new Peer.Networks(cidrs);
  }

  /** One of tcp, udp, sctp (optionally with a destinationPort) or destinationNamedPort. */
  private static PortMatch protocol(Map<String, ?> o, String at) {
    only(o, PROTOCOL, at + ".");
    if (o.size() != 1) {
      throw new IllegalArgumentException(at + ": must set exactly one of tcp, udp, sctp, destinationNamedPort");
    }
    String f = o.keySet().iterator().next();
    if (f.equals("destinationNamedPort")) {
      return new PortMatch.Named(text(o, f, at + "."));
    }
    Protocol protocol = Protocol.valueOf(f.toUpperCase(java.util.Locale.ROOT));
    Map<String, ?> p = o.get(f) == null ? Map.of() : map(o.get(f), at + "." + f);
    only(p, PROTOCOL_PORT, at + "." + f + ".");
    if (p.get("destinationPort") == null) {
      return new PortMatch.Numbered(protocol, 0, 65535);
    }
    String pa = at + "." + f + ".destinationPort";
    Map<String, ?> port = map(p.get("destinationPort"), pa);
    only(port, PORT, pa + ".");
    if (port.size() != 1) {
      throw new IllegalArgumentException(pa + ": must set exactly one of number or range");
    }
    if (port.containsKey("number")) {
      int n = integer(port.get("number"), pa + ".number", 1, 65535);
      return new PortMatch.Numbered(protocol, n, n);
    }
    Map<String, ?> range = map(port.get("range"), pa + ".range");
    only(range, RANGE, pa + ".range.");
    int start = integer(range.get("start"), pa + ".range.start", 1, 65535);
    int end = integer(range.get("end"), pa + ".range.end", 1, 65535);
    if (start > end) {
      throw new IllegalArgumentException(pa + ".range: start " + start + " is after end " + end);
    }
    return new PortMatch.Numbered(protocol, start, end);
  }

  private static LabelSelector selector(Object value, String at) {
    Map<String, ?> o = value == null ? Map.of() : map(value, at);
    only(o, SELECTOR, at + ".");
    Map<String, String> labels = new LinkedHashMap<>();
    if (o.get("matchLabels") != null) {
      map(o.get("matchLabels"), at + ".matchLabels").forEach((k, v) -> {
        if (!(v instanceof String s)) {
          throw new IllegalArgumentException(at + ".matchLabels." + k + ": must be a string");
        }
        labels.put(k, s);
      });
    }
    List<LabelSelectorRequirement> expressions = new ArrayList<>();
    List<?> list = o.get("matchExpressions") == null ? List.of() : list(o.get("matchExpressions"), at + ".matchExpressions");
    for (int i = 0; i < list.size(); i++) {
      String e = at + ".matchExpressions[" + i + "]";
      Map<String, ?> x = map(list.get(i), e);
      only(x, EXPRESSION, e + ".");
      String op = text(x, "operator", e + ".");
      if (!Set.of("In", "NotIn", "Exists", "DoesNotExist").contains(op)) {
        throw new IllegalArgumentException(e + ".operator: must be In, NotIn, Exists or DoesNotExist, not " + op);
      }
      List<String> values = new ArrayList<>();
      if (x.get("values") != null) {
        for (Object v : list(x.get("values"), e + ".values")) {
          if (!(v instanceof String s)) {
            throw new IllegalArgumentException(e + ".values: must be strings");
          }
          values.add(s);
        }
      }
      boolean needsValues = op.equals("In") || op.equals("NotIn");
      if (needsValues == values.isEmpty()) {
        throw new IllegalArgumentException(e + ".values: " + (needsValues ? "required" : "must be empty") + " for " + op);
      }
      expressions.add(new LabelSelectorRequirement(text(x, "key", e + "."), op, values));
    }
    return new LabelSelector(expressions, labels);
  }

  private static void only(Map<String, ?> o, Set<String> allowed, String at) {
    for (String k : o.keySet()) {
      if (!allowed.contains(k)) {
        throw new IllegalArgumentException(at + k + ": unknown field");
      }
    }
  }

  private static void require(Map<String, ?> o, String field, String at) {
    if (o.get(field) == null) {
      throw new IllegalArgumentException(at + "." + field + ": required");
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, ?> map(Object v, String at) {
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(at + ": must be an object" + (v == null ? " (missing)" : ""));
    }
    for (Object k : m.keySet()) {
      if (!(k instanceof String)) {
        throw new IllegalArgumentException(at + ": keys must be strings, not " + k);
      }
    }
    return (Map<String, ?>) m;
  }

  private static List<?> list(Object v, String at) {
    if (!(v instanceof List<?> l)) {
      throw new IllegalArgumentException(at + ": must be a list");
    }
    return l;
  }

  private static String text(Map<String, ?> o, String field, String at) {
    if (!(o.get(field) instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(at + field + ": must be a non-empty string");
    }
    return s;
  }

  private static int integer(Object v, String at, int min, int max) {
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new IllegalArgumentException(at + ": must be an integer" + (v == null ? " (missing)" : ", not " + v));
    }
    long l = n.longValue();
    if (l < min || l > max) {
      throw new IllegalArgumentException(at + ": must be " + min + ".." + max + ", not " + l);
    }
    return (int) l;
  }
}
