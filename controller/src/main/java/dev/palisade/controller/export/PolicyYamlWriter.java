package dev.palisade.controller.export;

import dev.palisade.controller.export.PolicyExport.Draft;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Pure: a {@link PolicyExport} -> a YAML stream, one document per policy, with the evidence as
 * comments above each rule. Written by hand because a YAML mapper drops comments. Every string is
 * double-quoted with JSON escapes (valid YAML), so a label value like {@code "true"} or
 * {@code "0755"} stays a string. Handles the fields the exporter sets, and says so if given more.
 */
final class PolicyYamlWriter {
  private PolicyYamlWriter() {}

  static String write(PolicyExport export) {
    List<String> out = new ArrayList<>();
    String statuses = export.statuses().stream().map(s -> s.name().toLowerCase(Locale.ROOT)).sorted()
        .collect(Collectors.joining(" and "));
    comment(out, 0, "Palisade NetworkPolicy export for namespace " + export.namespace() + ", from " + statuses
        + " edges.");
    comment(out, 0, "One Ingress policy per destination workload and one Egress policy per source workload that has"
        + " such edges; a workload without one stays unrestricted in that direction.");
    for (String s : export.skipped()) {
      comment(out, 0, "skipped: " + s);
    }
    for (Draft d : export.policies()) {
      out.add("---");
      d.notes().forEach(n -> comment(out, 0, n));
      policy(out, d);
    }
    return String.join("\n", out) + "\n";
  }

  private static void policy(List<String> out, Draft d) {
    NetworkPolicy p = d.policy();
    out.add("apiVersion: " + q(p.getApiVersion()));
    out.add("kind: " + q(p.getKind()));
    ObjectMeta m = p.getMetadata();
    out.add("metadata:");
    out.add("  name: " + q(m.getName()));
    out.add("  namespace: " + q(m.getNamespace()));
    stringMap(out, 2, "labels", m.getLabels());
    stringMap(out, 2, "annotations", m.getAnnotations());
    NetworkPolicySpec s = p.getSpec();
    out.add("spec:");
    selector(out, 2, "podSelector", s.getPodSelector());
    out.add("  policyTypes:");
    s.getPolicyTypes().forEach(t -> out.add("  - " + q(t)));
    if (!s.getIngress().isEmpty()) {
      out.add("  ingress:");
      for (int i = 0; i < s.getIngress().size(); i++) {
        var r = s.getIngress().get(i);
        rule(out, d.ruleNotes().get(i), "from", r.getFrom(), r.getPorts());
      }
    }
    if (!s.getEgress().isEmpty()) {
      out.add("  egress:");
      for (int i = 0; i < s.getEgress().size(); i++) {
        var r = s.getEgress().get(i);
        rule(out, d.ruleNotes().get(i), "to", r.getTo(), r.getPorts());
      }
    }
  }

  private static void rule(List<String> out, List<String> notes, String peersKey, List<NetworkPolicyPeer> peers,
      List<NetworkPolicyPort> ports) {
    notes.forEach(n -> comment(out, 2, n));
    List<String> item = new ArrayList<>();
    item.add("    " + peersKey + ":");
    for (NetworkPolicyPeer peer : peers) {
      List<String> p = new ArrayList<>();
      if (peer.getPodSelector() != null) {
        selector(p, 6, "podSelector", peer.getPodSelector());
      }
      if (peer.getNamespaceSelector() != null) {
        selector(p, 6, "namespaceSelector", peer.getNamespaceSelector());
      }
      if (peer.getIpBlock() != null) {
        ipBlock(p, 6, peer.getIpBlock());
      }
      item.addAll(asItem(p, 4));
    }
    item.add("    ports:");
    for (NetworkPolicyPort port : ports) {
      List<String> p = new ArrayList<>();
      p.add("      protocol: " + q(port.getProtocol()));
      p.add("      port: " + intOrString(port.getPort()));
      if (port.getEndPort() != null) {
        p.add("      endPort: " + port.getEndPort());
      }
      item.addAll(asItem(p, 4));
    }
    out.addAll(asItem(item, 2));
  }

  /** Turns lines written at {@code indent + 2} into one item of a block sequence at {@code indent}. */
  private static List<String> asItem(List<String> lines, int indent) {
    List<String> out = new ArrayList<>(lines);
    out.set(0, " ".repeat(indent) + "- " + lines.get(0).substring(indent + 2));
    return out;
  }

  private static void selector(List<String> out, int indent, String key, LabelSelector s) {
    if (s.getMatchExpressions() != null && !s.getMatchExpressions().isEmpty()) {
      throw new IllegalArgumentException("selector " + key + " has matchExpressions, which this writer does not emit");
    }
    if (s.getMatchLabels() == null || s.getMatchLabels().isEmpty()) {
      out.add(" ".repeat(indent) + key + ": {}");
      return;
    }
    out.add(" ".repeat(indent) + key + ":");
    stringMap(out, indent + 2, "matchLabels", s.getMatchLabels());
  }

  private static void ipBlock(List<String> out, int indent, IPBlock b) {
    out.add(" ".repeat(indent) + "ipBlock:");
    out.add(" ".repeat(indent + 2) + "cidr: " + q(b.getCidr()));
    if (b.getExcept() != null && !b.getExcept().isEmpty()) {
      out.add(" ".repeat(indent + 2) + "except:");
      b.getExcept().forEach(e -> out.add(" ".repeat(indent + 2) + "- " + q(e)));
    }
  }

  private static void stringMap(List<String> out, int indent, String key, Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return;
    }
    out.add(" ".repeat(indent) + key + ":");
    new TreeMap<>(map).forEach((k, v) -> out.add(" ".repeat(indent + 2) + q(k) + ": " + q(v)));
  }

  private static String intOrString(IntOrString v) {
    return v.getIntVal() != null ? v.getIntVal().toString() : q(v.getStrVal());
  }

  private static void comment(List<String> out, int indent, String text) {
    // A line break in the text would end the comment and leave the rest as YAML.
    out.add(" ".repeat(indent) + "# " + text.replaceAll("[\\r\\n]+", " "));
  }

  /** A YAML double-quoted scalar; JSON's escapes are a subset of YAML's. */
  static String q(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u0085' || c == '\u2028' || c == '\u2029') {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
