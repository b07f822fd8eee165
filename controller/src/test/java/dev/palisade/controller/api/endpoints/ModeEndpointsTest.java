package dev.palisade.controller.api.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.review.ModeDecisions;
import dev.palisade.controller.review.ModeRequest;
import dev.palisade.controller.review.ModeSettings;
import dev.palisade.model.Mode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Modes over the API's HTTP pipeline, over a fake decider and fake settings. */
class ModeEndpointsTest {
  private final List<Principal> who = new ArrayList<>();
  private final List<ModeRequest> decided = new ArrayList<>();
  private ModeDecisions.Decided answer = new ModeDecisions.Decided("shop/Deployment/web", "enforce", 7, false);
  private final EmbeddedApi api = new EmbeddedApi(new ModeEndpoints(ViewerReads.onCallersThread(),
      () -> new ModeSettings("learn", List.of(new ModeSettings.Setting("shop", "web", true, "Deployment/web",
          "monitor"), new ModeSettings.Setting("shop", "broken", false, null, null))),
      (p, req) -> {
        who.add(p);
        decided.add(req);
        return answer;
      }).addTo(new Router()));

  @Test
  void anApproversModeGoesToTheDeciderAndItsDecisionIsTheAnswer() {
    var r = api.send("POST", "/v1/mode", api.approver,
        "{\"namespace\":\"shop\",\"workload\":\"Deployment/web\",\"mode\":\"enforce\",\"id\":\"m-1\"}");
    assertEquals(200, r.status(), r.body());
    assertEquals("{\"target\":\"shop/Deployment/web\",\"mode\":\"enforce\",\"audit\":7}", r.body());
    assertEquals("alice", who.get(0).name());
    ModeRequest req = decided.get(0);
    assertEquals("shop", req.namespace());
    assertEquals("Deployment/web", req.workload());
    assertEquals(Mode.ENFORCE, req.mode());
    assertEquals("m-1", req.id());
    answer = new ModeDecisions.Decided("shop", "monitor", 8, true);
    r = api.send("POST", "/v1/mode", api.approver, "{\"namespace\":\"shop\",\"mode\":\"monitor\",\"id\":\"m-2\"}");
    assertEquals("{\"target\":\"shop\",\"mode\":\"monitor\",\"audit\":8,\"repeated\":true}", r.body());
    assertTrue(!decided.get(1).forWorkload(), "no workload: the namespace's mode");
  }

  @Test
  void aBadBodyIsRefusedNamingTheFieldAndDecidesNothing() {
    record Bad(String body, String names) {}
    for (Bad b : List.of(
        new Bad("{\"namespace\":\"shop\",\"mode\":\"enforcing\"}", "mode"),
        new Bad("{\"namespace\":\"shop\",\"workload\":[\"StatefulSet/db\"],\"mode\":\"learn\"}", "workload"),
        new Bad("{\"namespace\":\"shop\",\"mode\":\"learn\",\"workloads\":\"Deployment/web\"}", "workloads"),
        new Bad("{\"namespace\":\"Shop!\",\"mode\":\"learn\"}", "namespace"),
        new Bad("{\"mode\":\"learn\"}", "namespace"),
        new Bad("[]", "object"))) {
      var r = api.send("POST", "/v1/mode", api.approver, b.body());
      assertEquals(400, r.status(), b.body() + " -> " + r.body());
      assertTrue(r.body().contains(b.names()), b.body() + " -> " + r.body());
    }
    assertTrue(decided.isEmpty(), "no refused request reaches the decider");
  }

  @Test
  void theDecidersRefusalIsTheAnswer() {
    EmbeddedApi refusing = new EmbeddedApi(new ModeEndpoints(ViewerReads.onCallersThread(),
        () -> new ModeSettings("learn", List.of()), (p, req) -> {
          throw ApiException.notFound("namespace: no namespace 'shop'");
        }).addTo(new Router()));
    var r = refusing.send("POST", "/v1/mode", refusing.approver, "{\"namespace\":\"shop\",\"mode\":\"enforce\"}");
    assertEquals(404, r.status());
    assertEquals("{\"error\":\"namespace: no namespace 'shop'\"}", r.body());
  }

  @Test
  void viewersReadTheSettingsAndOnlyApproversDecide() {
    var r = api.send("GET", "/v1/modes", api.viewer, "");
    assertEquals(200, r.status(), r.body());
    assertTrue(r.body().startsWith("{\"default\":\"learn\",\"settings\":[{"), r.body());
    assertTrue(r.body().contains("\"workload\":\"Deployment/web\"") && r.body().contains("\"mode\":\"monitor\""),
        r.body());
    String body = "{\"namespace\":\"shop\",\"mode\":\"enforce\"}";
    assertEquals(403, api.send("POST", "/v1/mode", api.viewer, body).status());
    assertEquals(403, api.send("POST", "/v1/mode", api.agentA, body).status());
    assertEquals(401, api.send("POST", "/v1/mode", null, body).status());
    assertEquals(403, api.send("GET", "/v1/modes", api.agentA, "").status(), "agents do not read modes here");
    assertTrue(decided.isEmpty());
  }
}
