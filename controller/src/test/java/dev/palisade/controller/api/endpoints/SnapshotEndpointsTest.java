package dev.palisade.controller.api.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.review.SnapshotDecisions;
import dev.palisade.controller.review.SnapshotRequest;
import dev.palisade.controller.review.Snapshots;
import dev.palisade.model.Protocol;
import dev.palisade.model.crd.GraphSnapshotSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Snapshots over the API's HTTP pipeline, over fake kept snapshots, a fake graph and a fake decider. */
class SnapshotEndpointsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private final List<SnapshotRequest> taken = new ArrayList<>();
  private final List<EdgeView> now = List.of(
      view("shop/Deployment/web", "shop/Deployment/api", 8080, EdgeStatus.APPROVED, 9),
      view("shop/Deployment/api", "shop/StatefulSet/db", 5432, EdgeStatus.LEARNED, 4));
  private final EmbeddedApi api = new EmbeddedApi(new SnapshotEndpoints(ViewerReads.onCallersThread(),
      new SnapshotEndpoints.Kept() {
        @Override
        public List<Snapshots.Listed> listed() {
          return List.of(new Snapshots.Listed("before-review", "2026-12-01T10:00:00Z", "alice", 2));
        }

        @Override
        public Optional<List<GraphSnapshotSpec.Edge>> edgesOf(String name) {
          // then: web -> api learned (approved since), web -> cache (gone since); api -> db is new
          return "before-review".equals(name) ? Optional.of(SnapshotDecisions.snapshotEdges(List.of(
              view("shop/Deployment/web", "shop/Deployment/api", 8080, EdgeStatus.LEARNED, 2),
              view("shop/Deployment/web", "shop/Deployment/cache", 6379, EdgeStatus.LEARNED, 1))))
              : Optional.empty();
        }

        @Override
        public List<EdgeView> edgesNow() {
          return now;
        }
      }, (who, req) -> {
        taken.add(req);
        return new SnapshotDecisions.Taken(req.name(), "2026-12-02T10:00:00Z", 2, false);
      }).addTo(new Router()));

  private static EdgeView view(String from, String to, int port, EdgeStatus status, long count) {
    return new EdgeView(new EdgeKey(from, to, Protocol.TCP, port), status, count, 1_000, 2_000, 0, List.of(),
        List.of());
  }

  @Test
  void theDiffSaysWhatWasAddedRemovedAndChangedSinceTheSnapshot() {
    var r = api.send("GET", "/v1/diff?since=before-review", api.viewer, "");
    assertEquals(200, r.status(), r.body());
    JsonNode d = JSON.readTree(r.body());
    assertEquals("before-review", d.path("since").asString());
    assertEquals("shop/StatefulSet/db", d.path("added").get(0).path("destination").asString());
    assertEquals("shop/Deployment/cache", d.path("removed").get(0).path("destination").asString());
    assertEquals(1, d.path("changed").size(), r.body());
    assertEquals("learned", d.path("changed").get(0).path("before").path("status").asString());
    assertEquals("approved", d.path("changed").get(0).path("now").path("status").asString());
    assertEquals(404, api.send("GET", "/v1/diff?since=nope", api.viewer, "").status());
    var missing = api.send("GET", "/v1/diff", api.viewer, "");
    assertEquals(400, missing.status());
    assertTrue(missing.body().contains("since=SNAPSHOT is required"), missing.body());
  }

  @Test
  void viewersListAndApproversTake() {
    var list = api.send("GET", "/v1/snapshots", api.viewer, "");
    assertEquals("[{\"name\":\"before-review\",\"taken\":\"2026-12-01T10:00:00Z\",\"takenBy\":\"alice\",\"edges\":2}]",
        list.body());
    var r = api.send("POST", "/v1/snapshots", api.approver, "{\"name\":\"after-review\",\"id\":\"s-1\"}");
    assertEquals(200, r.status(), r.body());
    assertEquals("{\"name\":\"after-review\",\"taken\":\"2026-12-02T10:00:00Z\",\"edges\":2}", r.body());
    assertEquals("s-1", taken.get(0).id());
    assertEquals(403, api.send("POST", "/v1/snapshots", api.viewer, "{\"name\":\"x\"}").status());
    var bad = api.send("POST", "/v1/snapshots", api.approver, "{\"nmae\":\"x\"}");
    assertEquals(400, bad.status());
    assertTrue(bad.body().contains("nmae"), bad.body());
    assertEquals(1, taken.size(), "refused requests reach no decider");
  }
}
