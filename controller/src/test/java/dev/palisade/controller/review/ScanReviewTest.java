package dev.palisade.controller.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.MockApiServer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.compile.AllowListCompiler;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Mode;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.ReviewAudit;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A scan's summary edge is shown, never approved: not by name, not as "every port", not by "all". */
@MockApiServer
class ScanReviewTest {
  static KubernetesClient client;
  private static final String WEB = "shop/Deployment/web";
  private static final String DB = "shop/StatefulSet/db";
  private static final Map<Long, String> NAMES = Map.of(300L, WEB, 301L, DB);
  private final Principal alice = new Principal("alice", Role.APPROVER);
  private final FlowGraph graph = new FlowGraph();

  @AfterEach
  void down() {
    client.resources(ReviewAudit.class).list().getItems().forEach(o -> client.resource(o).delete());
  }

  private static ReviewRequest req(String json) {
    return ReviewRequest.read(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theSummaryOfAScanIsNeverApproved() {
    EdgeDecisions decisions = new EdgeDecisions(graph, new AuditLog(client).restore(), new EdgeDecisions.Effects() {
      @Override
      public void save(Set<String> sources) {}

      @Override
      public long publish(List<EdgeKey> changed) {
        return 1;
      }
    });
    List<FlowRecord> scan = new ArrayList<>();
    for (int port = 1000; port < 1100; port++) {
      scan.add(new FlowRecord(new FlowKey(300, 301, Protocol.TCP, port), 1, 1, 1, List.of("shop/web-0"), List.of()));
    }
    graph.ingest(new FlowReport("n", 1, scan), NAMES::get);
    EdgeKey summary = new EdgeKey(WEB, DB, Protocol.TCP, FlowGraph.SCAN_PORT);
    assertTrue(graph.edges().stream().anyMatch(v -> v.key().equals(summary)));

    // "every port of the pair" approves the 32 real ports, not the summary
    decisions.decide(alice, req("{'status':'approved','only':[{'from':'" + WEB + "','to':'" + DB
        + "'}]}"), 1);
    assertEquals(EdgeStatus.LEARNED, status(summary));
    assertEquals(FlowGraph.SCAN_PORTS, graph.edges().stream().filter(v -> v.status() == EdgeStatus.APPROVED).count());
    // "all" leaves it too
    decisions.decide(new Principal("root", Role.APPROVER), req("{'status':'approved','all':true}"), 1);
    assertEquals(EdgeStatus.LEARNED, status(summary));
    // rejecting one of the real ports works as ever
    decisions.decide(alice, req("{'status':'rejected','only':[{'from':'" + WEB + "','to':'" + DB
        + "','port':1010}]}"), 1);
    // and even a status set some other way compiles to nothing
    graph.replay(summary, EdgeStatus.APPROVED);
    Map<Long, dev.palisade.model.IdentityPolicy> compiled = new AllowListCompiler(
        v -> NAMES.entrySet().stream().filter(e -> e.getValue().equals(v)).map(Map.Entry::getKey).findFirst(),
        id -> Mode.ENFORCE).compile(graph.edges(), Set.of(301L));
    assertTrue(compiled.get(301L).ingress().stream().noneMatch(r -> r.ports().contains(0)),
        "no rule from the summary: " + compiled.get(301L).ingress());
    assertEquals(FlowGraph.SCAN_PORTS - 1, compiled.get(301L).ingress().size(), "the 31 approved ports");
  }

  private EdgeStatus status(EdgeKey key) {
    Optional<EdgeView> v = graph.edges().stream().filter(x -> x.key().equals(key)).findFirst();
    return v.orElseThrow().status();
  }
}
