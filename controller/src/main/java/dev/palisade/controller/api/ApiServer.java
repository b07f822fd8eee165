package dev.palisade.controller.api;

import dev.palisade.controller.tls.ServerTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The controller's HTTP server (flow reports from agents, the review API and page), over TLS when
 * given a {@link ServerTls} that is enabled. Binds to the given address; in the lab that is
 * 127.0.0.1, in a cluster the pod IP behind a Service.
 */
public final class ApiServer implements AutoCloseable {
  /**
   * How much the server takes on: endpoint threads (for agents' routes apart), requests queued per
   * pool before the next is answered 503, open connections before the next is closed as it opens,
   * and how long a request may take from its first byte to its answer (then 408 or 503, closed).
   */
  record Limits(int threads, int agentThreads, int queue, int maxConnections, java.time.Duration requestDeadline) {
    static final java.time.Duration REQUEST_DEADLINE = java.time.Duration.ofSeconds(30);
    static final Limits DEFAULT = new Limits(8, 4, 256, 1024);

    Limits(int threads, int agentThreads, int queue, int maxConnections) {
      this(threads, agentThreads, queue, maxConnections, REQUEST_DEADLINE);
    }
  }

  private final EventLoopGroup group;
  private final List<? extends java.util.concurrent.ExecutorService> pools;
  private final Channel channel;

  private ApiServer(EventLoopGroup group, List<? extends java.util.concurrent.ExecutorService> pools, Channel channel) {
    this.group = group;
    this.pools = pools;
    this.channel = channel;
  }

  private static java.util.concurrent.ThreadPoolExecutor pool(String name, int threads, int queue) {
    return new java.util.concurrent.ThreadPoolExecutor(threads, threads, 0, java.util.concurrent.TimeUnit.SECONDS,
        new java.util.concurrent.ArrayBlockingQueue<>(queue), r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  private static void shutdown(List<? extends java.util.concurrent.ExecutorService> pools) {
    pools.forEach(java.util.concurrent.ExecutorService::shutdownNow);
  }

  /**
   * Starts serving plain HTTP (tests of the endpoints); port 0 picks a free port (see
   * {@link #port()}). The controller's command always passes its {@link ServerTls}.
   */
  public static ApiServer start(String host, int port, Router router, Authenticator auth,
      java.util.function.Predicate<String> publicPaths, int maxBodyBytes) {
    return start(host, port, router, auth, publicPaths, maxBodyBytes, ApiHandler.Observer.NONE);
  }

  /** As above, telling {@code observer} of every answer (the controller's metrics). */
  public static ApiServer start(String host, int port, Router router, Authenticator auth,
      java.util.function.Predicate<String> publicPaths, int maxBodyBytes, ApiHandler.Observer observer) {
    return start(host, port, router, auth, publicPaths, maxBodyBytes, observer, ServerTls.plainHttp());
  }

  /** As above, speaking TLS unless {@code tls} is {@link ServerTls#plainHttp()}. */
  public static ApiServer start(String host, int port, Router router, Authenticator auth,
      java.util.function.Predicate<String> publicPaths, int maxBodyBytes, ApiHandler.Observer observer,
      ServerTls tls) {
    return start(host, port, router, auth, publicPaths, maxBodyBytes, observer, Limits.DEFAULT, tls);
  }

  static ApiServer start(String host, int port, Router router, Authenticator auth,
      java.util.function.Predicate<String> publicPaths, int maxBodyBytes, ApiHandler.Observer observer,
      Limits limits) {
    return start(host, port, router, auth, publicPaths, maxBodyBytes, observer, limits, ServerTls.plainHttp());
  }

  static ApiServer start(String host, int port, Router router, Authenticator auth,
      java.util.function.Predicate<String> publicPaths, int maxBodyBytes, ApiHandler.Observer observer,
      Limits limits, ServerTls tls) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    // Endpoints wait for the controller's single event thread (the graph and identities are only
    // touched there), so they run here, never on the I/O threads: a slow endpoint then delays its
    // own answer, not the reading and writing of every other connection.
    // Bounded: a full queue answers 503 at once instead of holding every caller behind a flood;
    // agents' reports have their own pool, so viewers' reads cannot fill it.
    java.util.concurrent.ThreadPoolExecutor endpoints = pool("palisade-api", limits.threads(), limits.queue());
    java.util.concurrent.ThreadPoolExecutor agents = pool("palisade-api-agents", limits.agentThreads(), limits.queue());
    // authentication is quick (a cached digest, or one TokenReview): its own queue, far longer
    java.util.concurrent.ThreadPoolExecutor authentication = pool("palisade-api-auth", 4, 4096);
    ApiHandler handler = new ApiHandler(router, auth, publicPaths, endpoints).agentsOn(agents).observe(observer);
    ConnectionCap cap = new ConnectionCap(limits.maxConnections());
    java.util.function.Supplier<AdmissionGate> gates = () -> new AdmissionGate(auth, publicPaths,
        (method, path) -> BodyLimits.of(method, path, maxBodyBytes), authentication, router, observer);
    try {
      Channel ch = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ApiServerInitializer(handler, maxBodyBytes, cap, gates, tls, limits.requestDeadline()))
          .bind(host, port).sync().channel();
      return new ApiServer(group, List.of(endpoints, agents, authentication), ch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully();
      shutdown(List.of(endpoints, agents, authentication));
      throw new IllegalStateException("interrupted binding " + host + ":" + port, e);
    } catch (RuntimeException e) {
      group.shutdownGracefully();
      shutdown(List.of(endpoints, agents, authentication));
      throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    // Connections close with the I/O threads; a client on a kept-alive connection sees it closed
    // at once instead of waiting on a server that no longer answers.
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    shutdown(pools); // an endpoint still running writes to a closed channel: its answer is dropped
  }
}
