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
  private final Channel channel;

  private ApiServer(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /** Starts serving; port 0 picks a free port (see {@link #port()}). */
  public static ApiServer start(String host, int port, ApiHandler handler, int maxBodyBytes) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      Channel ch = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ApiServerInitializer(handler, maxBodyBytes))
          .bind(host, port).sync().channel();
      return new ApiServer(group, ch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully();
      throw new IllegalStateException("interrupted binding " + host + ":" + port, e);
    } catch (RuntimeException e) {
      group.shutdownGracefully();
      throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
