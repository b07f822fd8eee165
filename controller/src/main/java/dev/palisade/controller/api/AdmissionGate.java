package dev.palisade.controller.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import java.util.function.ToIntBiFunction;

/**
 * Judges a request on its headers, before its body is read: no token (where one is needed) or a
 * token that does not authenticate is answered 401, and a declared length above the route's limit
 * 413, and the connection is closed without reading what follows. It sits before the body
 * aggregator, so a client that asks {@code Expect: 100-continue} is never invited to send the
 * body of a request that will be refused, and an unauthenticated client cannot make the
 * controller buffer megabytes.
 *
 * <p>A body that declares no length (chunked) is held to the same limit as it arrives: its bytes
 * are counted here, and the chunk that passes the limit is answered 413 in the same way, so the
 * aggregator never holds more than the route reads (without this, up to its global limit).
 *
 * <p>Authentication may ask the API server (TokenReview): it runs on {@code authThreads} while the
 * connection stops reading, and whatever the decoder already produced waits here. The caller found
 * travels with the request as the channel attribute {@link #CALLER}. One instance per connection.
 */
final class AdmissionGate extends ChannelInboundHandlerAdapter {
  /** The authenticated caller of the request being passed on (absent: a public path without token). */
  static final AttributeKey<Principal> CALLER = AttributeKey.valueOf("palisade.caller");

  private final Authenticator auth;
  private final Predicate<String> publicPaths;
  private final ToIntBiFunction<String, String> bodyLimit;
  private final Executor authThreads;
  private final Router router;
  private final ApiHandler.Observer observer;
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  private boolean waiting;
  private boolean refused;
  /** The request being judged (its route for metrics), its body limit, and the body bytes so far. */
  private String method;
  private String path;
  private int limit = Integer.MAX_VALUE;
  private long bodyBytes;

  /** @param bodyLimit (method, path) -> the most body bytes that route reads */
  AdmissionGate(Authenticator auth, Predicate<String> publicPaths, ToIntBiFunction<String, String> bodyLimit,
      Executor authThreads, Router router, ApiHandler.Observer observer) {
    this.router = router;
    this.observer = observer;
    this.auth = auth;
    this.publicPaths = publicPaths;
    this.bodyLimit = bodyLimit;
    this.authThreads = authThreads;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg); // the rest of a refused request: never read into a body
      return;
    }
    if (waiting) {
      held.add(msg);
      return;
    }
    if (!(msg instanceof HttpRequest req)) {
      if (msg instanceof HttpContent body && (bodyBytes += body.content().readableBytes()) > limit) {
        refuse(ctx, msg, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, method + " " + path + " reads at most " + limit
            + " body bytes; the body sent is longer");
        return;
      }
      ctx.fireChannelRead(msg);
      return;
    }
    method = req.method().name();
    path = new QueryStringDecoder(req.uri()).path();
    limit = bodyLimit.applyAsInt(method, path);
    bodyBytes = 0;
    long length = HttpUtil.getContentLength(req, -1L);
    if (length > limit) {
      refuse(ctx, msg, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, method + " " + path + " reads at most " + limit
          + " body bytes, not " + length);
      return;
    }
    boolean isPublic = method.equals("GET") && publicPaths.test(path);
    String header = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    ctx.channel().attr(CALLER).set(null);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      if (isPublic) {
        ctx.fireChannelRead(msg);
      } else {
        refuse(ctx, msg, HttpResponseStatus.UNAUTHORIZED, header == null ? "missing bearer token"
            : "invalid bearer token");
      }
      return;
    }
    String token = header.substring(7).trim();
    waiting = true;
    ctx.channel().config().setAutoRead(false);
    try {
      authThreads.execute(() -> {
        Optional<Principal> caller;
        try {
          caller = auth.authenticate(token);
        } catch (RuntimeException e) {
          caller = Optional.empty();
        }
        Optional<Principal> found = caller;
        ctx.executor().execute(() -> resume(ctx, msg, found, isPublic));
      });
    } catch (RejectedExecutionException busy) {
      waiting = false;
      refuse(ctx, msg, HttpResponseStatus.SERVICE_UNAVAILABLE, "too many requests being authenticated; retry");
    }
  }

  private void resume(ChannelHandlerContext ctx, Object request, Optional<Principal> caller, boolean isPublic) {
    waiting = false;
    if (caller.isEmpty() && !isPublic) {
      refuse(ctx, request, HttpResponseStatus.UNAUTHORIZED, "invalid bearer token");
      return;
    }
    ctx.channel().attr(CALLER).set(caller.orElse(null));
    ctx.fireChannelRead(request);
    // what the decoder produced meanwhile: the body of this request, perhaps the next request
    while (!held.isEmpty() && !waiting && !refused) {
      channelRead(ctx, held.poll());
    }
    if (!waiting) {
      ctx.channel().config().setAutoRead(true);
      ctx.read();
    }
  }

  private void refuse(ChannelHandlerContext ctx, Object msg, HttpResponseStatus status, String message) {
    refused = true;
    try {
      observer.answered(method, router.label(method, path), status.code());
    } catch (RuntimeException e) {
      // metrics never cost the caller its answer
    }
    ReferenceCountUtil.release(msg);
    held.forEach(ReferenceCountUtil::release);
    held.clear();
    ClosingAnswer.send(ctx, status, message);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    held.forEach(ReferenceCountUtil::release);
    held.clear();
    ctx.fireChannelInactive();
  }
}
