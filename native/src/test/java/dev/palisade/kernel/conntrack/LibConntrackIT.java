package dev.palisade.kernel.conntrack;

import static dev.palisade.kernel.conntrack.ConntrackContract.assertListedThenDeletedByDstPort;
import static dev.palisade.kernel.conntrack.ConntrackContract.assertTuple;
import static dev.palisade.kernel.conntrack.ConntrackContract.await;
import static dev.palisade.kernel.conntrack.ConntrackContract.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.conntrack.ConntrackEvent.Type;
import dev.palisade.kernel.netns.NetNs;
import dev.palisade.testkit.KernelTest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** libnetfilter_conntrack against real TCP connections from namespace A (client) to B (server, tracked). */
@KernelTest
class LibConntrackIT {
  // unique per JVM, so a concurrent run of the suite does not touch this run's lab
  private static final long PID = ProcessHandle.current().pid();
  private static final String A = "pal-t-ct-a-" + PID;
  private static final String B = "pal-t-ct-b-" + PID;
  private static final String IF_A = "pal-cta" + PID % 100_000;
  private static final String IF_B = "pal-ctb" + PID % 100_000;
  private static final String IP_A = "10.252.7.1";
  private static final String IP_B = "10.252.7.2";

  private NetNs a;
  private NetNs b;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void lab() throws Exception {
    NetNs.delete(A);
    NetNs.delete(B);
    a = NetNs.create(A);
    b = NetNs.create(B);
    NetNs.vethPair(A, IF_A, B, IF_B);
    a.exec("ip", "addr", "add", IP_A + "/30", "dev", IF_A);
    b.exec("ip", "addr", "add", IP_B + "/30", "dev", IF_B);
    Path rules = Files.createTempFile("pal-ct", ".nft");
    Files.writeString(rules, """
        table inet palct {
          chain input {
            type filter hook input priority filter; policy accept;
            ct state established accept
          }
        }
        """);
    try {
      b.exec("nft", "-f", rules.toString()); // conntrack runs in B only once a rule uses ct
    } finally {
      Files.deleteIfExists(rules);
    }
  }

