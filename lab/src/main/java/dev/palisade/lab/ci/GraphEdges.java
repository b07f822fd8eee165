package dev.palisade.lab.ci;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * {@code palisade ci check}: the edges a running controller learned (its {@code GET /v1/graph}
 * JSON) as observed edges. Pure. Only service edges between workloads count: kubelet probes and
 * DNS lookups are the cluster's noise, and edges to entities are left to NetworkPolicy. A running
 * cluster reports no failed connections here, so check never says "dropped".
 */
public final class GraphEdges {
  private GraphEdges() {}

  public static List<ObservedEdge> fromGraphJson(JsonNode graph) {
    if (!graph.path("edges").isArray()) {
      throw new CiInputException("the controller's /v1/graph: edges: missing (is --url a Palisade controller?)");
    }
    List<ObservedEdge> out = new ArrayList<>();
    for (JsonNode e : graph.path("edges")) {
      String from = e.path("source").asString("");
      String to = e.path("destination").asString("");
      if (!e.path("class").asString("service").equals("service") || from.split("/").length != 3
          || to.split("/").length != 3) {
        continue;
      }
      List<String> pods = new ArrayList<>();
      e.path("sourcePods").forEach(p -> pods.add(p.asString()));
      out.add(new ObservedEdge(new CiEdge(from, to, e.path("port").asInt(),
          dev.palisade.model.Protocol.parse(e.path("protocol").asString())), e.path("count").asLong(), 0, pods,
          "the controller's graph"));
    }
    return out;
  }
}
