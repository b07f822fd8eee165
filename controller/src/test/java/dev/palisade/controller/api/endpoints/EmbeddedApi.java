package dev.palisade.controller.api.endpoints;

import dev.palisade.controller.api.ApiHandler;
import dev.palisade.controller.api.ApiServerInitializer;
import dev.palisade.controller.api.Principal;
import dev.palisade.controller.api.Role;
import dev.palisade.controller.api.Router;
import dev.palisade.controller.api.StaticTokens;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.nio.charset.StandardCharsets;

/**
 * The API's real HTTP pipeline (codec, aggregator, {@link ApiHandler} with its token check and
 * route roles) on an EmbeddedChannel, no socket: raw request bytes in, the decoded answer out.
 * Endpoints run on the calling thread, so a fake state behind them answers at once.
 */
final class EmbeddedApi {
  /** Tokens of one caller per role; the agent is node-a's. */
  final StaticTokens tokens = new StaticTokens();
  final String agentA = tokens.issue(new Principal("node-a", Role.AGENT));
  final String viewer = tokens.issue(new Principal("vera", Role.VIEWER));
  final String approver = tokens.issue(new Principal("alice", Role.APPROVER));
  private final Router router;

  record Answer(int status, String contentType, String body) {}

  EmbeddedApi(Router router) {
    this.router = router;
  }

  Answer send(String method, String path, String token, String body) {
    EmbeddedChannel server = new EmbeddedChannel();
    ApiServerInitializer.addHttp(server.pipeline(), 1 << 20)
        .addLast(new ApiHandler(router, tokens, HealthEndpoints.PATHS));
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
