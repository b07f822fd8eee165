package dev.palisade.controller.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Identities;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.ReviewAudit;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Review of edges across the cluster edge (issue 22): learned names, addresses and world ingress
 * are decided as internal edges are; a pattern or range widens, an address narrows world; every
 * malformed end is refused naming the field. On the fabric8 mock API server (the audit log).
 */
@MockApiServer
class OutsideReviewTest {
  static KubernetesClient client;
  private static final String WEB = "shop/StatefulSet/web";
  private static final String FRONT = "shop/Deployment/frontend";
  private static final Map<Long, String> NAMES = Map.of(300L, WEB, 301L, FRONT, Identities.WORLD, "world");

  private final Principal alice = new Principal("alice", Role.APPROVER);
  private final FlowGraph graph = new FlowGraph();
  private final List<EdgeKey> published = new ArrayList<>();
  private AuditLog audit;
  private EdgeDecisions decisions;

  @BeforeEach
  void up() {
    audit = new AuditLog(client).restore();
    decisions = new EdgeDecisions(graph, audit, new EdgeDecisions.Effects() {
      @Override
      public void save(Set<String> sources) {}

      @Override
      public long publish(List<EdgeKey> changed) {
        published.addAll(changed);
        return 1;
      }
    });
    List<FlowRecord> flows = new ArrayList<>();
    for (String outside : List.of("dns:api.payments.example", "dns:a.s3.example", "dns:b.eu.s3.example",
        "203.0.113.10", "203.0.113.11")) {
      flows.add(new FlowRecord(new FlowKey(300, Identities.WORLD, Protocol.TCP, 443, outside), 4, 1000, 2000,
          List.of("shop/web-0"), List.of()));
    }
    flows.add(new FlowRecord(new FlowKey(Identities.WORLD, 301, Protocol.TCP, 8080), 2, 1000, 2000, List.of(),
        List.of("shop/frontend-x")));
    graph.ingest(new FlowReport("n", 1, flows), NAMES::get);
  }

  @AfterEach
  void down() {
    client.resources(ReviewAudit.class).list().getItems().forEach(o -> client.resource(o).delete());
  }

