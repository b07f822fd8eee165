package dev.palisade.controller.approved;

import dev.palisade.model.crd.ApprovedGraphSpec;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An ApprovedGraph as the YAML a team keeps in git: apiVersion, kind, namespace, name, labels and
 * spec, nothing the API server adds (uid, resourceVersion, managedFields, kubectl's
 * last-applied annotation). Every string is double-quoted so no value changes type on its way back
 * (a name "true" or "0755" stays a string). Pure: the object's parts in, text out.
 */
public final class ApprovedGraphYaml {
  private ApprovedGraphYaml() {}

  /** The object's YAML with these edges and rejections (either may be empty). */
  public static String render(String namespace, String name, Map<String, String> labels,
      List<ApprovedGraphSpec.Edge> edges, List<ApprovedGraphSpec.Edge> rejected) {
    StringBuilder sb = new StringBuilder("apiVersion: palisade.dev/v1alpha1\nkind: ApprovedGraph\nmetadata:\n")
        .append("  namespace: ").append(q(namespace)).append('\n')
        .append("  name: ").append(q(name)).append('\n');
    if (labels != null && !labels.isEmpty()) {
      sb.append("  labels:\n");
      new TreeMap<>(labels).forEach((k, v) -> sb.append("    ").append(q(k)).append(": ").append(q(v)).append('\n'));
    }
    sb.append("spec:\n");
    list(sb, "edges", edges, true); // required by the CRD, so written even when empty
    list(sb, "rejected", rejected, false);
    return sb.toString();
  }

  private static void list(StringBuilder sb, String field, List<ApprovedGraphSpec.Edge> edges, boolean always) {
    if (edges.isEmpty()) {
      if (always) {
        sb.append("  ").append(field).append(": []\n");
      }
      return;
    }
    sb.append("  ").append(field).append(":\n");
    for (ApprovedGraphSpec.Edge e : edges) {
      sb.append("  - from: ").append(q(e.from)).append('\n')
          .append("    to: ").append(q(e.to)).append('\n')
          .append("    port: ").append(e.port).append('\n');
      if (e.protocol != null) {
        sb.append("    protocol: ").append(e.protocol).append('\n');
      }
      ApprovedGraphSpec.Provenance p = e.provenance;
      if (p != null && (p.source != null || p.traffic != null || p.command != null || p.test != null)) {
        sb.append("    provenance:\n");
        field(sb, "source", p.source);
        field(sb, "traffic", p.traffic);
        field(sb, "command", p.command);
        field(sb, "test", p.test);
      }
    }
  }

  private static void field(StringBuilder sb, String key, String value) {
    if (value != null) {
      sb.append("      ").append(key).append(": ").append(q(value)).append('\n');
    }
  }

  /** A double-quoted YAML scalar (YAML's double-quoted escapes are JSON's). */
  static String q(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : String.valueOf(s).toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
