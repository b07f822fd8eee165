package dev.palisade.kernel.conntrack;

import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import jnr.ffi.LastError;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Conntrack} over libnetfilter_conntrack (IPv4 entries only).
 *
 * <p><b>Namespace:</b> a conntrack netlink socket belongs to the network namespace of the thread
 * that created it. {@link #open()} opens the query handle (used by {@link #dump()} and
 * {@link #delete}) in the <em>calling thread's</em> network namespace and remembers that
 * namespace; each {@link #subscribe} opens its event handle on its own receive thread after
 * entering that same remembered namespace, so the instance can then be used from any thread.
 * Typically: {@code LibConntrack ct = netNs.call(LibConntrack::open)}. Conntrack only tracks in a
 * namespace once some nftables rule there uses ct (for example {@code ct state established
 * accept}).
 *
 * <p>Each subscription has its own handle (8 MiB receive buffer, 200 ms receive timeout) and a
 * daemon thread running nfct_catch; the handle is closed by that thread once the loop ends, so a
 * handle is never closed while another thread is blocked in it. Deletion dumps on the query
 * handle, matches in Java and sends a destroy request for each match.
 */
public final class LibConntrack implements Conntrack {
  private static final Logger LOG = LoggerFactory.getLogger(LibConntrack.class);
  private static final LibNetfilterConntrack LIB = LibNetfilterConntrack.INSTANCE;
  private static final LibNetfilterConntrack.LibC LIBC = LibNetfilterConntrack.LibC.INSTANCE;
  private static final Runtime RT = Runtime.getRuntime(LIB);
  private static final Runtime RT_C = Runtime.getRuntime(LIBC);
  private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
  /** Receive buffer of an event handle: room for tens of thousands of events in a burst. */
  public static final int EVENT_RCVBUF = 8 * 1024 * 1024;
  private static final long RCV_TIMEOUT_MICROS = 200_000;
  private static final AtomicInteger SEQ = new AtomicInteger();

  private final int nsFd;
  private final int eventRcvBuf;
  private final Pointer queryHandle;
  private final LibNetfilterConntrack.Callback queryCallback; // strong reference: JNR must not lose it
  private final Pointer dumpFamily;
  private Consumer<Pointer> queryCollector; // guarded by this
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private final AtomicLong lost = new AtomicLong();
  private boolean closed; // guarded by this

  private LibConntrack(int eventRcvBuf) {
    this.eventRcvBuf = eventRcvBuf;
    nsFd = LIBC.open("/proc/thread-self/ns/net", LibNetfilterConntrack.LibC.O_RDONLY | LibNetfilterConntrack.LibC.O_CLOEXEC);
    if (nsFd < 0) {
      int errno = LastError.getLastError(RT_C);
      throw new IllegalStateException("cannot open /proc/thread-self/ns/net: " + LIBC.strerror(errno));
    }
    queryHandle = LIB.nfct_open(LibNetfilterConntrack.CONNTRACK, 0);
    if (queryHandle == null) {
      int errno = LastError.getLastError(RT);
      LIBC.close(nsFd);
      throw new IllegalStateException("nfct_open failed: " + LIBC.strerror(errno)
          + " (CAP_NET_ADMIN is needed in this network namespace)");
    }
    queryCallback = (type, ct, data) -> {
      try {
        queryCollector.accept(ct);
      } catch (RuntimeException e) {
        LOG.warn("conntrack query: cannot handle an entry: {}", e.toString());
      }
      return LibNetfilterConntrack.NFCT_CB_CONTINUE;
    };
    LIB.nfct_callback_register(queryHandle, LibNetfilterConntrack.NFCT_T_ALL, queryCallback, null);
    dumpFamily = Memory.allocateDirect(RT, 4);
    dumpFamily.putInt(0, LibNetfilterConntrack.AF_INET);
  }

  /** Opens conntrack in the calling thread's network namespace (see the class comment). */
  public static LibConntrack open() {
    return new LibConntrack(EVENT_RCVBUF);
  }

  /** As {@link #open()}, with another event receive buffer size: tests use a small one to provoke loss. */
  static LibConntrack open(int eventRcvBuf) {
    return new LibConntrack(eventRcvBuf);
  }

  @Override
  public AutoCloseable subscribe(Consumer<ConntrackEvent> sink, Runnable onLoss) {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(onLoss, "onLoss");
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("conntrack is closed");
      }
    }
    Subscription s = new Subscription(sink, onLoss);
    s.start();
    subscriptions.add(s);
    return s;
  }

  @Override
  public synchronized List<ConntrackEvent> dump() {
    checkOpen();
    List<ConntrackEvent> out = new ArrayList<>();
    runDump(ct -> {
      ConntrackEvent e = toEvent(ConntrackEvent.Type.DUMP, ct);
      if (e != null) {
        out.add(e);
      }
    });
    return out;
  }

  @Override
  public synchronized int delete(ConntrackFilter filter) {
    Objects.requireNonNull(filter, "filter");
    checkOpen();
    List<Pointer> matches = new ArrayList<>();
    try {
      runDump(ct -> {
        ConntrackEvent e = toEvent(ConntrackEvent.Type.DUMP, ct);
        if (e != null && filter.matches(e)) {
          Pointer copy = LIB.nfct_clone(ct);
          if (copy != null) {
            matches.add(copy);
          }
        }
      });
      int deleted = 0;
      for (Pointer ct : matches) {
        if (LIB.nfct_query(queryHandle, LibNetfilterConntrack.NFCT_Q_DESTROY, ct) == 0) {
          deleted++;
        } else {
          int errno = LastError.getLastError(RT);
          if (errno != LibNetfilterConntrack.ENOENT) { // ENOENT: it went away meanwhile
            LOG.warn("conntrack delete failed: {}", LIBC.strerror(errno));
          }
        }
      }
      return deleted;
    } finally {
      matches.forEach(LIB::nfct_destroy);
    }
  }

  @Override
  public long lostEventBursts() {
    return lost.get();
  }

  /** Stops every subscription, then releases the query handle. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
    synchronized (this) {
      LIB.nfct_close(queryHandle);
      LIBC.close(nsFd);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("conntrack is closed");
    }
  }

  private void runDump(Consumer<Pointer> collector) {
    queryCollector = collector;
    try {
      if (LIB.nfct_query(queryHandle, LibNetfilterConntrack.NFCT_Q_DUMP, dumpFamily) < 0) {
        int errno = LastError.getLastError(RT);
        throw new IllegalStateException("conntrack dump failed: " + LIBC.strerror(errno));
      }
    } finally {
      queryCollector = null;
    }
  }

  /** Decodes an IPv4 entry; null for other families. */
  static ConntrackEvent toEvent(ConntrackEvent.Type type, Pointer ct) {
    if ((LIB.nfct_get_attr_u8(ct, LibNetfilterConntrack.ATTR_ORIG_L3PROTO) & 0xff) != LibNetfilterConntrack.AF_INET) {
      return null;
    }
    String src = ip(LIB.nfct_get_attr_u32(ct, LibNetfilterConntrack.ATTR_ORIG_IPV4_SRC));
    String dst = ip(LIB.nfct_get_attr_u32(ct, LibNetfilterConntrack.ATTR_ORIG_IPV4_DST));
    int protocol = LIB.nfct_get_attr_u8(ct, LibNetfilterConntrack.ATTR_ORIG_L4PROTO) & 0xff;
    String server = ip(LIB.nfct_get_attr_u32(ct, LibNetfilterConntrack.ATTR_REPL_IPV4_SRC));
    int srcPort = 0;
    int dstPort = 0;
    int serverPort = 0;
    if (hasPorts(protocol)) {
      srcPort = port(LIB.nfct_get_attr_u16(ct, LibNetfilterConntrack.ATTR_ORIG_PORT_SRC));
      dstPort = port(LIB.nfct_get_attr_u16(ct, LibNetfilterConntrack.ATTR_ORIG_PORT_DST));
      serverPort = port(LIB.nfct_get_attr_u16(ct, LibNetfilterConntrack.ATTR_REPL_PORT_SRC));
    }
    long mark = Integer.toUnsignedLong(LIB.nfct_get_attr_u32(ct, LibNetfilterConntrack.ATTR_MARK));
    // the getters return 0 for an attribute that is not set (timestamping off)
    long ns = LIB.nfct_get_attr_u64(ct, type == ConntrackEvent.Type.DESTROY
        ? LibNetfilterConntrack.ATTR_TIMESTAMP_STOP : LibNetfilterConntrack.ATTR_TIMESTAMP_START);
    Instant at = ns > 0 ? Instant.ofEpochSecond(0, ns) : Instant.now();
    return new ConntrackEvent(type, src, dst, protocol, srcPort, dstPort, mark, at, server, serverPort);
  }

  private static boolean hasPorts(int protocol) {
    return protocol == 6 || protocol == 17 || protocol == 33 || protocol == 132 || protocol == 136;
  }

  private static String ip(int networkOrder) {
    int v = LITTLE_ENDIAN ? Integer.reverseBytes(networkOrder) : networkOrder;
    return (v >>> 24) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
  }

  private static int port(short networkOrder) {
    return (LITTLE_ENDIAN ? Short.reverseBytes(networkOrder) : networkOrder) & 0xffff;
  }

  /** One event handle and its receive thread. */
  private final class Subscription implements AutoCloseable {
    private final Consumer<ConntrackEvent> sink;
    private final Runnable onLoss;
    private final LibNetfilterConntrack.Callback callback; // strong reference: JNR must not lose it
    private final Thread thread;
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile String startError;
    private volatile boolean running = true;

    Subscription(Consumer<ConntrackEvent> sink, Runnable onLoss) {
      this.sink = sink;
      this.onLoss = onLoss;
      this.callback = (type, ct, data) -> {
        if (!running) {
          return LibNetfilterConntrack.NFCT_CB_STOP; // makes nfct_catch return
        }
        ConntrackEvent.Type t = type == LibNetfilterConntrack.NFCT_T_NEW ? ConntrackEvent.Type.NEW
            : type == LibNetfilterConntrack.NFCT_T_DESTROY ? ConntrackEvent.Type.DESTROY : null;
        if (t != null) {
          try {
            ConntrackEvent e = toEvent(t, ct);
            if (e != null) {
              sink.accept(e);
            }
          } catch (RuntimeException e) {
            LOG.warn("conntrack event consumer failed: {}", e.toString());
          }
        }
        return LibNetfilterConntrack.NFCT_CB_CONTINUE;
      };
      this.thread = new Thread(this::run, "conntrack-events-" + SEQ.incrementAndGet());
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
      try {
        if (!ready.await(10, TimeUnit.SECONDS)) {
          running = false;
          throw new IllegalStateException("conntrack subscription did not start in time");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        running = false;
        throw new IllegalStateException("interrupted starting a conntrack subscription", e);
      }
      if (startError != null) {
        throw new IllegalStateException(startError);
      }
    }

    private void run() {
      Pointer h = null;
      try {
        if (LIBC.setns(nsFd, LibNetfilterConntrack.LibC.CLONE_NEWNET) != 0) {
          startError = "setns into the conntrack namespace failed: " + LIBC.strerror(LastError.getLastError(RT_C));
          return;
        }
        h = LIB.nfct_open(LibNetfilterConntrack.CONNTRACK,
            LibNetfilterConntrack.NF_NETLINK_CONNTRACK_NEW | LibNetfilterConntrack.NF_NETLINK_CONNTRACK_DESTROY);
        if (h == null) {
          startError = "nfct_open for events failed: " + LIBC.strerror(LastError.getLastError(RT))
              + " (CAP_NET_ADMIN is needed in this network namespace)";
          return;
        }
        int size = LIB.nfnl_rcvbufsiz(LIB.nfct_nfnlh(h), eventRcvBuf);
        if (size < eventRcvBuf) {
          LOG.warn("conntrack event receive buffer is {} bytes, not {} (CAP_NET_ADMIN lets it be forced)",
              size, eventRcvBuf);
        }
        Pointer tv = Memory.allocateDirect(RT, 16);
        tv.putLong(0, 0);
        tv.putLong(8, RCV_TIMEOUT_MICROS); // how quickly close() is noticed when no events come
        LIBC.setsockopt(LIB.nfct_fd(h), LibNetfilterConntrack.LibC.SOL_SOCKET, LibNetfilterConntrack.LibC.SO_RCVTIMEO, tv, 16);
        LIB.nfct_callback_register(h, LibNetfilterConntrack.NFCT_T_NEW | LibNetfilterConntrack.NFCT_T_DESTROY, callback, null);
      } finally {
        if (startError != null && h != null) {
          LIB.nfct_close(h);
        }
        ready.countDown();
      }
      if (startError != null) {
        return;
      }
      try {
        loop(h);
      } finally {
        LIB.nfct_close(h); // on this thread, after the loop: never while nfct_catch runs
      }
    }

    private void loop(Pointer h) {
      while (running) {
        int r = LIB.nfct_catch(h);
        if (r != -1 || !running) {
          continue; // a callback stopped it (close), or the loop should check running again
        }
        int errno = LastError.getLastError(RT);
        if (errno == LibNetfilterConntrack.ENOBUFS) {
          lost.incrementAndGet();
          try {
            onLoss.run();
          } catch (RuntimeException e) {
            LOG.warn("conntrack onLoss handler failed: {}", e.toString());
          }
        } else if (errno != LibNetfilterConntrack.EAGAIN && errno != LibNetfilterConntrack.EINTR) {
          LOG.warn("conntrack event receive failed: {}", LIBC.strerror(errno));
          try {
            Thread.sleep(50); // do not spin on a persistent error
          } catch (InterruptedException e) {
            return;
          }
        }
      }
    }

    /** Stops the loop (within the receive timeout) and waits for the thread to close the handle. */
    @Override
    public void close() {
      running = false;
      subscriptions.remove(this);
      if (Thread.currentThread() == thread) {
        return; // closed from the sink: the loop ends when the callback returns
      }
      try {
        thread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        LOG.warn("conntrack receive thread {} did not stop", thread.getName());
      }
    }
  }
}
