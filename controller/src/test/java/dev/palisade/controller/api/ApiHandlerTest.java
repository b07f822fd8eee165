package dev.palisade.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.nio.charset.StandardCharsets;
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

  /** Sends raw HTTP bytes through the server's real HTTP pipeline and decodes the answer. */
  private FullHttpResponse send(String method, String path, String token, String body) {
    EmbeddedChannel server = new EmbeddedChannel();
    ApiServerInitializer.addHttp(server.pipeline(), 1024).addLast(new ApiHandler(router, tokens, p -> p.equals("/")));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head = method + " " + path + " HTTP/1.1\r\nHost: test\r\nContent-Length: " + bytes.length + "\r\n"
        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
    server.writeInbound(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), bytes));
    EmbeddedChannel client = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 20));
    for (Object out; (out = server.readOutbound()) != null; ) {
      client.writeInbound(out);
    }
    FullHttpResponse resp = client.readInbound();
    server.finishAndReleaseAll();
    return resp;
  }

  private static String body(FullHttpResponse r) {
    return r.content().toString(StandardCharsets.UTF_8);
  }

  @Test
  void withoutATokenTheApiAnswers401() {
    var r = send("POST", "/api/v1/flows", null, "{}");
    assertEquals(401, r.status().code());
    assertEquals("{\"error\":\"missing bearer token\"}", body(r));
    r = send("GET", "/api/v1/graph", "not-a-valid-token-at-all", "");
    assertEquals(401, r.status().code());
    assertEquals("{\"error\":\"invalid bearer token\"}", body(r));
  }

  @Test
  void rolesAreEnforced() {
    assertEquals(202, send("POST", "/api/v1/flows", agent, "{}").status().code());
    assertEquals(403, send("POST", "/api/v1/flows", viewer, "{}").status().code(), "a viewer is not an agent");
    assertEquals(403, send("GET", "/api/v1/graph", agent, "").status().code(), "an agent cannot read the graph");
    var r = send("POST", "/api/v1/approve", viewer, "{}");
    assertEquals(403, r.status().code());
    assertTrue(body(r).contains("alice (viewer) may not POST /api/v1/approve: needs approver"), body(r));
    assertEquals(200, send("POST", "/api/v1/approve", approver, "{}").status().code());
    assertEquals(200, send("GET", "/api/v1/graph", approver, "").status().code(), "approvers can view");
  }

  @Test
  void publicShellNeedsNoTokenButNothingElseIsPublic() {
    assertEquals(200, send("GET", "/", null, "").status().code());
    assertEquals(401, send("GET", "/nope", null, "").status().code(), "unknown paths do not leak 404 to strangers");
    assertEquals(404, send("GET", "/nope", viewer, "").status().code());
    assertEquals(405, send("DELETE", "/api/v1/graph", viewer, "").status().code());
  }

  @Test
  void endpointRefusalsAndOversizedBodies() {
    var r = send("POST", "/api/v1/flows", agent, "");
    assertEquals(400, r.status().code());
    assertEquals("{\"error\":\"empty flow report\"}", body(r));
    r = send("POST", "/api/v1/flows", agent, "x".repeat(5000));
    assertEquals(413, r.status().code());
  }

  @Test
  void shortTokensAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> tokens.add("short", new Principal("x", Role.AGENT)));
  }
}
