package dev.palisade.controller.api.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.metrics.ControllerMetrics;
import dev.palisade.controller.review.EdgeDecisions;
import dev.palisade.controller.review.ReviewRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReviewEndpointTest {
  private static final String ONE_EDGE = "[{\"from\":\"shop/Deployment/web\",\"to\":\"shop/Deployment/api\","
      + "\"port\":8080,\"protocol\":\"TCP\"}]";
  private final List<Principal> who = new ArrayList<>();
  private final List<ReviewRequest> decided = new ArrayList<>();
  private EdgeDecisions.Outcome outcome = new EdgeDecisions.Outcome(1, 42L, false, 9);
  private final EmbeddedApi api = new EmbeddedApi(new ReviewEndpoint((p, req) -> {
    who.add(p);
    decided.add(req);
    return outcome;
  }, new ControllerMetrics()).addTo(new Router()));

  @Test
  void aMisspeltOnlyIsRefusedNamingItAndDecidesNothing() {
    // "onyl" must never be read as "no selection": that would reset every edge to learned
    var r = api.send("POST", "/v1/review", api.approver, "{\"status\":\"learned\",\"onyl\":" + ONE_EDGE + "}");
    assertEquals(400, r.status(), r.body());
    assertTrue(r.body().contains("onyl: unknown field"), r.body());
    r = api.send("POST", "/v1/review", api.approver, "{\"status\":\"learned\"}");
    assertEquals(400, r.status(), r.body());
    assertTrue(r.body().contains("only: required"), r.body());
    r = api.send("POST", "/v1/review", api.approver, "{\"status\":\"aproved\",\"only\":" + ONE_EDGE + "}");
    assertEquals(400, r.status(), r.body());
    assertTrue(r.body().contains("status"), r.body());
    assertTrue(decided.isEmpty(), "no refused request reaches the decider");
  }

  @Test
  void anApproversDecisionGoesToTheDeciderAndItsOutcomeIsTheAnswer() {
    var r = api.send("POST", "/v1/review", api.approver, "{\"status\":\"approved\",\"only\":" + ONE_EDGE + "}");
    assertEquals(200, r.status(), r.body());
    assertEquals("{\"changed\":1,\"revision\":9,\"audit\":42}", r.body());
    assertEquals("alice", who.get(0).name());
    ReviewRequest req = decided.get(0);
    assertEquals(EdgeStatus.APPROVED, req.status());
    assertEquals(1, req.only().size());
    assertEquals("shop/Deployment/web -> shop/Deployment/api 8080/TCP", req.only().get(0).text());
    outcome = new EdgeDecisions.Outcome(0, 42L, true, 9);
    r = api.send("POST", "/v1/review", api.approver,
        "{\"status\":\"approved\",\"only\":" + ONE_EDGE + ",\"id\":\"ci-run-42\"}");
    assertEquals("{\"changed\":0,\"revision\":9,\"audit\":42,\"repeated\":true}", r.body());
    assertEquals("ci-run-42", decided.get(1).id());
  }

  @Test
  void aDecidersRefusalIsTheAnswer() {
    EmbeddedApi refusing = new EmbeddedApi(new ReviewEndpoint((p, req) -> {
      throw new ApiException(403, "namespace: alice approves in pay only, not 'shop'");
    }, new ControllerMetrics()).addTo(new Router()));
    var r = refusing.send("POST", "/v1/review", refusing.approver,
        "{\"status\":\"approved\",\"only\":" + ONE_EDGE + "}");
    assertEquals(403, r.status());
    assertEquals("{\"error\":\"namespace: alice approves in pay only, not 'shop'\"}", r.body());
  }

  @Test
  void onlyApproversMayDecide() {
    String body = "{\"status\":\"approved\",\"only\":" + ONE_EDGE + "}";
    assertEquals(401, api.send("POST", "/v1/review", null, body).status());
    var r = api.send("POST", "/v1/review", api.viewer, body);
    assertEquals(403, r.status());
    assertTrue(r.body().contains("vera (viewer) may not POST /v1/review: needs approver"), r.body());
    assertEquals(403, api.send("POST", "/v1/review", api.agentA, body).status());
    assertTrue(decided.isEmpty());
  }
}
