package dev.palisade.controller.approved;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.ApprovedGraph;
import dev.palisade.model.crd.ApprovedGraphSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GitOwnedEdgesTest {
  private static final EdgeKey WEB_API = new EdgeKey("shop/Deployment/web", "shop/Deployment/api", Protocol.TCP, 9090);
  private static final EdgeKey API_DB = new EdgeKey("shop/Deployment/api", "shop/StatefulSet/db", Protocol.TCP, 5432);
  private static final EdgeKey WEB_DB = new EdgeKey("shop/Deployment/web", "shop/StatefulSet/db", Protocol.TCP, 5432);

  private static ApprovedGraphSpec.Edge edge(EdgeKey k, String test) {
    ApprovedGraphSpec.Edge e = new ApprovedGraphSpec.Edge();
    e.from = k.source();
    e.to = k.destination();
    e.port = k.port();
    e.protocol = "TCP";
    if (test != null) {
      e.provenance = new ApprovedGraphSpec.Provenance();
      e.provenance.source = "palisade ci run";
      e.provenance.test = test;
    }
    return e;
  }

  private static ApprovedGraph shop() {
    ApprovedGraph g = new ApprovedGraph();
    g.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("shop").withLabels(Map.of("team", "shop"))
        .withUid("u-1").withResourceVersion("7").build());
    g.setSpec(new ApprovedGraphSpec());
    g.getSpec().edges = new ArrayList<>(List.of(edge(WEB_API, "CheckoutIT.pays \"in full\"")));
    g.getSpec().rejected = new ArrayList<>(List.of(edge(API_DB, null)));
    return g;
  }

  /** The patch read back as the API server would read the committed file. */
  private static ApprovedGraph parse(String yaml) {
    return new KubernetesSerialization().unmarshal(yaml, ApprovedGraph.class);
  }

  private static List<String> texts(List<ApprovedGraphSpec.Edge> edges) {
    return edges == null ? List.of() : edges.stream().map(e -> e.from + " -> " + e.to + " " + e.port).toList();
  }

  @Test
  void rejectingAGitApprovedEdgeMovesItToRejectedInThatObjectWithItsProvenance() {
    List<GitOwnedEdges.Conflict> c = GitOwnedEdges.conflicts(List.of(shop()), List.of(WEB_API), EdgeStatus.REJECTED);
    assertEquals(1, c.size());
    assertEquals("shop/shop", c.get(0).approvedGraph());
    assertEquals(List.of(WEB_API), c.get(0).edges());
    ApprovedGraph back = parse(c.get(0).patch());
    assertEquals("shop", back.getMetadata().getNamespace());
    assertEquals("shop", back.getMetadata().getName());
    assertEquals(Map.of("team", "shop"), back.getMetadata().getLabels());
    assertNull(back.getMetadata().getUid(), "nothing the API server adds");
    assertEquals(List.of(), texts(back.getSpec().edges));
    assertEquals(List.of("shop/Deployment/api -> shop/StatefulSet/db 5432", "shop/Deployment/web -> shop/Deployment/api 9090"),
        texts(back.getSpec().rejected));
    assertEquals("CheckoutIT.pays \"in full\"", back.getSpec().rejected.get(1).provenance.test);
  }

  @Test
  void unreviewingAGitApprovedEdgeRemovesIt() {
    List<GitOwnedEdges.Conflict> c = GitOwnedEdges.conflicts(List.of(shop()), List.of(WEB_API), EdgeStatus.LEARNED);
    ApprovedGraph back = parse(c.get(0).patch());
    assertEquals(List.of(), texts(back.getSpec().edges));
    assertEquals(List.of("shop/Deployment/api -> shop/StatefulSet/db 5432"), texts(back.getSpec().rejected));
  }

  @Test
  void approvingAGitRejectedEdgeMovesItToEdges() {
    List<GitOwnedEdges.Conflict> c = GitOwnedEdges.conflicts(List.of(shop()), List.of(API_DB), EdgeStatus.APPROVED);
    ApprovedGraph back = parse(c.get(0).patch());
    assertEquals(List.of("shop/Deployment/web -> shop/Deployment/api 9090", "shop/Deployment/api -> shop/StatefulSet/db 5432"),
        texts(back.getSpec().edges));
    assertNull(back.getSpec().rejected, "an empty rejected list is left out");
  }

  @Test
  void decisionsGitAgreesWithOrSaysNothingAboutAreNoConflict() {
    assertEquals(List.of(), GitOwnedEdges.conflicts(List.of(shop()), List.of(WEB_API), EdgeStatus.APPROVED));
    assertEquals(List.of(), GitOwnedEdges.conflicts(List.of(shop()), List.of(API_DB), EdgeStatus.REJECTED));
    for (EdgeStatus s : EdgeStatus.values()) {
      assertEquals(List.of(), GitOwnedEdges.conflicts(List.of(shop()), List.of(WEB_DB), s), s.name());
    }
    assertEquals(List.of(), GitOwnedEdges.conflicts(List.of(), List.of(WEB_API), EdgeStatus.REJECTED));
  }

  @Test
  void everyObjectListingTheEdgeGetsItsOwnPatch() {
    ApprovedGraph other = shop();
    other.getMetadata().setName("web-team");
    other.getSpec().rejected = null;
    List<GitOwnedEdges.Conflict> c = GitOwnedEdges.conflicts(List.of(other, shop()), List.of(WEB_API, WEB_DB),
        EdgeStatus.REJECTED);
    assertEquals(List.of("shop/shop", "shop/web-team"), c.stream().map(GitOwnedEdges.Conflict::approvedGraph).toList());
    assertTrue(c.stream().allMatch(x -> x.edges().equals(List.of(WEB_API))), "web -> db is in no object");
  }

  @Test
  void scalarsStayStringsOnTheWayBack() {
    ApprovedGraph g = shop();
    g.getMetadata().setLabels(Map.of("true", "0755"));
    ApprovedGraph back = parse(GitOwnedEdges.conflicts(List.of(g), List.of(WEB_API), EdgeStatus.REJECTED).get(0).patch());
    assertEquals(Map.of("true", "0755"), back.getMetadata().getLabels());
  }
}
