package dev.palisade.controller.api;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;

/**
 * The pipeline of one API connection: a cap on open connections, a read timeout against idle or
 * slow clients, the HTTP codec, the {@link AdmissionGate} (authentication and the route's body
 * limit on the headers, before any body is read), a body limit (an oversized request gets 413
 * before any endpoint sees it), the API handler, and last the handler that closes a connection on
 * error (an idle timeout is not a warning).
 */
public final class ApiServerInitializer extends ChannelInitializer<SocketChannel> {
  private static final ConnectionErrorHandler CONNECTION_ERRORS = new ConnectionErrorHandler();
  private final ApiHandler handler;
  private final int maxBodyBytes;
  private final ConnectionCap cap;
  private final java.util.function.Supplier<AdmissionGate> gates;

  /** Without a gate or a cap (tests of the HTTP layer). */
  public ApiServerInitializer(ApiHandler handler, int maxBodyBytes) {
    this(handler, maxBodyBytes, null, null);
  }

  ApiServerInitializer(ApiHandler handler, int maxBodyBytes, ConnectionCap cap,
      java.util.function.Supplier<AdmissionGate> gates) {
    this.handler = handler;
    this.maxBodyBytes = maxBodyBytes;
    this.cap = cap;
    this.gates = gates;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    if (cap != null) {
      ch.pipeline().addLast(cap);
    }
    ch.pipeline().addLast(new ReadTimeoutHandler(30));
    ch.pipeline().addLast(new HttpServerCodec(4096, 16 * 1024, 64 * 1024));
    if (gates != null) {
      ch.pipeline().addLast(gates.get()); // headers judged before the body is read
    }
    ch.pipeline().addLast(new HttpObjectAggregator(maxBodyBytes)).addLast(handler).addLast(CONNECTION_ERRORS);
  }

  /** The HTTP part of the pipeline, up to the handler; tests run it on an EmbeddedChannel. */
  public static io.netty.channel.ChannelPipeline addHttp(io.netty.channel.ChannelPipeline p, int maxBodyBytes) {
    return p.addLast(new HttpServerCodec(4096, 16 * 1024, 64 * 1024))
        .addLast(new HttpObjectAggregator(maxBodyBytes));
  }
}
