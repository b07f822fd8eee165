package dev.palisade.controller.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Each request's life is bounded: from its first byte to its answer being written, at most
 * {@code deadline}. A read timeout alone is no bound, as it starts again with every byte: a client
 * that drips one byte every 20 s holds its connection for days (20 KiB of headers allowed), and
 * once its request is whole, a place in an endpoint's queue. When the deadline passes before the
 * request has arrived whole, the answer is 408; when it arrived but its answer is still being
 * computed, 503. Either way the connection is closed, what else arrives on it is released unread,
 * and the late answer is released and its write failed: never written after the refusal, nor taken
 * for the answer to a next request.
 *
 * <p>It sits in two places: {@link #firstBytes()} before the HTTP codec sees a request's first
 * bytes (the codec makes nothing of a request until its headers are whole), this handler after the
 * codec sees each request's head and end, and each answer as it is written. On a kept-alive
 * connection an answer cancels the deadline and the next request's first byte starts a new one; a
 * request already read behind the answered one (pipelined) starts its own at once. Informational
 * answers (100 Continue) are not answers. One instance per connection, all on its event loop.
 */
final class RequestDeadline extends ChannelDuplexHandler {
  private final Duration deadline;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> timer;
  /** Requests whose head was read, whose end was read, and answers written (pipelining has several). */
  private long started;
  private long arrived;
  private long answered;
  private boolean interim;
  private boolean expired;

  RequestDeadline(Duration deadline) {
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("a request deadline must be positive: " + deadline);
    }
    this.deadline = deadline;
  }

  /** The part before the HTTP codec: bytes that arrive while no deadline runs start one. */
  ChannelHandler firstBytes() {
    return new FirstBytes();
  }

  private final class FirstBytes extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext raw, Object msg) {
      if (expired) {
        ReferenceCountUtil.release(msg); // refused and closing: nothing more is decoded
        return;
      }
      if (!(msg instanceof ByteBuf b) || b.isReadable()) {
        start();
      }
      raw.fireChannelRead(msg);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (expired) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest) {
      started++;
      start(); // without firstBytes() in front (tests), the head starts the clock
    }
    if (msg instanceof LastHttpContent) {
      arrived++;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (expired) {
      // the answer of a request already refused 503: too late, and the connection is closing
      ReferenceCountUtil.release(msg);
      promise.tryFailure(new ClosedChannelException());
      return;
    }
    if (msg instanceof HttpResponse head) {
      interim = head.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    }
    if (msg instanceof LastHttpContent && !interim) {
      answered++;
      cancel();
      if (started > answered) {
        start(); // a pipelined request read meanwhile: its clock runs from now
      }
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  private void start() {
    if (timer == null && !expired && ctx != null) {
      timer = ctx.executor().schedule(this::expire, deadline.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void expire() {
    timer = null;
    if (expired || !ctx.channel().isActive()) {
      return;
    }
    expired = true;
    if (arrived > answered) {
      ClosingAnswer.send(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE,
          "the request did not finish within its deadline of " + describe(deadline) + "; retry");
    } else {
      ClosingAnswer.send(ctx, HttpResponseStatus.REQUEST_TIMEOUT,
          "the request did not arrive within its deadline of " + describe(deadline));
    }
  }

  /** "30 s", or "250 ms" for a deadline that is not whole seconds. */
  static String describe(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
