package dev.palisade.controller.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;

/**
 * The controller's HTTP server (flow reports from agents, the review API and page). Binds to the
 * given address; in the lab that is 127.0.0.1, in a cluster the pod IP behind a Service.
 */
public final class ApiServer implements AutoCloseable {
  private final EventLoopGroup group;
  private final java.util.concurrent.ExecutorService endpoints;
  private final Channel channel;

  private ApiServer(EventLoopGroup group, java.util.concurrent.ExecutorService endpoints, Channel channel) {
    this.group = group;
    this.endpoints = endpoints;
    this.channel = channel;
  }

  /** Starts serving; port 0 picks a free port (see {@link #port()}). */
  public static ApiServer start(String host, int port, Router router, Authenticator auth,
      java.util.function.Predicate<String> publicPaths, int maxBodyBytes) {
    return start(host, port, router, auth, publicPaths, maxBodyBytes, ApiHandler.Observer.NONE);
  }

  /** As above, telling {@code observer} of every answer (the controller's metrics). */
  public static ApiServer start(String host, int port, Router router, Authenticator auth,
      java.util.function.Predicate<String> publicPaths, int maxBodyBytes, ApiHandler.Observer observer) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    // Endpoints wait for the controller's single event thread (the graph and identities are only
    // touched there), so they run here, never on the I/O threads: a slow endpoint then delays its
    // own answer, not the reading and writing of every other connection.
    java.util.concurrent.ExecutorService endpoints = java.util.concurrent.Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "palisade-api");
      t.setDaemon(true);
      return t;
    });
    ApiHandler handler = new ApiHandler(router, auth, publicPaths, endpoints).observe(observer);
    try {
      Channel ch = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ApiServerInitializer(handler, maxBodyBytes))
          .bind(host, port).sync().channel();
      return new ApiServer(group, endpoints, ch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully();
      endpoints.shutdownNow();
      throw new IllegalStateException("interrupted binding " + host + ":" + port, e);
    } catch (RuntimeException e) {
      group.shutdownGracefully();
      endpoints.shutdownNow();
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
    endpoints.shutdownNow(); // an endpoint still running writes to a closed channel: its answer is dropped
  }
}
