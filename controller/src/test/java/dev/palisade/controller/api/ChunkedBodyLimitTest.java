package dev.palisade.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A body that declares no length (Transfer-Encoding: chunked) is held to its route's limit as it
 * arrives, as a declared length is on the headers: past the limit the answer is 413 naming it, the
 * connection is closed, and the endpoint never sees the body (before, the aggregator read it up to
 * the global 4 MiB and the endpoint got it).
 */
class ChunkedBodyLimitTest {
  private final StaticTokens tokens = new StaticTokens();
  private final String viewer = tokens.issue(new Principal("bob", Role.VIEWER));
  private final AtomicInteger endpointCalls = new AtomicInteger();
  private final Router router = new Router()
      .add("POST", "/v1/mode", Role.VIEWER, this::bytes)
      .add("GET", "/v1/graph", Role.VIEWER, this::bytes);
  private final EmbeddedApiConnection conn = new EmbeddedApiConnection(router, tokens, 4 * 1024 * 1024);

  private ApiResponse bytes(ApiRequest r) {
    endpointCalls.incrementAndGet();
    return ApiResponse.json(200, "{\"bytes\":" + r.body().length + "}");
  }

  @AfterEach
  void close() {
    conn.close();
  }

  @Test
  void aChunkedBodyPastTheRouteLimitIs413AndNothingMoreIsRead() {
    // 80 KiB to a route that reads 64 KiB, then a second request on the same connection
    conn.send(EmbeddedApiConnection.chunked("POST", "/v1/mode", viewer, 5, 16 * 1024)
        + "GET /v1/graph HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " + viewer + "\r\n\r\n");
    conn.runEndpoints();
    List<EmbeddedApiConnection.Answer> answers = conn.answers();
    assertEquals(1, answers.size(), "one answer, nothing for what followed: " + answers);
    assertEquals(413, answers.get(0).status(), answers.get(0).body());
    assertEquals("{\"error\":\"POST /v1/mode reads at most 65536 body bytes; the body sent is longer\"}",
        answers.get(0).body());
    assertEquals("close", answers.get(0).connection());
    assertFalse(conn.channel.isOpen());
    assertEquals(0, endpointCalls.get(), "the endpoint never saw the body");
    assertTrue(conn.allReleased(), "every buffer read was released");
  }

  @Test
  void aGetIsHeldTo4KiBOfChunkedBody() {
    conn.send(EmbeddedApiConnection.chunked("GET", "/v1/graph", viewer, 5, 1000));
    conn.runEndpoints();
    List<EmbeddedApiConnection.Answer> answers = conn.answers();
    assertEquals(1, answers.size(), answers.toString());
    assertEquals(413, answers.get(0).status());
    assertTrue(answers.get(0).body().contains("GET /v1/graph reads at most 4096 body bytes"), answers.get(0).body());
    assertFalse(conn.channel.isOpen());
    assertEquals(0, endpointCalls.get());
  }

  @Test
  void eachRequestOnAKeptAliveConnectionIsCountedFromZero() {
    // two 40 KiB bodies: together past the 64 KiB limit, each within it
    for (int i = 0; i < 2; i++) {
      conn.send(EmbeddedApiConnection.chunked("POST", "/v1/mode", viewer, 5, 8 * 1024));
      conn.runEndpoints();
      List<EmbeddedApiConnection.Answer> answers = conn.answers();
      assertEquals(1, answers.size(), answers.toString());
      assertEquals(200, answers.get(0).status(), answers.get(0).body());
      assertEquals("{\"bytes\":40960}", answers.get(0).body());
    }
    assertTrue(conn.channel.isOpen());
    assertEquals(2, endpointCalls.get());
  }
}
