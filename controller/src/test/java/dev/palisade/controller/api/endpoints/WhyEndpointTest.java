package dev.palisade.controller.api.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Router;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.guardrail.Guardrail;
import dev.palisade.controller.review.GraphJson;
import dev.palisade.dataplane.agent.ClusterSnapshot;
import dev.palisade.dataplane.agent.FailsafeBuilder;
import dev.palisade.dataplane.agent.WhyExplainer.GraphEdge;
import dev.palisade.model.Mode;
import dev.palisade.model.Protocol;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/why} over a fake cluster and graph: the question is checked before anything is read. */
class WhyEndpointTest {
  private final AtomicInteger clusterReads = new AtomicInteger();
  private final AtomicInteger graphReads = new AtomicInteger();
  private final EmbeddedApi api = new EmbeddedApi(new WhyEndpoint(() -> {
    clusterReads.incrementAndGet();
    return new ClusterSnapshot(List.of(), (ns, kind, name) -> Optional.empty(), List.of(), List.of(), List.of(),
        List.of(), List.of(), List.of(), List.of(), List.of(), Mode.LEARN);
  }, () -> {
    graphReads.incrementAndGet();
    return List.of();
  }, FailsafeBuilder.Config.DEFAULT).addTo(new Router()));

  @Test
  void aBadQuestionIsRefusedNamingWhatIsWrongAndReadsNothing() {
    record Bad(String query, String names) {}
    for (Bad b : List.of(
        new Bad("?dst=shop/Deployment/api&port=80", "'src' is required"),
        new Bad("?src=shop/Deployment/web&port=80", "'dst' is required"),
        new Bad("?src=shop/Deployment/web&dst=shop/Deployment/api", "'port' is required"),
        new Bad("?src=shop/Deployment/web&dst=shop/Deployment/api&port=80x", "port must be a number 1..65535"),
        new Bad("?src=shop/Deployment/web&dst=shop/Deployment/api&port=0", "port must be a number 1..65535"),
        new Bad("?src=shop/Deployment/web&dst=shop/Deployment/api&port=80&protocol=ICMP", "protocol must be TCP"))) {
      var r = api.send("GET", "/v1/why" + b.query(), api.viewer, "");
      assertEquals(400, r.status(), b.query() + " -> " + r.body());
      assertTrue(r.body().contains(b.names()), b.query() + " -> " + r.body());
    }
    assertEquals(0, clusterReads.get() + graphReads.get(), "a refused question reads nothing");
    assertEquals(403, api.send("GET", "/v1/why?src=a&dst=b&port=1", api.agentA, "").status());
  }

  @Test
  void anEndTheClusterDoesNotHaveIsA400NamingIt() {
    var r = api.send("GET", "/v1/why?src=shop/web-1&dst=10.0.0.9&port=80", api.viewer, "");
    assertEquals(400, r.status(), r.body());
    assertTrue(r.body().contains("shop/web-1"), r.body());
  }

  @Test
  void theGraphIsShownAsInForceInKeyOrder() {
    EdgeView approved = view("shop/Deployment/web", "shop/Deployment/api", 8080, EdgeStatus.APPROVED);
    EdgeView forbidden = view("shop/Deployment/api", "vault/Deployment/db", 5432, EdgeStatus.APPROVED);
    List<GraphEdge> edges = WhyEndpoint.edgesOf(new GraphJson.Snapshot(3, List.of(
        new GraphJson.Row(approved, "approved", Guardrail.NONE, "review", "service"),
        new GraphJson.Row(forbidden, "forbidden", Guardrail.NONE, null, "service"))));
    assertEquals(List.of("shop/Deployment/api -> vault/Deployment/db 5432/TCP forbidden",
        "shop/Deployment/web -> shop/Deployment/api 8080/TCP approved"),
        edges.stream().map(e -> e.text() + " " + e.status()).toList());
  }

  private static EdgeView view(String from, String to, int port, EdgeStatus status) {
    return new EdgeView(new EdgeKey(from, to, Protocol.TCP, port), status, 1, 1_000, 2_000, 0, List.of(), List.of());
  }
}
