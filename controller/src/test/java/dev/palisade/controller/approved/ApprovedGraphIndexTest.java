package dev.palisade.controller.approved;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.ApprovedGraph;
import dev.palisade.model.crd.ApprovedGraphSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApprovedGraphIndexTest {
  private static final EdgeKey WEB_API = new EdgeKey("shop/Deployment/web", "shop/Deployment/api", Protocol.TCP, 9090);
  private static final EdgeKey API_DB = new EdgeKey("shop/Deployment/api", "shop/StatefulSet/db", Protocol.TCP, 5432);
  private static final EdgeKey WEB_DB = new EdgeKey("shop/Deployment/web", "shop/StatefulSet/db", Protocol.TCP, 5432);

  static ApprovedGraphSpec.Edge edge(String from, String to, Integer port, String protocol) {
    ApprovedGraphSpec.Edge e = new ApprovedGraphSpec.Edge();
    e.from = from;
    e.to = to;
    e.port = port;
    e.protocol = protocol;
    return e;
  }

  static ApprovedGraph graph(String name, List<ApprovedGraphSpec.Edge> edges, List<ApprovedGraphSpec.Edge> rejected) {
    ApprovedGraph g = new ApprovedGraph();
    g.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName(name).build());
    g.setSpec(new ApprovedGraphSpec());
    g.getSpec().edges = edges;
    g.getSpec().rejected = rejected;
    return g;
  }

  private static EdgeView view(EdgeKey k, EdgeStatus s) {
    return new EdgeView(k, s, 3, 1, 2, 0, List.of("shop/p"), List.of("shop/q"));
  }

  @Test
  void gitApprovesLearnedEdgesAddsUnseenOnesAndItsRejectionWins() {
    List<String> problems = new ArrayList<>();
    ApprovedGraphIndex idx = ApprovedGraphIndex.of(List.of(graph("g", List.of(
        edge("shop/Deployment/web", "shop/Deployment/api", 9090, null),
        edge("shop/Deployment/api", "shop/StatefulSet/db", 5432, "TCP"),
        edge("shop/api", "shop/Deployment/db", 5432, null)),
        List.of(edge("shop/Deployment/web", "shop/StatefulSet/db", 5432, null)))), problems::add);
    assertEquals(List.of("ApprovedGraph shop/g: spec.edges[2] ignored: workload must be NS/KIND/NAME, not 'shop/api'"),
        problems);
    List<EdgeView> out = idx.overlay(List.of(view(WEB_API, EdgeStatus.LEARNED), view(WEB_DB, EdgeStatus.APPROVED)),
        Set.of("shop/Deployment/web", "shop/Deployment/api"));
    assertEquals(List.of(WEB_API + " APPROVED 3", WEB_DB + " REJECTED 3", API_DB + " APPROVED 0"),
        out.stream().map(v -> v.key() + " " + v.status() + " " + v.count()).toList());
    assertEquals("git:ApprovedGraph shop/g", idx.approvedBy(WEB_API, EdgeStatus.LEARNED));
    assertNull(idx.approvedBy(WEB_DB, EdgeStatus.APPROVED), "rejected in git: approved by nobody");
    assertEquals("review", idx.approvedBy(new EdgeKey("a/Pod/a", "a/Pod/b", Protocol.UDP, 53), EdgeStatus.APPROVED));
  }

  @Test
  void unseenGitEdgesAreAddedOnlyWhenTheyTouchTheCompiledVertices() {
    ApprovedGraphIndex idx = ApprovedGraphIndex.of(List.of(graph("g", List.of(
        edge("shop/Deployment/api", "shop/StatefulSet/db", 5432, null)), null)), p -> { });
    assertEquals(List.of(), idx.overlay(List.of(), Set.of("shop/Deployment/web")));
    assertEquals(1, idx.overlay(List.of(), Set.of("shop/StatefulSet/db")).size());
  }

  @Test
  void withoutApprovedGraphsTheEdgesPassUnchanged() {
    List<EdgeView> in = List.of(view(WEB_API, EdgeStatus.LEARNED));
    assertEquals(in, ApprovedGraphIndex.EMPTY.overlay(in, Set.of("shop/Deployment/web")));
    assertNull(ApprovedGraphIndex.EMPTY.approvedBy(WEB_API, EdgeStatus.LEARNED));
  }
}
