package dev.palisade.controller.api;

import dev.palisade.controller.tls.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.time.Duration;

/**
 * The pipeline of one API connection: a cap on open connections, TLS (when enabled: before anything
 * reads a byte, so the gate below judges headers that arrived encrypted), a read timeout against idle
 * clients, the {@link RequestDeadline} around the HTTP codec (each request answered within a bounded
 * time of its first byte, however slowly it arrives: 408 or 503, and closed), the
 * {@link AdmissionGate} (authentication and the route's body limit: on the declared length before
 * any body is read, and on the bytes of a chunked body as they arrive), the body aggregator (its
 * global limit is only a backstop), the API handler, and last the handler that closes a connection
 * on error (an idle timeout is not a warning).
 */
public final class ApiServerInitializer extends ChannelInitializer<SocketChannel> {
  private static final ConnectionErrorHandler CONNECTION_ERRORS = new ConnectionErrorHandler();
  private final ApiHandler handler;
  private final int maxBodyBytes;
  private final ConnectionCap cap;
  private final java.util.function.Supplier<AdmissionGate> gates;
  private final ServerTls tls;
  private final Duration requestDeadline;

  /** Without a gate, a cap or TLS (tests of the HTTP layer); requests have the default deadline. */
  public ApiServerInitializer(ApiHandler handler, int maxBodyBytes) {
    this(handler, maxBodyBytes, null, null, ServerTls.plainHttp(), ApiServer.Limits.DEFAULT.requestDeadline());
  }

  /** @param requestDeadline from a request's first byte to its answer written, at most this */
  ApiServerInitializer(ApiHandler handler, int maxBodyBytes, ConnectionCap cap,
      java.util.function.Supplier<AdmissionGate> gates, ServerTls tls, Duration requestDeadline) {
    this.handler = handler;
    this.maxBodyBytes = maxBodyBytes;
    this.cap = cap;
    this.gates = gates;
    this.tls = tls;
    this.requestDeadline = requestDeadline;
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
    // Closes a connection idle for 30 s; no bound on a slow request, as every byte resets it.
    ch.pipeline().addLast(new ReadTimeoutHandler(30));
    // The bound on a slow request: a client that drips bytes (headers or body) within the read
    // timeout would otherwise hold its connection, and then a place in an endpoint's queue, for as
    // long as it likes. Around the codec: it sees a request's first bytes before, its head, end
    // and answer after.
    RequestDeadline deadline = new RequestDeadline(requestDeadline);
    ch.pipeline().addLast(deadline.firstBytes());
    ch.pipeline().addLast(new HttpServerCodec(4096, 16 * 1024, 64 * 1024));
    ch.pipeline().addLast(deadline);
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
