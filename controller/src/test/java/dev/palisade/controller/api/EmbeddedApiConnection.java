package dev.palisade.controller.api;

import dev.palisade.controller.tls.ServerTls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One API connection through the server's own pipeline ({@link ApiServerInitializer#addHandlers}:
 * read timeout, {@link RequestDeadline}, HTTP codec, {@link AdmissionGate}, aggregator,
 * {@link ApiHandler}) on an EmbeddedChannel, no socket. Its clock stands still until a test moves it, and endpoints wait in a
 * queue until the test runs them, as the server's pool would run them later: a test decides what
 * happens first. Authentication runs at once. Nothing is public without a token.
 */
final class EmbeddedApiConnection implements AutoCloseable {
  /** A decoded answer. */
  record Answer(int status, String connection, String body) {}

  final EmbeddedChannel channel = new EmbeddedChannel();
  private final EmbeddedChannel client = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 20));
  private final ArrayDeque<Runnable> endpoints = new ArrayDeque<>();
  private final List<ByteBuf> sent = new ArrayList<>();

  /** With the production request deadline. */
  EmbeddedApiConnection(Router router, Authenticator auth, int maxBodyBytes) {
    this(router, auth, maxBodyBytes, ApiServer.Limits.DEFAULT.requestDeadline());
  }

  EmbeddedApiConnection(Router router, Authenticator auth, int maxBodyBytes, Duration requestDeadline) {
    channel.freezeTime();
    ApiHandler handler = new ApiHandler(router, auth, p -> false, endpoints::add);
    new ApiServerInitializer(handler, maxBodyBytes, null,
        () -> new AdmissionGate(auth, p -> false, (method, path) -> BodyLimits.of(method, path, maxBodyBytes),
            Runnable::run, router, ApiHandler.Observer.NONE),
        ServerTls.plainHttp(), requestDeadline).addHandlers(channel);
  }

  /** Bytes as they would arrive in one read from the socket. */
  EmbeddedApiConnection send(String ascii) {
    ByteBuf bytes = Unpooled.copiedBuffer(ascii, StandardCharsets.ISO_8859_1);
    sent.add(bytes);
    if (channel.isOpen()) {
      channel.writeInbound(bytes.retain()); // retained: the test can see it released by the server
      bytes.release();
    } else {
      bytes.release(); // a closed connection reads nothing
    }
    return this;
  }

  /** True once every buffer sent has been released by the server (nothing kept, nothing leaked). */
  boolean allReleased() {
    return sent.stream().allMatch(b -> b.refCnt() == 0);
  }

  /** Moves the connection's clock on and runs what was due meanwhile (timeouts, deadlines). */
  EmbeddedApiConnection advance(Duration d) {
    channel.advanceTimeBy(d.toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
    return this;
  }

  /** Runs the endpoints queued so far, as the pool would; returns how many ran. */
  int runEndpoints() {
    int n = 0;
    for (Runnable r; (r = endpoints.poll()) != null; n++) {
      r.run();
    }
    channel.runPendingTasks();
    return n;
  }

  int queuedEndpoints() {
    return endpoints.size();
  }

  /** What the server has written since the last call, decoded. */
  List<Answer> answers() {
    for (Object out; (out = channel.readOutbound()) != null; ) {
      client.writeInbound(out);
    }
    List<Answer> answers = new ArrayList<>();
    for (FullHttpResponse resp; (resp = client.readInbound()) != null; ) {
      try {
        answers.add(new Answer(resp.status().code(), resp.headers().get(HttpHeaderNames.CONNECTION),
            resp.content().toString(StandardCharsets.UTF_8)));
      } finally {
        resp.release();
      }
    }
    return answers;
  }

  @Override
  public void close() {
    channel.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }

  /** A chunked request's head and body: {@code chunks} chunks of {@code chunkBytes} bytes each, then the last. */
  static String chunked(String method, String path, String token, int chunks, int chunkBytes) {
    StringBuilder sb = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: test\r\n"
        + "Authorization: Bearer " + token + "\r\nTransfer-Encoding: chunked\r\n\r\n");
    String chunk = Integer.toHexString(chunkBytes) + "\r\n" + "x".repeat(chunkBytes) + "\r\n";
    sb.append(chunk.repeat(chunks));
    return sb.append("0\r\n\r\n").toString();
  }
}
