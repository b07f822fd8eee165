package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.netns.NetNs;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.testkit.KernelTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The watch contract on the kernel, in a throwaway namespace; the other tool is {@code nft -f}
 * run there by {@code ip netns exec}. Plus what only the kernel shows: commits are told apart
 * by thread, not process, and how quickly a change arrives.
 */
@KernelTest
class LibNftablesWatchIT extends NftablesWatchContract {
  /** {@code -Dpalisade.it.netns=pal-me} names it {@code pal-me-watch}, beside other builders. */
  private static final String NS = System.getProperty("palisade.it.netns", "pal-monitor") + "-watch";
  private static NetNs ns;
  private static LibNftables nft;

  @BeforeAll
  static void open() {
    NetNs.delete(NS);
    ns = NetNs.create(NS);
    nft = LibNftables.open(ns);
  }

  @AfterAll
  static void close() {
    if (nft != null) {
      nft.close();
    }
    if (ns != null) {
      ns.close();
    }
    NetNs.delete(NS);
  }

  @Override
  Nftables nft() {
    return nft;
  }

  @Override
  void runAsOther(Transaction tx) {
    try {
      Path file = Files.createTempFile("pal-monitor-", ".nft");
      try {
        Files.writeString(file, tx.toString());
        ns.exec("nft", "-f", file.toString());
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void theKernelNamesTheCommittingToolAndItsWholeEffect() throws InterruptedException {
    nft.run(base());
    BlockingQueue<TableChange> heard = watch(FAMILY, TABLE);
    runAsOther(tx().delete(NftObject.Table.of()));
    TableChange c = next(heard);
    assertEquals("nft", c.process());
    assertNotEquals(0, c.pid());
    assertEquals(java.util.Set.of("delete 2 rules in chain pod_forward", "delete 2 rules in chain check",
        "delete set peers", "delete set pods", "delete chain check", "delete chain pod_forward",
        "delete table inet paltest"), java.util.Set.copyOf(c.what()), "the kernel reports a table's contents going");
    assertEquals("delete table inet paltest", c.what().get(c.what().size() - 1), "the table goes last");
  }

  /**
   * The kernel reports the committing thread's id (task_pid_nr), not the process id: another
   * instance in this same process is another tool, and is told apart.
   */
  @Test
  void anotherInstanceInThisProcessIsAnotherTool() throws InterruptedException {
    nft.run(base());
    BlockingQueue<TableChange> heard = watch(FAMILY, TABLE);
    try (LibNftables second = LibNftables.open(ns)) {
      second.run(tx().delete(Element.of("pods", "10.0.0.7")));
      TableChange c = next(heard);
      assertEquals(List.of("delete element from set pods"), c.what());
      assertEquals(second.threadId(), c.pid(), "the second instance's thread committed");
      assertNotEquals(ProcessHandle.current().pid(), (long) c.pid(), "a thread id, not the process id");
      assertNotEquals(nft.threadId(), second.threadId());
    }
    nft.run(tx().add(Element.of("pods", "10.0.0.7")));
    assertNextIsTheMarker(heard);
  }

  /** Prints how long from the start of a foreign commit to the listener's call (no assertion on it). */
  @Test
  void latencyFromAForeignCommitToTheListener() throws InterruptedException {
    nft.run(base());
    AtomicLong calledAt = new AtomicLong();
    BlockingQueue<TableChange> heard = new LinkedBlockingQueue<>();
    TableWatch w = nft.watch(FAMILY, TABLE, c -> {
      calledAt.set(System.nanoTime());
      heard.add(c);
    });
    List<Long> micros = new ArrayList<>();
    try (LibNftables other = LibNftables.open(ns)) {
      for (int i = 0; i < 50; i++) {
        long start = System.nanoTime();
        other.run(tx().add(Element.of("pods", "10.0.1." + i)));
        long committed = System.nanoTime();
        next(heard);
        micros.add((calledAt.get() - start) / 1000);
        assertTrue(calledAt.get() - committed < TimeUnit.MILLISECONDS.toNanos(WITHIN_MILLIS));
      }
    } finally {
      w.close();
    }
    Collections.sort(micros);
    System.out.printf("watch latency over %d foreign commits (start of run() to listener call): min %d us, "
        + "median %d us, p90 %d us, max %d us%n", micros.size(), micros.get(0), micros.get(micros.size() / 2),
        micros.get(micros.size() * 9 / 10), micros.get(micros.size() - 1));
  }

  /**
   * A listener that falls behind lets the socket fill; the kernel then drops events and says so
   * (ENOBUFS), and the listener is told to verify everything. Watching goes on afterwards. The
   * kernel reports the loss before the datagrams still queued, so the first change after it may
   * also list pieces of a batch whose end was lost: more than happened, never less.
   */
  @Test
  void anOverrunIsReportedAsEventsLost() throws InterruptedException {
    nft.run(base());
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    BlockingQueue<TableChange> heard = new LinkedBlockingQueue<>();
    TableWatch w = nft.watch(FAMILY, TABLE, c -> {
      heard.add(c);
      try {
        release.await(); // stuck in the first call
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, 4096);
    open(w);
    try (LibNftables other = LibNftables.open(ns)) {
      other.run(tx().delete(Element.of("pods", "10.0.0.7")));
      assertEquals(List.of("delete element from set pods"), next(heard).what());
      for (int i = 0; i < 20; i++) { // one batch per element: many datagrams for a 4 KiB buffer
        other.run(tx().add(Element.of("pods", "10.0.2." + i)));
      }
      release.countDown();
      // reported by the socket (ENOBUFS) or, if the kernel said nothing, by the gap in generations
      // that the next commit shows
      other.run(tx().delete(Element.of("pods", "10.0.0.8")));
      assertEquals(List.of(TableChange.EVENTS_LOST), awaitChange(heard, TableChange::lost).what());
      // and what comes after a loss is heard (a socket that overran once stayed deaf on 6.18)
      for (int i = 0; i < 3; i++) {
        String element = "10.0.2." + (19 - i);
        other.run(tx().delete(Element.of("pods", element)));
        awaitChange(heard, c -> c.what().equals(List.of("delete element from set pods")) && !c.lost());
      }
    }
  }

  /** Waits for a change that matches, skipping others; fails listing everything heard. */
  private static TableChange awaitChange(BlockingQueue<TableChange> heard, java.util.function.Predicate<TableChange> p)
      throws InterruptedException {
    List<TableChange> skipped = new ArrayList<>();
    for (TableChange c; (c = heard.poll(WITHIN_MILLIS, TimeUnit.MILLISECONDS)) != null; skipped.add(c)) {
      if (p.test(c)) {
        return c;
      }
    }
    throw new AssertionError("no matching change within " + WITHIN_MILLIS + " ms; heard " + skipped);
  }

  @Test
  void closeEndsTheReaderThread() {
    NftTableWatch w = (NftTableWatch) nft.watch(FAMILY, TABLE, c -> {});
    assertTrue(w.alive());
    long start = System.nanoTime();
    w.close();
    long took = (System.nanoTime() - start) / 1_000_000;
    assertFalse(w.alive(), "the reader thread ended before close returned");
    System.out.printf("watch close took %d ms%n", took);
  }

  @Test
  void closingTheInstanceClosesItsWatches() {
    try (LibNftables other = LibNftables.open(ns)) {
      NftTableWatch w = (NftTableWatch) other.watch(FAMILY, TABLE, c -> {});
      other.close();
      assertFalse(w.alive());
    }
  }
}
