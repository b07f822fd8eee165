package dev.palisade.cli;

import dev.palisade.lab.ci.ApprovedGraphPatch;
import dev.palisade.lab.ci.CiEdge;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * {@code palisade policy export --format palisade}: the approved edges into one namespace's
 * workloads (its owners approve them) as an ApprovedGraph, ready to keep in git. Pure: the graph
 * API's JSON in, YAML out. Edges to or from entities (world, host) are not workload edges and are
 * left to the NetworkPolicy export.
 */
final class ApprovedGraphExport {
  private ApprovedGraphExport() {}

  static String render(JsonNode graph, String namespace) {
    List<ApprovedGraphPatch.Entry> entries = new ArrayList<>();
    for (JsonNode e : graph.path("edges")) {
      String from = e.path("source").asString("");
      String to = e.path("destination").asString("");
      if (!"approved".equals(e.path("status").asString("")) || from.split("/").length != 3
          || to.split("/").length != 3 || !to.startsWith(namespace + "/")) {
        continue;
      }
      String by = e.path("approvedBy").asString("review");
      entries.add(new ApprovedGraphPatch.Entry(new CiEdge(from, to, e.path("port").asInt(),
          Protocol.parse(e.path("protocol").asString())), by.equals("review") ? "review page" : by, "", "", ""));
    }
    return ApprovedGraphPatch.render(entries, "approved");
  }
}
