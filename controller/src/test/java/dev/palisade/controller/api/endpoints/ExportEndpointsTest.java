package dev.palisade.controller.api.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The graph as files, over a fake graph: what the loop hands over is all an export is made of. */
class ExportEndpointsTest {
  private static final String WEB = "shop/Deployment/web";
  private static final String API = "shop/Deployment/api";
  private static final String DB = "shop/StatefulSet/db";
  private final List<String> labelsAsked = new ArrayList<>();
  private int pictures;
  private final List<EdgeView> edges = List.of(
      view(WEB, API, 8080, EdgeStatus.APPROVED),
      view(API, DB, 5432, EdgeStatus.LEARNED),
      view(WEB, DB, 5432, EdgeStatus.REJECTED));
  private final EmbeddedApi api = new EmbeddedApi(new ExportEndpoints(ViewerReads.onCallersThread(),
      new ExportEndpoints.Graph() {
        @Override
        public FlowGraph.Picture picture() {
          pictures++;
          // a vertex with no edge left is still drawn
          return new FlowGraph.Picture(Set.of(WEB, API, DB, "shop/Deployment/old"), edges);
        }

        @Override
        public Map<String, String> labelsOf(String vertex) {
          labelsAsked.add(vertex);
          return Map.of("app", vertex.substring(vertex.lastIndexOf('/') + 1));
        }
      }, name -> List.of()).addTo(new Router()));

  private static EdgeView view(String from, String to, int port, EdgeStatus status) {
    return new EdgeView(new EdgeKey(from, to, Protocol.TCP, port), status, 3, 1_000, 2_000, 0, List.of(), List.of());
  }

  @Test
  void networkPolicyIsMadeOfTheApprovedEdgesAndTheirEndsLabels() {
    var r = api.send("GET", "/v1/export/networkpolicy?namespace=shop", api.viewer, "");
    assertEquals(200, r.status(), r.body());
    assertTrue(r.body().contains("kind: \"NetworkPolicy\""), r.body());
    assertTrue(r.body().contains("\"app\": \"api\"") && r.body().contains("port: 8080"), r.body());
    assertTrue(!r.body().contains("port: 5432"), "learned and rejected edges are not exported by default: " + r.body());
    var both = api.send("GET", "/v1/export/networkpolicy?namespace=shop&status=approved,learned", api.viewer, "");
    assertTrue(both.body().contains("port: 5432") && both.body().contains("\"app\": \"db\""), both.body());
    assertTrue(labelsAsked.containsAll(List.of(WEB, API, DB)), "labels read with the edges: " + labelsAsked);
  }

  @Test
  void aBadNamespaceOrStatusIsRefusedBeforeTheGraphIsRead() {
    for (String q : List.of("", "?namespace=Shop!", "?namespace=shop&status=rejected", "?namespace=shop&status=aproved")) {
      var r = api.send("GET", "/v1/export/networkpolicy" + q, api.viewer, "");
      assertEquals(400, r.status(), q + " -> " + r.body());
    }
    assertEquals(0, pictures, "a refused request copies nothing");
  }

  @Test
  void dotAndGraphMlDrawEveryVertexAndEdge() {
    var dot = api.send("GET", "/v1/export/dot", api.viewer, "");
    assertEquals(200, dot.status(), dot.body());
    assertTrue(dot.body().startsWith("digraph palisade"), dot.body());
    assertTrue(dot.body().contains("\"shop/Deployment/old\""), "the lone vertex: " + dot.body());
    assertEquals(3, dot.body().split("->", -1).length - 1, dot.body());
    var xml = api.send("GET", "/v1/export/graphml", api.viewer, "");
    assertEquals(200, xml.status(), xml.body());
    assertEquals(4, xml.body().split("<node ", -1).length - 1, xml.body());
    assertEquals(3, xml.body().split("<edge ", -1).length - 1, xml.body());
    assertEquals(2, pictures, "one copy per export");
    assertEquals(401, api.send("GET", "/v1/export/dot", null, "").status());
    assertEquals(403, api.send("GET", "/v1/export/graphml", api.agentA, "").status());
  }
}
