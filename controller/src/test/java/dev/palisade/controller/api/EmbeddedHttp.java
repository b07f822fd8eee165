package dev.palisade.controller.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/**
 * The API's real HTTP pipeline (codec, aggregator with its body limit, {@link ApiHandler} with its
 * token check and route roles) on an EmbeddedChannel, no socket: raw request bytes in, the decoded
 * answer out. Endpoints run on the calling thread.
 */
public final class EmbeddedHttp {
  public record Answer(int status, String contentType, String body) {}

  private final Router router;
  private final Authenticator auth;
  private final Predicate<String> publicPaths;
  private final int maxBody;

  public EmbeddedHttp(Router router, Authenticator auth, Predicate<String> publicPaths, int maxBody) {
    this.router = router;
    this.auth = auth;
    this.publicPaths = publicPaths;
    this.maxBody = maxBody;
  }

  public Answer send(String method, String path, String token, String body) {
    EmbeddedChannel server = new EmbeddedChannel();
    ApiServerInitializer.addHttp(server.pipeline(), maxBody).addLast(new ApiHandler(router, auth, publicPaths));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head = method + " " + path + " HTTP/1.1\r\nHost: test\r\nContent-Length: " + bytes.length + "\r\n"
        + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
    server.writeInbound(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), bytes));
    EmbeddedChannel client = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 20));
    for (Object out; (out = server.readOutbound()) != null; ) {
      client.writeInbound(out);
    }
    FullHttpResponse resp = client.readInbound();
    if (resp == null) {
      throw new AssertionError("no answer to " + method + " " + path);
    }
    try {
      return new Answer(resp.status().code(), resp.headers().get("Content-Type"),
          resp.content().toString(StandardCharsets.UTF_8));
    } finally {
      resp.release();
      server.finishAndReleaseAll();
      client.finishAndReleaseAll();
    }
  }
}
