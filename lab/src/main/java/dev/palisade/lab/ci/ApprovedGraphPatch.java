package dev.palisade.lab.ci;

import dev.palisade.controller.approved.ApprovedEdges;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * DIR/patch.yaml: the ApprovedGraph additions for the new edges, one object per server namespace
 * (its owners approve), each edge with its provenance; ready to commit beside the baseline or to
 * open in the review page. Also what {@code palisade policy export --format palisade} prints.
 * Pure: edges in, YAML text out (every scalar quoted, so no value changes type on the way back).
 */
public final class ApprovedGraphPatch {
  /** An edge to write with where it came from (provenance fields may be empty). */
  public record Entry(CiEdge edge, String source, String traffic, String command, String test) {}

  private ApprovedGraphPatch() {}

  /**
   * The new edges of a run, with their provenance; outside ends (names, addresses, world) as the
   * graph spells them. An edge an ApprovedGraph cannot hold (to or from {@code unknown}) is left out:
   * no approval could make it pass.
   */
  public static String forNewEdges(List<Finding> findings, String source) {
    return forNewEdges(findings, source, JunitTimeline.EMPTY);
  }

  /** As above; provenance.test is the app's test case that was running when the edge was first seen. */
  public static String forNewEdges(List<Finding> findings, String source, JunitTimeline tests) {
    return render(findings.stream().filter(f -> f.verdict() == Verdict.NEW && approvable(f.edge()))
        .map(f -> {
          String by = f.observed().firstBy();
          boolean command = by.startsWith(CiRun.EXEC_ORIGIN);
          return new Entry(f.edge(), source, command ? "" : by, command ? by : "",
              tests.runningAt(f.observed().firstSeen()).orElse(""));
        }).toList(), "ci-approved");
  }

  /** Whether an ApprovedGraph can hold the edge ({@link ApprovedEdges}). */
  public static boolean approvable(CiEdge e) {
    try {
      ApprovedEdges.key(e.from(), e.to(), e.port(), e.protocol().name());
      return true;
    } catch (ApprovedEdges.BadEdge ex) {
      return false;
    }
  }

  /** ApprovedGraph objects named {@code name}, one per namespace of the edges' servers. */
  public static String render(List<Entry> entries, String name) {
    Map<String, List<Entry>> byNs = new TreeMap<>();
    for (Entry e : entries) {
      byNs.computeIfAbsent(e.edge().approverNamespace(), k -> new java.util.ArrayList<>()).add(e);
    }
    StringBuilder sb = new StringBuilder();
    for (var ns : byNs.entrySet()) {
      sb.append(sb.length() == 0 ? "" : "---\n");
      sb.append("apiVersion: palisade.dev/v1alpha1\nkind: ApprovedGraph\nmetadata:\n")
          .append("  namespace: ").append(q(ns.getKey())).append("\n  name: ").append(q(name)).append("\nspec:\n  edges:\n");
      ns.getValue().stream().sorted(java.util.Comparator.comparing(Entry::edge)).forEach(e -> {
        sb.append("  - from: ").append(q(e.edge().from())).append('\n')
            .append("    to: ").append(q(e.edge().to())).append('\n')
            .append("    port: ").append(e.edge().port()).append('\n')
            .append("    protocol: ").append(e.edge().protocol()).append('\n');
        StringBuilder prov = new StringBuilder();
        field(prov, "source", e.source());
        field(prov, "traffic", e.traffic());
        field(prov, "command", e.command());
        field(prov, "test", e.test());
        if (prov.length() > 0) {
          sb.append("    provenance:\n").append(prov);
        }
      });
    }
    return sb.toString();
  }

  private static void field(StringBuilder sb, String key, String value) {
    if (value != null && !value.isEmpty()) {
      sb.append("      ").append(key).append(": ").append(q(value)).append('\n');
    }
  }

  /** A double-quoted YAML scalar. */
  private static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
