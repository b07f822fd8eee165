package dev.palisade.controller.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.api.ApiException;
import dev.palisade.controller.api.EmbeddedHttp;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.StaticTokens;
import dev.palisade.controller.api.ViewerReads;
import dev.palisade.controller.review.EdgeDecisions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request queue's decision over the API's HTTP pipeline, over a fake decider. */
class AccessRequestEndpointsTest {
  private static final String EDGE = "shop/Deployment/report -> shop/StatefulSet/db 5432/TCP";
  private final StaticTokens tokens = new StaticTokens();
  private final String viewer = tokens.issue(new Principal("vera", Role.VIEWER));
  private final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private final List<RequestDecision> decided = new ArrayList<>();
  private RuntimeException refusal;
  private final EmbeddedHttp http = new EmbeddedHttp(new AccessRequestEndpoints(ViewerReads.onCallersThread(),
      List::of, (who, d) -> {
        if (refusal != null) {
          throw refusal;
        }
        decided.add(d);
        return new AccessRequestQueue.Decided(new EdgeDecisions.Outcome(1, 12L, false, 4), "Approved");
      }).addTo(new Router()), tokens, p -> false, 1 << 20);

  private EmbeddedHttp.Answer decide(String token, String body) {
    return http.send("POST", "/v1/requests/decide", token, body);
  }

  @Test
  void anApproversDecisionIsAnsweredWithItsOutcomeAndTheRequestsPhase() {
    var r = decide(approver, "{\"namespace\":\"shop\",\"name\":\"report-reads-db\",\"decision\":\"approve\","
        + "\"edge\":\"" + EDGE + "\"}");
    assertEquals(200, r.status(), r.body());
    assertEquals("{\"changed\":1,\"revision\":4,\"audit\":12,\"phase\":\"Approved\"}", r.body());
    assertEquals(List.of(new RequestDecision("shop", "report-reads-db", true, EDGE)), decided);
  }

  @Test
  void aBadBodyIsRefusedNamingTheFieldAndDecidesNothing() {
    record Bad(String body, String names) {}
    for (Bad b : List.of(
        new Bad("{\"namespace\":\"shop\",\"name\":\"r\",\"decision\":\"approved\",\"edge\":\"" + EDGE + "\"}",
            "decision"),
        new Bad("{\"namespace\":\"shop\",\"name\":\"r\",\"decision\":\"approve\"}", "edge"),
        new Bad("{\"namespace\":\"Shop\",\"name\":\"r\",\"decision\":\"approve\",\"edge\":\"" + EDGE + "\"}",
            "namespace"),
        new Bad("{\"namespace\":\"shop\",\"name\":\"r\",\"decision\":\"approve\",\"edge\":\"" + EDGE
            + "\",\"all\":true}", "all"))) {
      var r = decide(approver, b.body());
      assertEquals(400, r.status(), b.body() + " -> " + r.body());
      assertTrue(r.body().contains(b.names()), b.body() + " -> " + r.body());
    }
    assertEquals(403, decide(viewer, "{}").status(), "viewers do not decide");
    assertTrue(decided.isEmpty());
  }

  @Test
  void theQueuesRefusalIsTheAnswer() {
    refusal = new ApiException(409, "edge: AccessRequest shop/r now asks for another edge; nothing was decided");
    var r = decide(approver, "{\"namespace\":\"shop\",\"name\":\"r\",\"decision\":\"reject\",\"edge\":\"" + EDGE
        + "\"}");
    assertEquals(409, r.status());
    assertTrue(r.body().contains("nothing was decided"), r.body());
  }
}
