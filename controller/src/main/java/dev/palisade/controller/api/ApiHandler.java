package dev.palisade.controller.api;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates each request, checks the caller's role against the route, and runs the endpoint.
 * Refusals are JSON {@code {"error": "..."}} with 401 (no or bad token), 403 (role), 404, 405,
 * 400 (bad input, from the endpoint). Endpoints run on the given executor, off the I/O threads:
 * they wait for the controller's event thread, and a slow one must delay only its own answer.
 */
@io.netty.channel.ChannelHandler.Sharable
public final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

  /** Told of every answer (metrics): the route as its pattern ({@link Router#label}), and the status. */
  @FunctionalInterface
  public interface Observer {
    Observer NONE = (method, route, status) -> { };

    void answered(String method, String route, int status);
  }

  static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
      + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
      + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private Observer observer = Observer.NONE;
  private final Router router;
  private final Authenticator auth;
  /** Paths anyone may GET without a token (the page's static shell, health). */
  private final java.util.function.Predicate<String> publicPaths;

  /** Where endpoints run: they wait for the controller's event thread, so never on an I/O thread. */
  private final java.util.concurrent.Executor endpoints;
  /** Where agents' routes run, apart: a flood of viewer reads cannot fill the agents' queue (null: shared). */
  private java.util.concurrent.Executor agentEndpoints;

  /** Agents' routes on their own bounded pool; before serving. */
  public ApiHandler agentsOn(java.util.concurrent.Executor pool) {
    this.agentEndpoints = pool;
    return this;
  }

  public ApiHandler(Router router, Authenticator auth, java.util.function.Predicate<String> publicPaths,
      java.util.concurrent.Executor endpoints) {
    this.router = router;
    this.auth = auth;
    this.publicPaths = publicPaths;
    this.endpoints = endpoints;
  }

  /** Set before serving. */
  public ApiHandler observe(Observer o) {
    this.observer = o;
    return this;
  }

  /** Runs endpoints on the calling thread (tests on an EmbeddedChannel). */
  public ApiHandler(Router router, Authenticator auth, java.util.function.Predicate<String> publicPaths) {
    this(router, auth, publicPaths, Runnable::run);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    // The request is released when this returns: take what the endpoint needs first.
    // behind an AdmissionGate the caller was found on the headers, before the body was read
    boolean gated = ctx.pipeline().get(AdmissionGate.class) != null;
    Incoming in = new Incoming(req.method().name(), req.uri(), req.headers().get(HttpHeaderNames.AUTHORIZATION),
        ByteBufUtil.getBytes(req.content()), HttpUtil.isKeepAlive(req), gated,
        gated ? ctx.channel().attr(AdmissionGate.CALLER).get() : null);
    java.util.concurrent.Executor pool = agentEndpoints != null && isAgentRoute(in) ? agentEndpoints : endpoints;
    try {
      pool.execute(() -> respond(ctx, in));
    } catch (java.util.concurrent.RejectedExecutionException full) {
      // a bounded queue: refuse at once rather than make every caller wait behind a flood
      respond(ctx, in, error(503, "the controller is busy (too many requests queued); retry"));
    }
  }

  private boolean isAgentRoute(Incoming in) {
    try {
      return router.find(in.method(), new QueryStringDecoder(in.uri()).path()).role() == Role.AGENT;
    } catch (ApiException noSuchRoute) {
      return false; // answered 404/405 by the shared pool
    }
  }

  /** What one request carries, copied off netty's buffers. */
  private record Incoming(String method, String uri, String authorization, byte[] body, boolean keepAlive,
      boolean gated, Principal caller) {}

  private void respond(ChannelHandlerContext ctx, Incoming in) {
    ApiResponse answer;
    try {
      answer = handle(in);
    } catch (ApiException e) {
      answer = e.details() == null ? error(e.status(), e.getMessage()) : error(e.status(), e.getMessage(), e.details());
    } catch (RuntimeException e) {
      LOG.warn("API {} {} failed", in.method(), in.uri(), e);
      answer = error(500, "internal error: " + e.getClass().getSimpleName());
    }
    respond(ctx, in, answer);
  }

  private void respond(ChannelHandlerContext ctx, Incoming in, ApiResponse answer) {
    FullHttpResponse resp = toNetty(answer);
    try {
      observer.answered(in.method(), router.label(in.method(), new QueryStringDecoder(in.uri()).path()),
          resp.status().code());
    } catch (RuntimeException e) {
      LOG.debug("metrics observer failed", e); // never costs the caller its answer
    }
    HttpUtil.setKeepAlive(resp, in.keepAlive());
    var f = ctx.writeAndFlush(resp); // thread-safe: netty hands the write to the channel's I/O thread
    if (!in.keepAlive()) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private ApiResponse handle(Incoming req) {
    QueryStringDecoder qs = new QueryStringDecoder(req.uri());
    String path = qs.path();
    String method = req.method();
    Optional<Principal> caller = Optional.empty();
    String header = req.authorization();
    if (req.gated()) {
      caller = Optional.ofNullable(req.caller());
    } else if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      caller = auth.authenticate(header.substring(7).trim());
    }
    if (caller.isEmpty() && !(method.equals("GET") && publicPaths.test(path))) {
      return error(401, header == null ? "missing bearer token" : "invalid bearer token");
    }
    Router.Route route = router.find(method, path);
    if (route.role() != null) {
      if (caller.isEmpty()) {
        return error(401, "missing bearer token");
      }
      if (!caller.get().role().permits(route.role())) {
        return error(403, caller.get().name() + " (" + caller.get().role().name().toLowerCase()
            + ") may not " + method + " " + path + ": needs " + route.role().name().toLowerCase());
      }
    }
    return route.endpoint().handle(new ApiRequest(method, path, qs.parameters(), req.body(), caller.orElse(null)));
  }

  static ApiResponse error(int status, String message) {
    return ApiResponse.json(status, "{\"error\":" + JsonText.quote(message) + "}");
  }

  /** An error body with the refusal's own fields beside {@code error}. */
  static ApiResponse error(int status, String message, tools.jackson.databind.node.ObjectNode details) {
    tools.jackson.databind.node.ObjectNode body = details.objectNode();
    body.put("error", message);
    body.setAll(details);
    return ApiResponse.json(status, body.toString());
  }

  private static FullHttpResponse toNetty(ApiResponse r) {
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
        Unpooled.wrappedBuffer(r.body()));
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    resp.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
    resp.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    resp.headers().set("X-Content-Type-Options", "nosniff");
    // the page runs only its own script (no inline script, no eval) and is never framed (clickjacking
    // of the approve button); inline styles stay allowed for the graph library's tooltips
    resp.headers().set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    resp.headers().set("X-Frame-Options", "DENY");
    resp.headers().set("Referrer-Policy", "no-referrer");
    return resp;
  }
}