  @AfterEach
  void cleanup() {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        // best effort
      }
    }
    if (a != null) a.close();
    if (b != null) b.close();
    NetNs.delete(A);
    NetNs.delete(B);
  }

  private <T extends AutoCloseable> T closeLater(T c) {
    toClose.add(c);
    return c;
  }

  /** A server in B that accepts and, unless keep, closes at once; returns its port. */
  private int server(boolean keep, List<SocketChannel> kept) throws Exception {
    ServerSocketChannel ss = closeLater(b.call(() -> {
      ServerSocketChannel s = ServerSocketChannel.open();
      s.bind(new InetSocketAddress(IP_B, 0), 4096);
      return s;
    }));
    Thread t = new Thread(() -> {
      while (ss.isOpen()) {
        try {
          SocketChannel c = ss.accept();
          if (keep) {
            kept.add(c);
          } else {
            c.close();
          }
        } catch (IOException e) {
          return;
        }
      }
    }, "ct-it-accept");
    t.setDaemon(true);
    t.start();
    return ((InetSocketAddress) ss.getLocalAddress()).getPort();
  }

  private static ConntrackEvent expected(int srcPort, int dstPort) {
    return ConntrackEvent.tcp(Type.NEW, IP_A, srcPort, IP_B, dstPort);
  }

  /**
   * The client resets its connection (no TIME_WAIT on either socket; conntrack goes to CLOSE), then
   * reopens the same tuple: the kernel kills the closed entry at once (DESTROY) and tracks the new
   * one (NEW). Waiting for the expired entry instead takes up to a minute, as the conntrack garbage
   * collector runs lazily when there are few entries.
   */
  @Test
  void realConnectionsProduceNewAndDestroyWithTheirTuple() throws Exception {
    LibConntrack ct = closeLater(b.call(LibConntrack::open));
    List<ConntrackEvent> events = new CopyOnWriteArrayList<>();
    closeLater(ct.subscribe(events::add, () -> {}));
    int port = server(false, null);
    int srcPort = a.call(() -> connectAndReset(0, port));
    ConntrackEvent conn = expected(srcPort, port);
    ConntrackEvent created = await(events, is(Type.NEW, conn), Duration.ofSeconds(5), "NEW for " + conn);
    assertTuple(Type.NEW, conn, created);
    assertEquals(0, created.mark());
    a.call(() -> connectAndReset(srcPort, port));
    ConntrackEvent destroyed = await(events, is(Type.DESTROY, conn), Duration.ofSeconds(10), "DESTROY for " + conn);
    assertTuple(Type.DESTROY, conn, destroyed);
    assertTrue(events.indexOf(destroyed) > events.indexOf(created), "DESTROY after NEW: " + events);
    assertTrue(!destroyed.timestamp().isBefore(created.timestamp()), "timestamps in order: " + events);
    ConntrackEvent second = await(events, e -> e.type() == Type.NEW && e.sameTuple(conn) && e != created,
        Duration.ofSeconds(5), "NEW for the reopened " + conn);
    assertTrue(events.indexOf(second) > events.indexOf(destroyed), "reopened NEW after DESTROY: " + events);
    assertEquals(0, ct.lostEventBursts());
  }

  /** Connects from the given source port (0: any), sends a byte, closes with RST; returns the source port. */
  private static int connectAndReset(int srcPort, int dstPort) throws IOException {
    try (SocketChannel ch = SocketChannel.open()) {
      ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      ch.bind(new InetSocketAddress(IP_A, srcPort));
      ch.connect(new InetSocketAddress(IP_B, dstPort));
      ch.write(ByteBuffer.wrap(new byte[] {1}));
      ch.setOption(StandardSocketOptions.SO_LINGER, 0); // close sends RST
      return ((InetSocketAddress) ch.getLocalAddress()).getPort();
    }
  }

  @Test
  void aStalledConsumerLosesEventsAndIsToldSo() throws Exception {
    LibConntrack ct = closeLater(b.call(() -> LibConntrack.open(64 * 1024)));
    int port = server(false, null);
    CountDownLatch release = new CountDownLatch(1);
    AtomicLong countAtLoss = new AtomicLong(-1);
    closeLater(ct.subscribe(e -> {
      try {
        release.await(); // stall: the socket buffer fills up
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
    }, () -> countAtLoss.compareAndSet(-1, ct.lostEventBursts())));
    int opened = burst(port, 2000, 4).size();
    release.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (ct.lostEventBursts() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    System.out.printf("conntrack IT: stalled consumer, %d connections: lost bursts %d%n", opened, ct.lostEventBursts());
    assertTrue(ct.lostEventBursts() >= 1, "ENOBUFS reported");
    assertEquals(1, countAtLoss.get(), "onLoss ran after the counter was incremented");
  }

  /** Opens and closes total connections A to B from several threads in A; returns their source ports. */
  private Set<Integer> burst(int port, int total, int threads) throws Exception {
    List<NetNs> clients = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      clients.add(closeLater(NetNs.attach(A)));
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    Set<Integer> opened = ConcurrentHashMap.newKeySet();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (NetNs c : clients) {
        done.add(pool.submit(() -> c.call(() -> {
          InetSocketAddress to = new InetSocketAddress(IP_B, port);
          for (int i = 0; i < total / threads; i++) {
            try (SocketChannel ch = SocketChannel.open()) {
              ch.connect(to);
              opened.add(((InetSocketAddress) ch.getLocalAddress()).getPort());
            }
          }
          return null;
        })));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return opened;
  }

  @Test
  void everyNewOfAFastBurstArrivesWithoutLoss() throws Exception {
    int total = 3000;
    int threads = 4;
    LibConntrack ct = closeLater(b.call(LibConntrack::open));
    int port = server(false, null);
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    AtomicLong losses = new AtomicLong();
    closeLater(ct.subscribe(e -> {
      if (e.type() == Type.NEW && e.dstPort() == port && e.src().equals(IP_A)) {
        seen.add(e.srcPort());
      }
    }, losses::incrementAndGet));
    long start = System.nanoTime();
    Set<Integer> opened = burst(port, total, threads);
    double seconds = (System.nanoTime() - start) / 1e9;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!seen.containsAll(opened) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    double seenSeconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("conntrack IT: %d connections in %.3f s = %.0f connections/s (%d threads); "
        + "all NEW events received after %.3f s; lost bursts %d%n",
        opened.size(), seconds, opened.size() / seconds, threads, seenSeconds, ct.lostEventBursts());
    assertEquals(total, opened.size(), "distinct source ports opened");
    Set<Integer> missing = new TreeSet<>(opened);
    missing.removeAll(seen);
    assertTrue(missing.isEmpty(), missing.size() + " connections without a NEW event, e.g. "
        + missing.stream().limit(10).toList());
    assertEquals(0, ct.lostEventBursts(), "ENOBUFS bursts");
    assertEquals(0, losses.get(), "onLoss calls");
  }

  @Test
  void dumpListsAnEstablishedConnectionAndDeleteByDstPortRemovesIt() throws Exception {
    LibConntrack ct = closeLater(b.call(LibConntrack::open));
    List<ConntrackEvent> events = new CopyOnWriteArrayList<>();
    closeLater(ct.subscribe(events::add, () -> {}));
    List<SocketChannel> kept = new CopyOnWriteArrayList<>();
    int port = server(true, kept);
    SocketChannel client = closeLater(a.call(() -> {
      SocketChannel ch = SocketChannel.open();
      ch.connect(new InetSocketAddress(IP_B, port));
      ch.write(ByteBuffer.wrap(new byte[] {1}));
      return ch;
    }));
    int srcPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
    ConntrackEvent conn = expected(srcPort, port);
    await(events, is(Type.NEW, conn), Duration.ofSeconds(5), "NEW for " + conn);
    assertListedThenDeletedByDstPort(ct, conn);
    // like the fake, the kernel reports the deletion as DESTROY
    await(events, is(Type.DESTROY, conn), Duration.ofSeconds(5), "DESTROY after delete of " + conn);
    kept.forEach(c -> {
      try {
        c.close();
      } catch (IOException e) {
        // best effort
      }
    });
  }
}
