package dev.palisade.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, bounded under abuse, on a real socket: the token and the route's body limit are
 * judged on the headers (no 100-continue, no body read for a request that will be refused), a
 * chunked body on its bytes, a request not answered within its deadline is refused, full queues
 * answer 503 at once, agents' reports have a pool viewers cannot fill, and connections beyond the
 * cap are closed as they open.
 */
class ApiServerBoundsTest {
  private final StaticTokens tokens = new StaticTokens();
  private final String viewer = tokens.issue(new Principal("bob", Role.VIEWER));
  private final String agent = tokens.issue(new Principal("lab-node-0", Role.AGENT));
  private final CountDownLatch release = new CountDownLatch(1);
  private final java.util.concurrent.atomic.AtomicInteger modeBodies = new java.util.concurrent.atomic.AtomicInteger();
  private ApiServer server;

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.close();
    }
  }

  private ApiServer start(ApiServer.Limits limits) {
    Router router = new Router()
        .add("POST", "/v1/flows", Role.AGENT, r -> ApiResponse.json(200, "{\"bytes\":" + r.body().length + "}"))
        .add("POST", "/v1/mode", Role.VIEWER, r -> {
          modeBodies.incrementAndGet();
          return ApiResponse.json(200, "{\"bytes\":" + r.body().length + "}");
        })
        .add("GET", "/v1/slow", Role.VIEWER, r -> {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return ApiResponse.json(200, "{}");
        });
    server = ApiServer.start("127.0.0.1", 0, router, tokens, p -> false, 4 * 1024 * 1024, ApiHandler.Observer.NONE,
        limits);
    return server;
  }

  /** Sends only the request head; returns what the server answers before any body. */
  private String head(String requestHead) throws IOException {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(requestHead.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      int n = in.read(buf);
      return n < 0 ? "(closed)" : new String(buf, 0, n, StandardCharsets.US_ASCII);
    }
  }

  @Test
  void anUnauthenticatedOrOversizedRequestIsRefusedBeforeItsBodyIsInvited() throws Exception {
    start(ApiServer.Limits.DEFAULT);
    String noToken = head("POST /v1/flows HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 3000000\r\nExpect: 100-continue\r\n\r\n");
    assertTrue(noToken.startsWith("HTTP/1.1 401"), noToken);
    assertTrue(noToken.contains("missing bearer token"), noToken);
    String badToken = head("POST /v1/flows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer forged\r\n"
        + "Content-Length: 3000000\r\nExpect: 100-continue\r\n\r\n");
    assertTrue(badToken.startsWith("HTTP/1.1 401"), badToken);
    // a valid token, but a mode is a small object: 413 on the declared length
    String tooBig = head("POST /v1/mode HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + viewer
        + "\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n");
    assertTrue(tooBig.startsWith("HTTP/1.1 413"), tooBig);
    assertTrue(tooBig.contains("reads at most 65536 body bytes"), tooBig);
    // ... and an agent's large report is invited
    String invited = head("POST /v1/flows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + agent
        + "\r\nContent-Length: 3000000\r\nExpect: 100-continue\r\n\r\n");
    assertTrue(invited.startsWith("HTTP/1.1 100"), invited);
  }

  @Test
  void aChunkedBodyPastTheRouteLimitIs413AndTheConnectionClosed() throws Exception {
    start(ApiServer.Limits.DEFAULT);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      // no declared length: a valid token, then 80 KiB of chunks to a route that reads 64 KiB
      String chunk = Integer.toHexString(16 * 1024) + "\r\n" + "x".repeat(16 * 1024) + "\r\n";
      try {
        out.write(("POST /v1/mode HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + viewer
            + "\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 5; i++) {
          out.write(chunk.getBytes(StandardCharsets.US_ASCII));
          out.flush();
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException closedWhileSending) {
        // the server may close before the last chunk: what it answered is read below
      }
      String answer = readToEnd(s);
      assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
      assertTrue(answer.contains("POST /v1/mode reads at most 65536 body bytes"), answer);
      assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
      assertTrue(answer.endsWith("(closed)"), "the server closed the connection: " + answer);
    }
    assertEquals(0, modeBodies.get(), "the endpoint never saw the body");
  }

  @Test
  void aRequestNotAnsweredWithinItsDeadlineIs408Or503AndClosed() throws Exception {
    start(new ApiServer.Limits(2, 1, 4, 1024, java.time.Duration.ofMillis(500)));
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      // a head that never ends: each byte would reset the read timeout, the deadline is not reset
      s.getOutputStream().write("GET /v1/slow HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = readToEnd(s);
      assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
      assertTrue(answer.contains("the request did not arrive within its deadline of 500 ms"), answer);
      assertTrue(answer.endsWith("(closed)"), answer);
    }
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(5000);
      // a whole request whose endpoint does not finish in time
      s.getOutputStream().write(("GET /v1/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + viewer
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String answer = readToEnd(s);
      assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
      assertTrue(answer.contains("the request did not finish within its deadline of 500 ms"), answer);
      assertTrue(answer.endsWith("(closed)"), "closed, and the late answer never follows: " + answer);
    }
  }

  /** All the server sends until it closes the connection, then "(closed)"; fails if it stays open. */
  private static String readToEnd(Socket s) throws IOException {
    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n; (n = s.getInputStream().read(buf)) >= 0; ) {
        got.write(buf, 0, n);
      }
    } catch (java.net.SocketTimeoutException stillOpen) {
      return got.toString(StandardCharsets.US_ASCII) + "(still open)";
    } catch (IOException reset) {
      // closed with our unread chunks in its buffer: the kernel resets instead of a FIN
    }
    return got.toString(StandardCharsets.US_ASCII) + "(closed)";
  }

  @Test
  void aKeptAliveConnectionIsJudgedRequestByRequest() throws Exception {
    start(ApiServer.Limits.DEFAULT);
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/v1/flows")).header("Authorization", "Bearer " + agent)
          .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100_000 * (i + 1)))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ok.statusCode(), ok.body());
      assertEquals("{\"bytes\":" + 100_000 * (i + 1) + "}", ok.body());
    }
  }

  @Test
  void fullQueuesAnswer503AtOnceAndNeverHoldAgentsReports() throws Exception {
    start(new ApiServer.Limits(2, 1, 4, 1024));
    HttpClient http = HttpClient.newHttpClient();
    List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      slow.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/slow"))
          .header("Authorization", "Bearer " + viewer).build(), HttpResponse.BodyHandlers.ofString()));
    }
    // 2 running + 4 queued; the other 6 are refused without waiting for the slow ones
    int refused = 0;
    for (CompletableFuture<HttpResponse<String>> f : slow) {
      try {
        HttpResponse<String> r = f.get(3, TimeUnit.SECONDS);
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("busy"), r.body());
        refused++;
      } catch (java.util.concurrent.TimeoutException stillWaiting) {
        // admitted: it waits for the release
      }
    }
    assertEquals(6, refused);
    HttpResponse<String> report = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
        + "/v1/flows")).header("Authorization", "Bearer " + agent).POST(HttpRequest.BodyPublishers.ofString("{}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, report.statusCode(), "an agent's report while viewers fill their pool: " + report.body());
    release.countDown();
    for (CompletableFuture<HttpResponse<String>> f : slow) {
      assertTrue(List.of(200, 503).contains(f.get(10, TimeUnit.SECONDS).statusCode()));
    }
  }

  @Test
  void connectionsBeyondTheCapAreClosedAsTheyOpen() throws Exception {
    start(new ApiServer.Limits(2, 1, 4, 3));
    List<Socket> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        open.add(new Socket("127.0.0.1", server.port()));
      }
      Thread.sleep(200); // the server has seen them open
      assertEquals("(closed)", head("GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n"), "the fourth connection");
      open.remove(0).close();
      Thread.sleep(200);
      String answer = head("POST /v1/mode HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 401"), "room again once one closed: " + answer);
    } finally {
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
