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
 * lost: more than happened, never less. After a loss the watch reads from a fresh socket before it
 * tells the listener: on this kernel (6.18) a socket that overran once stayed deaf to every later
 * event, and a listener that verifies the table on a loss must do so after every later change is
 * certain to be heard.
 */
final class NftTableWatch implements TableWatch {
  private static final Logger LOG = LoggerFactory.getLogger(NftTableWatch.class);
  static final int RECEIVE_TIMEOUT_MILLIS = 100;
  private static final long CLOSE_WAIT_MILLIS = 2000;

  /** Owned by the reader thread: replaced after a loss. */
  private NftMonitorSocket socket;
  private final java.util.function.Supplier<NftMonitorSocket> reopen;
  private final NftChangeCollector collector;
  private final Consumer<TableChange> listener;
  private final Thread thread;
  private volatile boolean running = true;

  private NftTableWatch(NftMonitorSocket socket, java.util.function.Supplier<NftMonitorSocket> reopen,
      NftChangeCollector collector, Consumer<TableChange> listener, String name) {
    this.socket = socket;
    this.reopen = reopen;
    this.collector = collector;
    this.listener = listener;
    this.thread = new Thread(this::loop, name);
    this.thread.setDaemon(true);
  }

  /**
   * Starts reading from an open socket (which it then owns).
   *
   * @param reopen opens another socket like it (in the same network namespace), after a loss
   */
  static NftTableWatch start(NftMonitorSocket socket, java.util.function.Supplier<NftMonitorSocket> reopen,
      NftChangeCollector collector, Consumer<TableChange> listener, String threadName) {
    NftTableWatch w = new NftTableWatch(socket, reopen, collector, listener, threadName);
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
    } catch (RuntimeException | Error e) {
      // recv failing for another reason than timeout or overrun is not expected: say so, tell the
      // listener that it can no longer trust what it hears, and stop
      LOG.error("{}: nftables events can no longer be read: {}", thread.getName(), e.toString());
      if (running) {
        listenerOnce(collector.lost());
      }
      if (e instanceof Error err) {
        throw err;
      }
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
    if (change.lost() && !reopened()) {
      return; // the catch in the loop reports it and ends the watch
    }
    try {
      listener.accept(change);
    } catch (RuntimeException e) {
      LOG.warn("{}: listener failed on {}: {}", thread.getName(), change, e.toString());
    }
  }

  /**
   * Swaps in a fresh socket (opened before the old one closes, so nothing falls between them);
   * false if none could be opened: then the loop ends, reporting the loss.
   */
  private boolean reopened() {
    NftMonitorSocket fresh;
    try {
      fresh = reopen.get();
    } catch (RuntimeException e) {
      LOG.error("{}: no fresh nftables event socket after a loss: {}", thread.getName(), e.toString());
      running = false;
      listenerOnce(TableChange.eventsLost(collector.family(), collector.table()));
      return false;
    }
    NftMonitorSocket old = socket;
    socket = fresh;
    old.close();
    return true;
  }

  private void listenerOnce(TableChange change) {
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
