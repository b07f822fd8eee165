package dev.palisade.cli;

import dev.palisade.controller.approved.ApprovedEdges;
import dev.palisade.lab.ci.ApprovedGraphPatch;
import dev.palisade.lab.ci.CiEdge;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * {@code palisade policy export --format palisade}: the approved edges one namespace's owners
 * approve (into its workloads, and between its workloads and the outside: {@code dns:NAME} and
 * name patterns, addresses and CIDRs, {@code world} ingress) as an ApprovedGraph, ready to keep in
 * git. Pure: the graph API's JSON in, YAML out. Edges no ApprovedGraph can hold ({@code host},
 * {@code unknown}) are left out: the controller cannot enforce an approval of them either.
 */
final class ApprovedGraphExport {
  private ApprovedGraphExport() {}

  static String render(JsonNode graph, String namespace) {
    List<ApprovedGraphPatch.Entry> entries = new ArrayList<>();
    for (JsonNode e : graph.path("edges")) {
      String from = e.path("source").asString("");
      String to = e.path("destination").asString("");
      if (!"approved".equals(e.path("status").asString(""))) {
        continue;
      }
      CiEdge edge = new CiEdge(from, to, e.path("port").asInt(), Protocol.parse(e.path("protocol").asString()));
      if (!ApprovedGraphPatch.approvable(edge) || !ApprovedEdges.approverNamespace(from, to).equals(namespace)) {
        continue;
      }
      String by = e.path("approvedBy").asString("review");
      entries.add(new ApprovedGraphPatch.Entry(edge, by.equals("review") ? "review page" : by, "", "", ""));
    }
    return ApprovedGraphPatch.render(entries, "approved");
  }
}