  private static ReviewRequest req(String json) {
    return ReviewRequest.read(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
  }

  private Map<String, EdgeStatus> statuses() {
    Map<String, EdgeStatus> out = new TreeMap<>();
    graph.edges().forEach(v -> out.put(v.key().text(), v.status()));
    return out;
  }

  @Test
  void aLearnedNameIsApprovedAsWrittenAndOnlyIt() {
    EdgeDecisions.Outcome o = decisions.decide(alice, req("{'status':'approved','only':[{'from':'" + WEB
        + "','to':'dns:api.payments.example','port':443,'protocol':'TCP'}]}"), 0);
    assertEquals(1, o.changed());
    assertEquals(EdgeStatus.APPROVED, statuses().get(WEB + " -> dns:api.payments.example 443/TCP"));
    assertEquals(1, statuses().values().stream().filter(s -> s == EdgeStatus.APPROVED).count());
    ApiException none = assertThrows(ApiException.class, () -> decisions.decide(alice, req("{'status':'approved',"
        + "'only':[{'from':'" + WEB + "','to':'dns:api.payments.example','port':80}]}"), 0));
    assertEquals(404, none.status());
  }

  @Test
  void aPatternApprovesTheNamesItMatchesAndIsAnEdgeOfItsOwn() {
    EdgeDecisions.Outcome o = decisions.decide(alice, req("{'status':'approved','only':[{'from':'" + WEB
        + "','to':'dns:*.s3.example'}]}"), 0);
    assertEquals(3, o.changed(), "two learned names and the pattern's own edge");
    Map<String, EdgeStatus> s = statuses();
    assertEquals(EdgeStatus.APPROVED, s.get(WEB + " -> dns:*.s3.example 443/TCP"));
    assertEquals(EdgeStatus.APPROVED, s.get(WEB + " -> dns:a.s3.example 443/TCP"));
    assertEquals(EdgeStatus.APPROVED, s.get(WEB + " -> dns:b.eu.s3.example 443/TCP"));
    assertEquals(EdgeStatus.LEARNED, s.get(WEB + " -> dns:api.payments.example 443/TCP"));
    assertTrue(published.contains(new EdgeKey(WEB, "dns:*.s3.example", Protocol.TCP, 443)));

    // after a restart (graph from learned traffic only), the audit log makes the pattern's edge again
    FlowGraph fresh = new FlowGraph();
    graph.edges().stream().filter(v -> v.count() > 0).forEach(v -> fresh.restore(v.key(), EdgeStatus.LEARNED,
        v.count(), v.firstSeen(), v.lastSeen(), 0, v.sourcePods(), v.destinationPods()));
    EdgeDecisions.replay(fresh, new AuditLog(client).restore(), "test");
    assertEquals(statuses(), fresh.edges().stream().collect(java.util.stream.Collectors.toMap(
        v -> v.key().text(), EdgeView::status, (a, b) -> a, TreeMap::new)));
  }

  @Test
  void aPatternOrRangeOverARejectedEdgeIsRefused() {
    decisions.decide(alice, req("{'status':'rejected','only':[{'from':'" + WEB + "','to':'dns:b.eu.s3.example'}]}"), 0);
    ApiException e = assertThrows(ApiException.class, () -> decisions.decide(alice, req("{'status':'approved',"
        + "'only':[{'from':'" + WEB + "','to':'dns:*.s3.example'}]}"), 0));
    assertEquals(409, e.status());
    assertTrue(e.getMessage().startsWith("only[0]: " + WEB + " -> dns:*.s3.example */TCP covers the rejected edge"),
        e.getMessage());
    assertEquals(EdgeStatus.LEARNED, statuses().get(WEB + " -> dns:a.s3.example 443/TCP"), "nothing decided");
    assertEquals(409, assertThrows(ApiException.class, () -> decisions.decide(alice, req("{'status':'approved',"
        + "'only':[{'from':'" + WEB + "','to':'dns:*.eu.s3.example'}]}"), 0)).status());
    // names one by one are fine
    decisions.decide(alice, req("{'status':'approved','only':[{'from':'" + WEB + "','to':'dns:a.s3.example'}]}"), 0);
    assertEquals(EdgeStatus.APPROVED, statuses().get(WEB + " -> dns:a.s3.example 443/TCP"));
  }

  @Test
  void aRangeApprovesTheAddressesInItAndCompilesAsTheRange() {
    EdgeDecisions.Outcome o = decisions.decide(alice, req("{'status':'approved','only':[{'from':'" + WEB
        + "','to':'203.0.113.0/24','port':443}]}"), 0);
    assertEquals(3, o.changed());
    assertEquals(EdgeStatus.APPROVED, statuses().get(WEB + " -> 203.0.113.0/24 443/TCP"));
    assertEquals(EdgeStatus.APPROVED, statuses().get(WEB + " -> 203.0.113.11 443/TCP"));
  }

  @Test
  void anOutsideAddressNarrowsAWorldIngressEdgeToItself() {
    // the lab's approve-learned sends outside/client as its address
    EdgeDecisions.Outcome o = decisions.decide(alice, req("{'status':'approved','only':[{'from':'198.51.100.20',"
        + "'to':'" + FRONT + "','port':8080,'protocol':'TCP'}]}"), 0);
    assertEquals(1, o.changed());
    assertEquals(EdgeStatus.APPROVED, statuses().get("198.51.100.20 -> " + FRONT + " 8080/TCP"));
    assertEquals(EdgeStatus.LEARNED, statuses().get("world -> " + FRONT + " 8080/TCP"), "not everyone outside");
    // and world itself, when that is what the approver means
    decisions.decide(alice, req("{'status':'approved','only':[{'from':'world','to':'" + FRONT + "'}]}"), 0);
    assertEquals(EdgeStatus.APPROVED, statuses().get("world -> " + FRONT + " 8080/TCP"));
    ApiException e = assertThrows(ApiException.class, () -> decisions.decide(alice, req("{'status':'approved',"
        + "'only':[{'from':'198.51.100.20','to':'" + WEB + "'}]}"), 0));
    assertEquals(404, e.status(), "no world edge to web to narrow");
  }

  @Test
  void aNamespacedApproverDecidesOutsideEdgesOfItsNamespace() {
    Principal shopOnly = new Principal("bob", Role.APPROVER, Set.of("shop"));
    decisions.decide(shopOnly, req("{'status':'approved','only':[{'from':'" + WEB + "','to':'203.0.113.0/24'}]}"), 0);
    assertEquals(EdgeStatus.APPROVED, statuses().get(WEB + " -> 203.0.113.0/24 443/TCP"));
  }

  @Test
  void everyMalformedEndIsRefusedNamingTheField() {
    String[][] cases = {
        {"'from':'" + WEB + "','to':'dns:API.example'", "only[0].to: 'dns:API.example': write the name as"},
        {"'from':'" + WEB + "','to':'dns:a.*.example'", "only[0].to: 'a.*.example' is not a DNS name"},
        {"'from':'" + WEB + "','to':'203.0.113.7/24'", "only[0].to: '203.0.113.7/24' has host bits set"},
        {"'from':'" + WEB + "','to':'203.0.113.300'", "only[0].to: '203.0.113.300' is not an IPv4 address"},
        {"'from':'" + WEB + "','to':'0.0.0.0/0'", "only[0].to: '0.0.0.0/0': write world"},
        {"'from':'" + WEB + "','to':'payments'", "only[0].to: 'payments' is neither world"},
        {"'from':'shop/web','to':'" + WEB + "'", "only[0].from: 'shop/web' is neither world"},
        {"'from':'shop/Deploy ment/x','to':'" + WEB + "'", "only[0].from: 'shop/Deploy ment/x' is not a workload"},
        {"'from':'shop//x','to':'" + WEB + "'", "only[0].from: 'shop//x' is not a workload"},
        {"'from':'dns:api.example','to':'" + WEB + "'", "only[0].from: a DNS name is a destination only"},
        {"'from':'world','to':'203.0.113.7'", "only[0].to: an edge from outside goes to a workload"},
    };
    for (String[] c : cases) {
      ApiException e = assertThrows(ApiException.class, () -> req("{'status':'approved','only':[{" + c[0] + "}]}"),
          c[0]);
      assertEquals(400, e.status(), c[0]);
      assertTrue(e.getMessage().startsWith(c[1]), c[0] + " -> " + e.getMessage());
    }
    assertEquals("203.0.113.7", req("{'status':'approved','only':[{'from':'" + WEB + "','to':'203.0.113.7/32'}]}")
        .only().get(0).to(), "one spelling per vertex");
  }
}
