package dev.palisade.dataplane.podstart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's CNI ADD endpoint. The node's CNI plugin (chained after the network plugin, or the
 * lab's pod runtime) connects to this Unix socket before the pod's network exists, announces the
 * pod's address and waits until this node's rules cover it, so the pod's first packet meets its
 * workload's policy: without it a pod starts before the agent has heard of it and talks unjudged
 * until the next sync. One request per connection:
 *
 * <pre>
 *   -> NAMESPACE NAME IP\n
 *   <- ok AGENT_NANOS\n      the rules in force cover IP (AGENT_NANOS: how long this agent took)
 *   <- error MESSAGE\n       refused, busy, or not covered in time: the plugin fails the ADD and
 *                            the kubelet tries again (the pod never runs unjudged)
 * </pre>
 *
 * The socket is the caller's authentication: its file is 0600, for root on the node (the kubelet's
 * plugins), as Cilium's and Calico's agent sockets are. Bounded: a few waiting requests at once, a
 * short queue, a deadline for the request line, and a line length limit.
 */
public final class PodStartSocket implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PodStartSocket.class);
  static final int LINE_LIMIT = 1 + 63 + 1 + 253 + 1 + 15 + 8;
  private static final Duration REQUEST_LINE_WITHIN = Duration.ofSeconds(5);
  private static final int WAITING = 16;
  private static final int QUEUED = 64;

  /** Announces a local pod's address and returns once the rules cover it; throws when they do not in time. */
  public interface Gate {
    void podStarting(String namespace, String name, String ip, Duration timeout);
  }

  private final Path path;
  private final ServerSocketChannel server;
  private final Gate gate;
  private final Duration timeout;
  private final Duration lineWithin;
  private final ThreadPoolExecutor handlers;
  private final Thread acceptor;

  private PodStartSocket(Path path, ServerSocketChannel server, Gate gate, Duration timeout, Duration lineWithin) {
    this.path = path;
    this.server = server;
    this.gate = gate;
    this.timeout = timeout;
    this.lineWithin = lineWithin;
    this.handlers = new ThreadPoolExecutor(WAITING, WAITING, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUED),
        r -> {
          Thread t = new Thread(r, "pod-start");
          t.setDaemon(true);
          return t;
        });
    handlers.allowCoreThreadTimeOut(true);
    this.acceptor = new Thread(this::accept, "pod-start-accept");
    acceptor.setDaemon(true);
  }

  /**
   * Listens on {@code path} (its directory made if missing; a stale socket file of an earlier run
   * replaced). {@code timeout}: how long one pod start may wait for its rules.
   */
  public static PodStartSocket open(Path path, Gate gate, Duration timeout) {
    return open(path, gate, timeout, REQUEST_LINE_WITHIN);
  }

  /** {@code lineWithin}: how long a caller may take to send its request line. */
  static PodStartSocket open(Path path, Gate gate, Duration timeout, Duration lineWithin) {
    try {
      Path dir = path.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Files.deleteIfExists(path); // a killed agent's socket: nobody listens on it any more
      ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(path));
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
      PodStartSocket s = new PodStartSocket(path, server, gate, timeout, lineWithin);
      s.acceptor.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for pod starts on " + path + ": " + e.getMessage(), e);
    }
  }

  public Path path() {
    return path;
  }

  private void accept() {
    while (server.isOpen()) {
      SocketChannel c;
      try {
        c = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        LOG.warn("pod-start socket {}: accept failed: {}", path, e.getMessage());
        continue;
      }
      try {
        handlers.execute(() -> serve(c));
      } catch (RejectedExecutionException e) {
        answerAndClose(c, "error busy: " + WAITING + " pod starts wait already and " + QUEUED + " are queued");
      }
    }
  }

  private void serve(SocketChannel c) {
    try (LineChannel line = new LineChannel(c, lineWithin.plus(timeout))) {
      PodStart p;
      try {
        p = PodStart.parse(line.readLine(LINE_LIMIT));
      } catch (IllegalArgumentException e) {
        line.writeLine("error " + e.getMessage());
        return;
      }
      long t0 = System.nanoTime();
      try {
        gate.podStarting(p.namespace(), p.name(), p.ip(), timeout);
      } catch (RuntimeException e) {
        LOG.warn("pod start {}/{} ({}) refused: {}", p.namespace(), p.name(), p.ip(), e.getMessage());
        line.writeLine("error " + oneLine(e.getMessage()));
        return;
      }
      line.writeLine("ok " + (System.nanoTime() - t0));
    } catch (IOException e) {
      LOG.debug("pod-start connection ended: {}", e.getMessage()); // the plugin went away or was too slow
    }
  }

  private static void answerAndClose(SocketChannel c, String answer) {
    try (LineChannel line = new LineChannel(c, Duration.ofSeconds(1))) {
      line.writeLine(answer);
    } catch (IOException ignored) {
      // the plugin will see the connection end and fail the ADD anyway
    }
  }

  private static String oneLine(String s) {
    return String.valueOf(s).replaceAll("[\\r\\n]+", " ");
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    handlers.shutdownNow();
    try {
      Files.deleteIfExists(path);
    } catch (IOException ignored) {
      // a stale file is replaced at the next open
    }
  }
}
