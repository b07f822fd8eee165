package dev.palisade.controller.api;

import dev.palisade.controller.tls.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;

/**
 * The pipeline of one API connection: a cap on open connections, TLS (when enabled: before anything
 * reads a byte, so the gate below judges headers that arrived encrypted), a read timeout against idle or
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
  private final ServerTls tls;

  /** Without a gate, a cap or TLS (tests of the HTTP layer). */
  public ApiServerInitializer(ApiHandler handler, int maxBodyBytes) {
    this(handler, maxBodyBytes, null, null, ServerTls.plainHttp());
  }

  ApiServerInitializer(ApiHandler handler, int maxBodyBytes, ConnectionCap cap,
      java.util.function.Supplier<AdmissionGate> gates, ServerTls tls) {
    this.handler = handler;
    this.maxBodyBytes = maxBodyBytes;
    this.cap = cap;
    this.gates = gates;
    this.tls = tls;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    addHandlers(ch);
  }

  /** The handlers of one connection onto {@code ch}; tests pass an EmbeddedChannel. */
  void addHandlers(Channel ch) {
    if (cap != null) {
      ch.pipeline().addLast(cap);
    }
    // The cap comes before TLS: a connection over the cap is closed before it costs a handshake.
    // An unfinished handshake is closed by SslHandler's own timeout (10 s).
    tls.handler(ch.alloc()).ifPresent(ssl -> ch.pipeline().addLast("tls", ssl));
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
