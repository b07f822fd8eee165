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
 * passes what it holds on its loop thread.
 */
public final class GraphJson {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private GraphJson() {}

  /**
   * @param dnsWorkloads the workloads behind the cluster DNS Service, as vertex names
   */
  public static String render(long revision, Collection<EdgeView> edges, ApprovedGraphIndex git,
      GuardrailRouting guardrails, Set<String> dnsWorkloads) {
    ObjectNode root = JSON.createObjectNode();
    root.put("revision", revision);
    ArrayNode out = root.putArray("edges");
    for (EdgeView v : edges) {
      ObjectNode e = out.addObject();
      e.put("source", v.key().source());
      e.put("destination", v.key().destination());
      e.put("protocol", v.key().protocol().name());
      e.put("port", v.key().port());
      EdgeStatus overlaid = git.statusOf(v.key(), v.status());
      Guardrail guardrail = guardrails.of(v.key());
      EdgeStatus status = guardrails.statusOf(v.key(), overlaid);
      // forbidden: an org guardrail denies it, whatever a reviewer or git said; never approvable
      e.put("status", guardrail.verdict() == Guardrail.Verdict.FORBID ? "forbidden"
          : status.name().toLowerCase(Locale.ROOT));
      String approvedBy = git.approvedBy(v.key(), v.status());
      if (approvedBy == null && status == EdgeStatus.APPROVED && guardrail.verdict() == Guardrail.Verdict.ACCEPT) {
        approvedBy = "guardrail:" + guardrail.rule();
      }
      if (approvedBy != null && guardrail.verdict() != Guardrail.Verdict.FORBID) {
        e.put("approvedBy", approvedBy); // git:ApprovedGraph NS/NAME, review (the page) or guardrail:RULE
      }
      if (guardrail.rule() != null) {
        ObjectNode g = e.putObject("guardrail");
        g.put("verdict", guardrail.verdict().text());
        g.put("rule", guardrail.rule());
      }
      e.put("class", classOf(v, dnsWorkloads));
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
