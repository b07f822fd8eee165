package dev.palisade.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A request is answered within its deadline of its first byte, however slowly it arrives: the read
 * timeout (30 s) starts again with each byte, so a client dripping a byte every 4 s was never cut
 * off before. Time is the EmbeddedChannel's, moved by the test; the deadline here is 10 s.
 */
class RequestDeadlineTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  private final StaticTokens tokens = new StaticTokens();
  private final String viewer = tokens.issue(new Principal("bob", Role.VIEWER));
  private final AtomicInteger endpointCalls = new AtomicInteger();
  private final Router router = new Router().add("POST", "/v1/mode", Role.VIEWER, r -> {
    endpointCalls.incrementAndGet();
    return ApiResponse.json(200, "{\"bytes\":" + r.body().length + "}");
  });
  private final EmbeddedApiConnection conn = new EmbeddedApiConnection(router, tokens, 4 * 1024 * 1024, DEADLINE);

  @AfterEach
  void close() {
    conn.close();
  }

  private String request(String body) {
    return "POST /v1/mode HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " + viewer + "\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body;
  }

  /** Sends {@code text} a byte at a time, {@code gap} apart, until done or the connection closes. */
  private void drip(String text, Duration gap) {
    for (int i = 0; i < text.length() && conn.channel.isOpen(); i++) {
      conn.advance(gap).send(text.substring(i, i + 1));
    }
  }

  private static void assertRefused(List<EmbeddedApiConnection.Answer> answers, int status, String error) {
    assertEquals(1, answers.size(), answers.toString());
    assertEquals(status, answers.get(0).status(), answers.get(0).body());
    assertEquals("{\"error\":\"" + error + "\"}", answers.get(0).body());
    assertEquals("close", answers.get(0).connection());
  }

  @Test
  void headersDrippedByteByByteAre408AtTheDeadline() {
    conn.send("POST /v1/mode HTTP/1.1\r\n");
    drip("Host: test\r\nX-Drip: " + "x".repeat(100), Duration.ofSeconds(4));
    assertRefused(conn.answers(), 408, "the request did not arrive within its deadline of 10 s");
    assertFalse(conn.channel.isOpen());
    assertEquals(0, conn.queuedEndpoints() + endpointCalls.get(), "no endpoint saw the request");
    assertTrue(conn.allReleased());
  }

  @Test
  void aBodyDrippedAfterAWholeHeadIs408AtTheDeadline() {
    String whole = request("x".repeat(100));
    conn.send(whole.substring(0, whole.length() - 100));
    drip("x".repeat(100), Duration.ofSeconds(4));
    assertRefused(conn.answers(), 408, "the request did not arrive within its deadline of 10 s");
    assertFalse(conn.channel.isOpen());
    assertEquals(0, conn.queuedEndpoints() + endpointCalls.get(), "no endpoint saw the request");
    assertTrue(conn.allReleased());
  }

  @Test
  void aHundredContinueIsNotTheAnswer() {
    conn.send("POST /v1/mode HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " + viewer
        + "\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
    assertEquals(100, conn.answers().get(0).status(), "invited to send the body");
    conn.advance(Duration.ofSeconds(11)); // ... which never comes
    assertRefused(conn.answers(), 408, "the request did not arrive within its deadline of 10 s");
    assertFalse(conn.channel.isOpen());
  }

  @Test
  void anAnswerStillBeingComputedAtTheDeadlineIs503AndTheLateOneIsDropped() {
    conn.send(request("{}"));
    assertEquals(1, conn.queuedEndpoints(), "the request arrived whole and waits for an endpoint thread");
    conn.advance(Duration.ofSeconds(11));
    assertRefused(conn.answers(), 503, "the request did not finish within its deadline of 10 s; retry");
    assertFalse(conn.channel.isOpen());
    assertEquals(1, conn.runEndpoints(), "the endpoint runs late");
    assertEquals(List.of(), conn.answers(), "its answer is never written after the 503");
  }

  @Test
  void onAKeptAliveConnectionEachRequestHasItsOwnDeadline() {
    conn.send(request("{}"));
    conn.advance(Duration.ofSeconds(8)).runEndpoints();
    assertEquals(200, conn.answers().get(0).status());
    // past the first request's deadline: answered, so nothing is due
    conn.advance(Duration.ofSeconds(8));
    assertEquals(List.of(), conn.answers());
    conn.send(request("{}"));
    conn.advance(Duration.ofSeconds(8)).runEndpoints(); // 16 s after the first request, 8 after this one
    assertEquals(200, conn.answers().get(0).status());
    conn.advance(Duration.ofSeconds(20)); // idle between requests: the read timeout's business, not a 408
    assertEquals(List.of(), conn.answers());
    assertTrue(conn.channel.isOpen());
    assertEquals(2, endpointCalls.get());
  }

  @Test
  void aLateAnswerWhileThe503IsStillBeingSentIsReleasedNotWritten() {
    // a socket slow to take the 503: the connection stays open until it is sent, and the
    // endpoint's answer may come meanwhile
    List<Object> onTheWire = new ArrayList<>();
    ChannelOutboundHandlerAdapter slowSocket = new ChannelOutboundHandlerAdapter() {
      @Override
      public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        onTheWire.add(msg); // never done: the close that follows the 503 waits
      }
    };
    RequestDeadline deadline = new RequestDeadline(DEADLINE);
    EmbeddedChannel ch = new EmbeddedChannel();
    ch.freezeTime();
    ch.pipeline().addLast(slowSocket, deadline.firstBytes(), new HttpServerCodec(), deadline)
        .addLast("endpoint", new ChannelInboundHandlerAdapter());
    ch.writeInbound(Unpooled.copiedBuffer(request("{}"), StandardCharsets.US_ASCII));
    ch.advanceTimeBy(11, TimeUnit.SECONDS);
    ch.runScheduledPendingTasks();
    int refusal = onTheWire.size();
    assertTrue(refusal > 0, "the 503 is on its way");
    assertTrue(ch.isOpen());
    FullHttpResponse late = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.copiedBuffer("{}", StandardCharsets.US_ASCII));
    ChannelFuture write = ch.pipeline().context("endpoint").writeAndFlush(late); // as ApiHandler writes
    assertEquals(refusal, onTheWire.size(), "nothing written after the 503");
    assertTrue(write.isDone() && !write.isSuccess(), "the late write failed");
    assertEquals(0, late.refCnt(), "and its answer was released");
    onTheWire.forEach(ReferenceCountUtil::release);
    ch.finishAndReleaseAll();
  }

  @Test
  void deadlinesAreDescribedInTheirUnit() {
    assertEquals("30 s", RequestDeadline.describe(Duration.ofSeconds(30)));
    assertEquals("250 ms", RequestDeadline.describe(Duration.ofMillis(250)));
  }
}
