package dev.palisade.model.cnp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The v1alpha1 kinds ClusterNetworkPolicy replaced, translated to it as upstream describes:
 * AdminNetworkPolicy is tier Admin (action Allow = Accept), BaselineAdminNetworkPolicy is tier
 * Baseline (a singleton named "default", no priority: it is alone in its tier). Subjects and peers
 * keep their shape; {@code ports} become {@code protocols}. A port entry that does not translate
 * is refused naming its v1alpha1 field; the rest is checked by {@link ClusterNetworkPolicyReader}.
 */
public final class LegacyPolicies {
  public static final String API_VERSION = ClusterNetworkPolicy.GROUP + "/v1alpha1";
  public static final String ADMIN = "AdminNetworkPolicy";
  public static final String BASELINE = "BaselineAdminNetworkPolicy";
  private static final Set<String> PORT_NUMBER = Set.of("protocol", "port");
  private static final Set<String> PORT_RANGE = Set.of("protocol", "start", "end");

  private LegacyPolicies() {}

  /** True for the kinds translated here. */
  public static boolean isLegacy(Map<String, ?> object) {
    return ADMIN.equals(object.get("kind")) || BASELINE.equals(object.get("kind"));
  }

  /** The v1alpha2 ClusterNetworkPolicy object the v1alpha1 object means. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> translate(Map<String, ?> object) {
    if (!API_VERSION.equals(object.get("apiVersion"))) {
      throw new IllegalArgumentException("apiVersion: must be " + API_VERSION + " for " + object.get("kind"));
    }
    boolean admin = ADMIN.equals(object.get("kind"));
    Map<String, Object> out = new LinkedHashMap<>(object);
    out.put("apiVersion", ClusterNetworkPolicy.API_VERSION);
    out.put("kind", ClusterNetworkPolicy.KIND);
    if (!(object.get("spec") instanceof Map<?, ?> spec)) {
      return out; // the reader names the missing spec
    }
    Map<String, Object> s = new LinkedHashMap<>((Map<String, Object>) spec);
    if (!admin) {
      if (s.containsKey("priority")) {
        throw new IllegalArgumentException("spec.priority: unknown field");
      }
      s.put("priority", 0);
    }
    s.put("tier", admin ? "Admin" : "Baseline");
    for (String dir : List.of("ingress", "egress")) {
      if (s.get(dir) instanceof List<?> rules) {
        List<Object> translated = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
          translated.add(rule(rules.get(i), "spec." + dir + "[" + i + "]", admin));
        }
        s.put(dir, translated);
      }
    }
    out.put("spec", s);
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object rule(Object value, String at, boolean admin) {
    if (!(value instanceof Map<?, ?> m)) {
      return value;
    }
    Map<String, Object> r = new LinkedHashMap<>((Map<String, Object>) m);
    Object action = r.get("action");
    if ("Allow".equals(action)) {
      r.put("action", "Accept");
    } else if ("Accept".equals(action) || (!admin && "Pass".equals(action))) {
      throw new IllegalArgumentException(at + ".action: must be " + (admin ? "Allow, Deny or Pass" : "Allow or Deny")
          + ", not " + action);
    }
    if (r.containsKey("protocols")) {
      throw new IllegalArgumentException(at + ".protocols: unknown field");
    }
    Object ports = r.remove("ports");
    if (ports instanceof List<?> list) {
      List<Object> protocols = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        protocols.add(port(list.get(i), at + ".ports[" + i + "]"));
      }
      r.put("protocols", protocols);
    } else if (ports != null) {
      throw new IllegalArgumentException(at + ".ports: must be a list");
    }
    return r;
  }

  private static Object port(Object value, String at) {
    if (!(value instanceof Map<?, ?> p) || p.size() != 1) {
      throw new IllegalArgumentException(at + ": must set exactly one of portNumber, portRange, namedPort");
    }
    Object key = p.keySet().iterator().next();
    Object v = p.get(key);
    switch (String.valueOf(key)) {
      case "namedPort" -> {
        return Map.of("destinationNamedPort", v == null ? "" : v);
      }
      case "portNumber" -> {
        Map<?, ?> n = fields(v, PORT_NUMBER, at + ".portNumber");
        return Map.of(protocol(n, at + ".portNumber"), Map.of("destinationPort", Map.of("number", require(n, "port", at + ".portNumber"))));
      }
      case "portRange" -> {
        Map<?, ?> n = fields(v, PORT_RANGE, at + ".portRange");
        return Map.of(protocol(n, at + ".portRange"), Map.of("destinationPort", Map.of("range",
            Map.of("start", require(n, "start", at + ".portRange"), "end", require(n, "end", at + ".portRange")))));
      }
      default -> throw new IllegalArgumentException(at + "." + key + ": unknown field");
    }
  }

  private static Map<?, ?> fields(Object v, Set<String> allowed, String at) {
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(at + ": must be an object");
    }
    for (Object k : m.keySet()) {
      if (!allowed.contains(String.valueOf(k))) {
        throw new IllegalArgumentException(at + "." + k + ": unknown field");
      }
    }
    return m;
  }

  private static Object require(Map<?, ?> m, String field, String at) {
    if (m.get(field) == null) {
      throw new IllegalArgumentException(at + "." + field + ": required");
    }
    return m.get(field);
  }

  /** v1alpha1 protocols are upper case, TCP by default (as Kubernetes ports). */
  private static String protocol(Map<?, ?> m, String at) {
    Object p = m.get("protocol");
    String text = p == null ? "TCP" : String.valueOf(p);
    return switch (text) {
      case "TCP" -> "tcp";
      case "UDP" -> "udp";
      case "SCTP" -> "sctp";
      default -> throw new IllegalArgumentException(at + ".protocol: must be TCP, UDP or SCTP, not " + text);
    };
  }
}
