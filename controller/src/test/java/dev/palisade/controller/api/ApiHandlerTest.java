package dev.palisade.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ApiHandlerTest {
  private final StaticTokens tokens = new StaticTokens();
  private final String agent = tokens.issue(new Principal("agent/node-0", Role.AGENT));
  private final String viewer = tokens.issue(new Principal("alice", Role.VIEWER));
  private final String approver = tokens.issue(new Principal("bob", Role.APPROVER));
  private final Router router = new Router()
      .add("POST", "/api/v1/flows", Role.AGENT, r -> {
        if (r.body().length == 0) throw ApiException.badRequest("empty flow report");
        return ApiResponse.json(202, "{\"accepted\":true,\"by\":\"" + r.caller().name() + "\"}");
      })
      .add("GET", "/api/v1/graph", Role.VIEWER, r -> ApiResponse.json(200, "{}"))
      .add("POST", "/api/v1/approve", Role.APPROVER, r -> ApiResponse.json(200, "{}"))
      .add("GET", "/", null, r -> ApiResponse.text(200, "text/html", "<html></html>"));

  /** Raw HTTP bytes through the server's real pipeline (1 KiB body limit; only / is public). */
  private final EmbeddedHttp http = new EmbeddedHttp(router, tokens, p -> p.equals("/"), 1024);

  private EmbeddedHttp.Answer send(String method, String path, String token, String body) {
    return http.send(method, path, token, body);
  }

  @Test
  void withoutATokenTheApiAnswers401() {
    var r = send("POST", "/api/v1/flows", null, "{}");
    assertEquals(401, r.status());
    assertEquals("{\"error\":\"missing bearer token\"}", r.body());
    r = send("GET", "/api/v1/graph", "not-a-valid-token-at-all", "");
    assertEquals(401, r.status());
    assertEquals("{\"error\":\"invalid bearer token\"}", r.body());
  }

  @Test
  void rolesAreEnforced() {
    assertEquals(202, send("POST", "/api/v1/flows", agent, "{}").status());
    assertEquals(403, send("POST", "/api/v1/flows", viewer, "{}").status(), "a viewer is not an agent");
    assertEquals(403, send("GET", "/api/v1/graph", agent, "").status(), "an agent cannot read the graph");
    var r = send("POST", "/api/v1/approve", viewer, "{}");
    assertEquals(403, r.status());
    assertTrue(r.body().contains("alice (viewer) may not POST /api/v1/approve: needs approver"), r.body());
    assertEquals(200, send("POST", "/api/v1/approve", approver, "{}").status());
    assertEquals(200, send("GET", "/api/v1/graph", approver, "").status(), "approvers can view");
  }

  @Test
  void publicShellNeedsNoTokenButNothingElseIsPublic() {
    assertEquals(200, send("GET", "/", null, "").status());
    assertEquals(401, send("GET", "/nope", null, "").status(), "unknown paths do not leak 404 to strangers");
    assertEquals(404, send("GET", "/nope", viewer, "").status());
    assertEquals(405, send("DELETE", "/api/v1/graph", viewer, "").status());
  }

  @Test
  void endpointRefusalsAndOversizedBodies() {
    var r = send("POST", "/api/v1/flows", agent, "");
    assertEquals(400, r.status());
    assertEquals("{\"error\":\"empty flow report\"}", r.body());
    r = send("POST", "/api/v1/flows", agent, "x".repeat(5000));
    assertEquals(413, r.status());
  }

  @Test
  void shortTokensAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> tokens.add("short", new Principal("x", Role.AGENT)));
  }
}
