package dev.palisade.controller.review;

import dev.palisade.controller.approved.ApprovedGraphIndex;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.guardrail.Guardrail;
import dev.palisade.controller.guardrail.GuardrailRouting;
import dev.palisade.model.Identities;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/graph}: every edge with the status in force, which is the reviewer's decision
 * under git's (ApprovedGraph) under the org guardrails', and who approved it. Pure: the caller
 * passes what it holds on its loop thread. One way in: {@link #snapshot} on the loop, then
 * {@link #render} anywhere, so every caller shows the same rows, in the same order.
 */
public final class GraphJson {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private GraphJson() {}

  /** One edge as it is shown: the status in force, its guardrail, who approved it, its class. */
  public record Row(EdgeView edge, String status, Guardrail guardrail, String approvedBy, String cls) {}

  /** The graph as shown at one revision, its rows in any order: taken on the controller's loop, rendered anywhere. */
  public record Snapshot(long revision, java.util.List<Row> rows) {}

  /**
   * What {@code /v1/graph} shows, computed on the controller's loop thread (the overlays are its
   * state); cheap next to {@link #render}, which a viewer's request runs off the loop so a big
   * graph's sort and JSON never hold up the agents' reports. The edges may come in any order
   * ({@link dev.palisade.controller.graph.FlowGraph#edgeViews}).
   *
   * @param dnsWorkloads the workloads behind the cluster DNS Service, as vertex names
   */
  public static Snapshot snapshot(long revision, Collection<EdgeView> edges, ApprovedGraphIndex git,
      GuardrailRouting guardrails, Set<String> dnsWorkloads) {
    java.util.List<Row> rows = new java.util.ArrayList<>(edges.size());
    for (EdgeView v : edges) {
      EdgeStatus overlaid = git.statusOf(v.key(), v.status());
      Guardrail guardrail = guardrails.of(v.key());
      EdgeStatus status = guardrails.statusOf(v.key(), overlaid);
      // forbidden: an org guardrail denies it, whatever a reviewer or git said; never approvable
      String shown = guardrail.verdict() == Guardrail.Verdict.FORBID ? "forbidden"
          : status.name().toLowerCase(Locale.ROOT);
      String approvedBy = git.approvedBy(v.key(), v.status());
      if (approvedBy == null && status == EdgeStatus.APPROVED && guardrail.verdict() == Guardrail.Verdict.ACCEPT) {
        approvedBy = "guardrail:" + guardrail.rule();
      }
      if (guardrail.verdict() == Guardrail.Verdict.FORBID) {
        approvedBy = null;
      }
      rows.add(new Row(v, shown, guardrail, approvedBy, classOf(v, dnsWorkloads)));
    }
    return new Snapshot(revision, java.util.List.copyOf(rows));
  }

  /** The JSON of a snapshot, its edges in key order (FlowGraph.KEY_ORDER); pure, on any thread. */
  public static String render(Snapshot snapshot) {
    ObjectNode root = JSON.createObjectNode();
    root.put("revision", snapshot.revision());
    ArrayNode out = root.putArray("edges");
    java.util.List<Row> rows = new java.util.ArrayList<>(snapshot.rows());
    rows.sort(java.util.Comparator.comparing(Row::edge, dev.palisade.controller.graph.FlowGraph.KEY_ORDER));
    for (Row row : rows) {
      EdgeView v = row.edge();
      ObjectNode e = out.addObject();
      e.put("source", v.key().source());
      e.put("destination", v.key().destination());
      e.put("protocol", v.key().protocol().name());
      e.put("port", v.key().port());
      e.put("status", row.status());
      if (row.approvedBy() != null) {
        e.put("approvedBy", row.approvedBy()); // git:ApprovedGraph NS/NAME, review (the page) or guardrail:RULE
      }
      if (row.guardrail().rule() != null) {
        ObjectNode g = e.putObject("guardrail");
        g.put("verdict", row.guardrail().verdict().text());
        g.put("rule", row.guardrail().rule());
      }
      e.put("class", row.cls());
      if (dev.palisade.controller.graph.FlowGraph.isScan(v.key())) {
        e.put("suspicious", "port scan: connections to more than " + dev.palisade.controller.graph.FlowGraph.SCAN_PORTS
            + " ports of this peer, the ports past them counted here; never approved");
      }
      e.put("count", v.count());
      e.put("firstSeen", v.firstSeen());
      e.put("lastSeen", v.lastSeen());
      e.put("violations", v.violations());
      ArrayNode sp = e.putArray("sourcePods");
      v.sourcePods().forEach(sp::add);
      ArrayNode dp = e.putArray("destinationPods");
      v.destinationPods().forEach(dp::add);
    }
    return JSON.writeValueAsString(root);
  }

  /**
   * What an edge is: a service edge the team must judge, or noise that is classified rather than
   * mistaken for one: "probe" (from the node: kubelet health checks) or "dns" (to the cluster DNS
   * on port 53). The failsafe never cuts either, whatever is approved.
   */
  public static String classOf(EdgeView v, Set<String> dnsWorkloads) {
    if (dev.palisade.controller.graph.FlowGraph.isScan(v.key())) {
      return "scan";
    }
    if (v.key().source().equals(Identities.reservedName(Identities.HOST))) {
      return "probe";
    }
    if (v.key().port() == 53 && dnsWorkloads.contains(v.key().destination())) {
      return "dns";
    }
    return "service";
  }
}
