package dev.palisade.controller.api.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.guardrail.Guardrail;
import dev.palisade.controller.review.GraphJson;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.ReviewAuditSpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The viewers' reads (graph, status) and the probes' health routes, over fake state. */
class ReadEndpointsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final AtomicBoolean ready = new AtomicBoolean(false);
  private final AtomicInteger snapshotsTaken = new AtomicInteger();
  private final EdgeView edge = new EdgeView(new EdgeKey("shop/Deployment/web", "shop/Deployment/api", Protocol.TCP,
      8080), EdgeStatus.APPROVED, 12, 1_000, 2_000, 0, List.of("shop/web-1"), List.of("shop/api-1"));
  private final EmbeddedApi api = new EmbeddedApi(routes());

  private Router routes() {
    Router r = new HealthEndpoints(ready::get).addTo(new Router());
    new GraphEndpoint(ViewerReads.onCallersThread(), () -> {
      snapshotsTaken.incrementAndGet();
      return new GraphJson.Snapshot(5, List.of(new GraphJson.Row(edge, "approved", Guardrail.NONE, "review",
          "service")));
    }).addTo(r);
    new StatusEndpoint(() -> new StatusEndpoint.Status(ready.get(), 5, 3, 1, "{\"stale\":2}")).addTo(r);
    new WhoAmIEndpoint().addTo(r);
    new AuditEndpoint(ViewerReads.onCallersThread(), () -> {
      ReviewAuditSpec e = new ReviewAuditSpec();
      e.seq = 1;
      e.action = "mode";
      e.target = "shop";
      e.before = "learn";
      e.after = "enforce";
      e.who = "alice";
      return List.of(e);
    }).addTo(r);
    return r;
  }

  @Test
  void theGraphIsTheSnapshotRendered() {
    var r = api.send("GET", "/v1/graph", api.viewer, "");
    assertEquals(200, r.status(), r.body());
    JsonNode g = JSON.readTree(r.body());
    assertEquals(5, g.path("revision").asLong());
    assertEquals(1, g.path("edges").size());
    JsonNode e = g.path("edges").get(0);
    assertEquals("shop/Deployment/web", e.path("source").asString());
    assertEquals("shop/Deployment/api", e.path("destination").asString());
    assertEquals(8080, e.path("port").asInt());
    assertEquals("approved", e.path("status").asString());
    assertEquals("review", e.path("approvedBy").asString());
    assertEquals("service", e.path("class").asString());
    assertEquals(12, e.path("count").asLong());
    assertEquals(1, snapshotsTaken.get(), "one snapshot per request");
    assertEquals(200, api.send("GET", "/v1/graph", api.approver, "").status(), "approvers view too");
    assertEquals(403, api.send("GET", "/v1/graph", api.agentA, "").status(), "agents do not read the graph");
    assertEquals(401, api.send("GET", "/v1/graph", null, "").status());
    assertEquals(2, snapshotsTaken.get(), "a refused request takes no snapshot");
  }

  @Test
  void whoAmIIsTheCallerAsTheTokenWasFound() {
    assertEquals("{\"name\":\"vera\",\"role\":\"viewer\"}", api.send("GET", "/v1/whoami", api.viewer, "").body());
    assertEquals("{\"name\":\"alice\",\"role\":\"approver\"}",
        api.send("GET", "/v1/whoami", api.approver, "").body());
    assertEquals(401, api.send("GET", "/v1/whoami", null, "").status());
  }

  @Test
  void theAuditLogIsItsEntriesAsJson() {
    var r = api.send("GET", "/v1/audit", api.viewer, "");
    assertEquals(200, r.status(), r.body());
    JsonNode e = JSON.readTree(r.body()).get(0);
    assertEquals("mode", e.path("action").asString());
    assertEquals("learn", e.path("before").asString());
    assertEquals("enforce", e.path("after").asString());
    assertEquals("alice", e.path("who").asString());
    assertEquals(403, api.send("GET", "/v1/audit", api.agentA, "").status(), "agents do not read the log");
  }

  @Test
  void statusIsTheControllersFiguresAsJson() {
    ready.set(true);
    var r = api.send("GET", "/v1/status", api.viewer, "");
    assertEquals(200, r.status());
    assertEquals("{\"ready\":true,\"revision\":5,\"identities\":3,\"edges\":1,\"refusedFlowRecords\":{\"stale\":2}}",
        r.body());
    JSON.readTree(r.body()); // and it is JSON
    assertEquals(401, api.send("GET", "/v1/status", null, "").status(), "status is not public");
  }

  @Test
  void healthNeedsNoTokenAndReadinessFollowsTheController() {
    var r = api.send("GET", "/healthz/ready", null, "");
    assertEquals(503, r.status());
    assertEquals("{\"ready\":false}", r.body());
    assertEquals("{\"ready\":false}", api.send("GET", "/healthz", null, "").body());
    r = api.send("GET", "/healthz/live", null, "");
    assertEquals(200, r.status(), "live while the process answers, synced or not");
    assertEquals("{\"live\":true}", r.body());
    ready.set(true);
    r = api.send("GET", "/healthz/ready", null, "");
    assertEquals(200, r.status());
    assertEquals("{\"ready\":true}", r.body());
    assertEquals(200, api.send("GET", "/healthz", null, "").status());
    assertEquals(401, api.send("POST", "/healthz", null, "").status(), "only GET is public");
  }

  @Test
  void healthPathsAreExactlyTheThree() {
    assertTrue(HealthEndpoints.PATHS.test("/healthz/ready"));
    assertTrue(!HealthEndpoints.PATHS.test("/healthz/readyz") && !HealthEndpoints.PATHS.test("/v1/status"));
  }
}
