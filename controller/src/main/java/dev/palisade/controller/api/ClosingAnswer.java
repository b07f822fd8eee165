package dev.palisade.controller.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * How the pipeline's guards refuse a request whose rest they will not read: a JSON error
 * {@code {"error": "..."}} (the shape every API error has) with {@code Connection: close}, after
 * which the connection is closed. Closing is the point: the client may still be sending, and what
 * it sends must not be taken for the next request.
 */
final class ClosingAnswer {
  private ClosingAnswer() {}

  /** Writes the answer from {@code ctx} (so it passes only the handlers before it) and closes. */
  static ChannelFuture send(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
    byte[] body = ("{\"error\":" + JsonText.quote(message) + "}").getBytes(StandardCharsets.UTF_8);
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
    resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
  }
}
