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
    assertEquals(List.of("ApprovedGraph shop/g: spec.edges[2].from ignored: workload must be NS/KIND/NAME, not 'shop/api'"),
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

  @Test
  void outsideEndsAreReadInTheGraphsSpellingAndMalformedOnesAreReportedByField() {
    List<String> problems = new ArrayList<>();
    ApprovedGraphIndex idx = ApprovedGraphIndex.of(List.of(graph("g", List.of(
        edge("shop/Deployment/web", "dns:api.payments.example", 443, null),
        edge("shop/Deployment/web", "dns:*.s3.example", 443, null),
        edge("shop/Deployment/web", "203.0.113.7/32", 443, null),
        edge("world", "shop/Deployment/web", 8080, null),
        edge("198.51.100.0/24", "shop/Deployment/web", 8080, null),
        edge("shop/Deployment/web", "dns:API.example", 443, null),
        edge("shop/Deployment/web", "203.0.113.7/24", 443, null),
        edge("dns:api.payments.example", "shop/Deployment/web", 443, null),
        edge("world", "203.0.113.0/24", 443, null),
        edge("shop/Deployment/web", "dns:a.*.example", 443, null)), null)), problems::add);
    assertEquals(List.of(
        "ApprovedGraph shop/g: spec.edges[5].to ignored: 'dns:API.example': write the name as dns:api.example"
            + " (lower case, no trailing dot) (an end is a workload NS/KIND/NAME, world, dns:NAME, dns:*.SUFFIX, an IPv4"
            + " address or a CIDR)",
        "ApprovedGraph shop/g: spec.edges[6].to ignored: '203.0.113.7/24' has host bits set; the network is"
            + " 203.0.113.0/24 (an end is a workload NS/KIND/NAME, world, dns:NAME, dns:*.SUFFIX, an IPv4 address"
            + " or a CIDR)",
        "ApprovedGraph shop/g: spec.edges[7].from ignored: 'dns:api.payments.example': a DNS name can only be a"
            + " destination (pods resolve names; a connection from outside is judged by its address: use world or a"
            + " CIDR)",
        "ApprovedGraph shop/g: spec.edges[8].to ignored: 'world' -> '203.0.113.0/24': one end must be a workload"
            + " NS/KIND/NAME (an edge between two outside ends is enforced nowhere)",
        "ApprovedGraph shop/g: spec.edges[9].to ignored: 'a.*.example' is not a DNS name or *.NAME pattern (labels"
            + " of a-z, 0-9, '-', '_'; at least two labels; '*' only as the whole first label) (an end is a workload"
            + " NS/KIND/NAME, world, dns:NAME, dns:*.SUFFIX, an IPv4 address or a CIDR)"), problems);
    assertEquals(List.of("198.51.100.0/24 -> shop/Deployment/web 8080/TCP",
            "shop/Deployment/web -> 203.0.113.7 443/TCP",
            "shop/Deployment/web -> dns:*.s3.example 443/TCP",
            "shop/Deployment/web -> dns:api.payments.example 443/TCP",
            "world -> shop/Deployment/web 8080/TCP"),
        idx.approved().keySet().stream().map(EdgeKey::text).toList());
    // a range approves the learned addresses inside it; world only itself
    assertEquals(EdgeStatus.APPROVED, idx.statusOf(new EdgeKey("198.51.100.9", "shop/Deployment/web", Protocol.TCP,
        8080), EdgeStatus.LEARNED));
    assertEquals(EdgeStatus.LEARNED, idx.statusOf(new EdgeKey("192.0.2.9", "shop/Deployment/web", Protocol.TCP,
        8080), EdgeStatus.LEARNED));
  }

  @Test
  void aPatternInGitOverANameRejectedInGitIsRefused() {
    List<String> problems = new ArrayList<>();
    ApprovedGraphIndex idx = ApprovedGraphIndex.of(List.of(graph("g", List.of(
        edge("shop/Deployment/web", "dns:*.s3.example", 443, null),
        edge("shop/Deployment/web", "dns:a.s3.example", 443, null)),
        List.of(edge("shop/Deployment/web", "dns:b.s3.example", 443, null)))), problems::add);
    assertEquals(List.of("ApprovedGraph shop/g: shop/Deployment/web -> dns:*.s3.example 443/TCP ignored: it covers the"
        + " rejected edge shop/Deployment/web -> dns:b.s3.example 443/TCP; approve a narrower pattern or range"),
        problems);
    assertEquals(List.of("shop/Deployment/web -> dns:a.s3.example 443/TCP"),
        idx.approved().keySet().stream().map(EdgeKey::text).toList());
  }

  @Test
  void aRejectedPatternInGitRejectsTheNamesItCovers() {
    ApprovedGraphIndex idx = ApprovedGraphIndex.of(List.of(graph("g", List.of(
        edge("shop/Deployment/web", "dns:api.s3.example", 443, null)),
        List.of(edge("shop/Deployment/web", "dns:*.s3.example", 443, null)))), p -> { });
    EdgeKey api = new EdgeKey("shop/Deployment/web", "dns:api.s3.example", Protocol.TCP, 443);
    assertEquals(EdgeStatus.REJECTED, idx.statusOf(api, EdgeStatus.APPROVED));
    assertEquals(List.of(), idx.overlay(List.of(), Set.of("shop/Deployment/web")), "no unseen edge added");
  }
}
