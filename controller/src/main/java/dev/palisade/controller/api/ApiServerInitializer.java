package dev.palisade.controller.api;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;

/**
 * The pipeline of one API connection: HTTP codec, a body limit (an oversized request gets 413
 * before any endpoint sees it), a read timeout against idle or slow clients, the API handler, and
 * last the handler that closes a connection on error (an idle timeout is not a warning).
 */
public final class ApiServerInitializer extends ChannelInitializer<SocketChannel> {
  private static final ConnectionErrorHandler CONNECTION_ERRORS = new ConnectionErrorHandler();
  private final ApiHandler handler;
  private final int maxBodyBytes;

  public ApiServerInitializer(ApiHandler handler, int maxBodyBytes) {
    this.handler = handler;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.pipeline().addLast(new ReadTimeoutHandler(30));
    addHttp(ch.pipeline(), maxBodyBytes).addLast(handler).addLast(CONNECTION_ERRORS);
  }

  /** The HTTP part of the pipeline, up to the handler; tests run it on an EmbeddedChannel. */
  public static io.netty.channel.ChannelPipeline addHttp(io.netty.channel.ChannelPipeline p, int maxBodyBytes) {
    return p.addLast(new HttpServerCodec(4096, 16 * 1024, 64 * 1024))
        .addLast(new HttpObjectAggregator(maxBodyBytes));
  }
}
