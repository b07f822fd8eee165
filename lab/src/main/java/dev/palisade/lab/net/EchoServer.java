package dev.palisade.lab.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves every lab pod's container ports (TCP echo and UDP echo) from one selector thread, so
 * hundreds of pods cost one thread. Channels are opened by the caller on the pod namespace's
 * thread (a socket belongs to the namespace it was created in) and handed over here: from then on
 * they are this server's to close, at {@link #stop} or at the latest at {@link #close()}, with the
 * connections accepted on them. (Closing the selector alone closes no channel: a listening socket
 * left open keeps its descriptor, and its deleted namespace, for the life of the JVM.)
 */
public final class EchoServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EchoServer.class);
  private final Selector selector;
  private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  private final Object lock = new Object();
  private boolean closed; // guarded by lock: no channel is handed to the loop after close()

  public EchoServer() {
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new IllegalStateException("cannot open selector: " + e.getMessage(), e);
    }
    thread = new Thread(this::loop, "lab-echo");
    thread.setDaemon(true);
    thread.start();
  }

  /** Opens a listening TCP socket on 0.0.0.0:port; call on the pod namespace's thread. */
  public static ServerSocketChannel openTcp(int port) throws IOException {
    return openTcp(new InetSocketAddress(port));
  }

  /** Opens a listening TCP socket on one address (several hosts of one namespace share a port). */
  public static ServerSocketChannel openTcp(InetSocketAddress at) throws IOException {
    ServerSocketChannel ch = ServerSocketChannel.open();
    ch.bind(at, 128);
    ch.configureBlocking(false);
    return ch;
  }

  /** Opens a bound UDP socket on 0.0.0.0:port; call on the pod namespace's thread. */
  public static DatagramChannel openUdp(int port) throws IOException {
    return openUdp(new InetSocketAddress(port));
  }

  /** Opens a bound UDP socket on one address. */
  public static DatagramChannel openUdp(InetSocketAddress at) throws IOException {
    DatagramChannel ch = DatagramChannel.open();
    ch.bind(at);
    ch.configureBlocking(false);
    return ch;
  }

  /** Starts echoing on the channel; returns at once (registration happens on the selector thread). */
  public void serve(SelectableChannel channel) {
    int ops = channel instanceof ServerSocketChannel ? SelectionKey.OP_ACCEPT : SelectionKey.OP_READ;
    if (!handOver(() -> {
      try {
        channel.register(selector, ops);
      } catch (IOException e) {
        LOG.warn("cannot serve {}: {}", channel, e.getMessage());
        closeQuietly(channel);
      }
    })) {
      closeQuietly(channel); // closed already: nobody would ever close it
    }
  }

  /** Queues a task for the selector thread; false (nothing queued) once the server is closed. */
  private boolean handOver(Runnable task) {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      pending.add(task);
    }
    selector.wakeup();
    return true;
  }

  private void loop() {
    ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
    while (running) {
      try {
        selector.select(1000);
        Runnable r;
        while ((r = pending.poll()) != null) {
          r.run();
        }
        for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          SelectionKey key = it.next();
          it.remove();
          try {
            handle(key, buf);
          } catch (IOException e) {
            closeQuietly(key);
          }
        }
      } catch (ClosedSelectorException e) {
        return;
      } catch (IOException e) {
        LOG.warn("echo selector: {}", e.getMessage());
      }
    }
  }

  private void handle(SelectionKey key, ByteBuffer buf) throws IOException {
    if (!key.isValid()) {
      return;
    }
    if (key.isAcceptable()) {
      SocketChannel c = ((ServerSocketChannel) key.channel()).accept();
      if (c != null) {
        c.configureBlocking(false);
        c.register(selector, SelectionKey.OP_READ);
      }
    } else if (key.isReadable() && key.channel() instanceof SocketChannel c) {
      buf.clear();
      int n = c.read(buf);
      if (n < 0) {
        closeQuietly(key);
        return;
      }
      buf.flip();
      // Echo payloads are a few bytes; a short write on a fresh socket would be a lab bug, not load.
      while (buf.hasRemaining()) {
        if (c.write(buf) == 0) break;
      }
    } else if (key.isReadable() && key.channel() instanceof DatagramChannel d) {
      buf.clear();
      SocketAddress from = d.receive(buf);
      if (from != null) {
        buf.flip();
        d.send(buf, from);
      }
    }
  }

  /** Stops serving a channel and closes it (a pod going away). */
  public void stop(SelectableChannel channel) {
    if (!handOver(() -> {
      SelectionKey key = channel.keyFor(selector);
      if (key != null) {
        key.cancel();
      }
      closeQuietly(channel);
    })) {
      closeQuietly(channel); // close() closed it already, or it was never served
    }
  }

  private static void closeQuietly(SelectionKey key) {
    key.cancel();
    closeQuietly(key.channel());
  }

  private static void closeQuietly(java.nio.channels.Channel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // peer already gone, or a socket of a pod that is going away anyway
    }
  }

  /**
   * Stops the selector thread, then closes every channel handed over (listening and bound sockets,
   * also those whose registration was still queued) and every accepted connection, then the
   * selector; the channels' descriptors are released when the selector lets go of their keys.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    running = false;
    selector.wakeup();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("echo selector thread did not stop; closing its channels anyway");
    }
    Runnable r;
    while ((r = pending.poll()) != null) {
      r.run(); // registrations and stops handed over before close(): every channel is then a key
    }
    for (SelectionKey key : java.util.List.copyOf(selector.keys())) {
      closeQuietly(key);
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // shutting down
    }
  }
}
