package dev.palisade.lab.ci;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * What the org's guardrails (Admin-tier ClusterNetworkPolicy) settled among the observed edges,
 * each with the rule that did, as the controller judged them: the CI gate classifies with the
 * same verdicts the review page shows, so a call the org forbids fails the change (exit 2) and one
 * it accepts needs no approval.
 */
public record OrgGuardrails(Map<CiEdge, String> accepted, Map<CiEdge, String> forbidden) {
  public static final OrgGuardrails NONE = new OrgGuardrails(Map.of(), Map.of());
  /** How a finding's origin names a guardrail rather than a baseline file. */
  public static final String ORIGIN = "org guardrail ";

  public OrgGuardrails {
    accepted = Collections.unmodifiableMap(new TreeMap<>(accepted));
    forbidden = Collections.unmodifiableMap(new TreeMap<>(forbidden));
  }

  /** From the controller's {@code GET /v1/graph}: each edge's {@code guardrail} verdict and rule. */
  public static OrgGuardrails fromGraphJson(JsonNode graph) {
    Map<CiEdge, String> accepted = new TreeMap<>();
    Map<CiEdge, String> forbidden = new TreeMap<>();
    for (JsonNode e : graph.path("edges")) {
      String verdict = e.path("guardrail").path("verdict").asString("");
      String from = e.path("source").asString("");
      String to = e.path("destination").asString("");
      if (verdict.isEmpty() || from.split("/").length != 3 || to.split("/").length != 3) {
        continue;
      }
      CiEdge edge = new CiEdge(from, to, e.path("port").asInt(),
          dev.palisade.model.Protocol.parse(e.path("protocol").asString()));
      String rule = ORIGIN + e.path("guardrail").path("rule").asString("");
      if (verdict.equals("accept")) {
        accepted.put(edge, rule);
      } else if (verdict.equals("forbid")) {
        forbidden.put(edge, rule);
      }
    }
    return new OrgGuardrails(accepted, forbidden);
  }
}
