package dev.palisade.kernel.nft;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reader thread of {@link LibNftables#watch}: receives nftables events from its socket,
 * groups them per batch ({@link NftChangeCollector}) and calls the listener on this thread. The
 * thread owns the socket and closes it when it ends, so {@link #close} never closes a socket
 * another thread is blocked in; it waits at most one receive timeout plus the listener's call.
 *
 * <p>A slow listener lets events pile up in the socket; if it fills, the kernel drops events and
 * the listener gets {@link TableChange#eventsLost}. The kernel reports the loss before the
 * datagrams still queued, so the change after it may also list pieces of a batch whose end was
 * lost: more than happened, never less.
 */
final class NftTableWatch implements TableWatch {
  private static final Logger LOG = LoggerFactory.getLogger(NftTableWatch.class);
  static final int RECEIVE_TIMEOUT_MILLIS = 100;
  private static final long CLOSE_WAIT_MILLIS = 2000;

  private final NftMonitorSocket socket;
  private final NftChangeCollector collector;
  private final Consumer<TableChange> listener;
  private final Thread thread;
  private volatile boolean running = true;

  private NftTableWatch(NftMonitorSocket socket, NftChangeCollector collector, Consumer<TableChange> listener,
      String name) {
    this.socket = socket;
    this.collector = collector;
    this.listener = listener;
    this.thread = new Thread(this::loop, name);
    this.thread.setDaemon(true);
  }

  /** Starts reading from an open socket (which it then owns). */
  static NftTableWatch start(NftMonitorSocket socket, NftChangeCollector collector, Consumer<TableChange> listener,
      String threadName) {
    NftTableWatch w = new NftTableWatch(socket, collector, listener, threadName);
    w.thread.start();
    return w;
  }

  private void loop() {
    byte[] datagram = new byte[NftMonitorSocket.DATAGRAM_MAX];
    try {
      while (running) {
        int n = socket.receive(datagram);
        if (n == NftMonitorSocket.LOST) {
          deliver(collector.lost());
        } else if (n > 0) {
          read(datagram, n);
        }
      }
    } catch (RuntimeException e) {
      // recv failing for another reason than timeout or overrun is not expected; say so and stop
      LOG.error("{}: nftables events can no longer be read: {}", thread.getName(), e.toString());
      deliver(collector.lost());
    } finally {
      socket.close();
    }
  }

  private void read(byte[] datagram, int n) {
    java.util.List<NftEvent> events;
    try {
      events = NftEventParser.parse(datagram, n);
    } catch (IllegalArgumentException e) {
      LOG.warn("{}: unreadable nftables event ({}); reporting events lost", thread.getName(), e.getMessage());
      deliver(collector.lost());
      return;
    }
    for (NftEvent e : events) {
      collector.accept(e).ifPresent(this::deliver);
    }
  }

  private void deliver(TableChange change) {
    if (!running) {
      return;
    }
    try {
      listener.accept(change);
    } catch (RuntimeException e) {
      LOG.warn("{}: listener failed on {}: {}", thread.getName(), change, e.toString());
    }
  }

  /** Whether the reader thread still runs (false once {@link #close} returned, unless a listener hangs). */
  boolean alive() {
    return thread.isAlive();
  }

  @Override
  public void close() {
    running = false;
    if (Thread.currentThread() == thread) {
      return; // closed from the listener: the loop ends when the call returns
    }
    try {
      thread.join(CLOSE_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("{}: still in a listener call {} ms after close; it ends after that call", thread.getName(),
          CLOSE_WAIT_MILLIS);
    }
  }
}
