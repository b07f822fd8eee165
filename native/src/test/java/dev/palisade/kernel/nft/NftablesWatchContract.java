package dev.palisade.kernel.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.nft.NftObject.Chain;
import dev.palisade.kernel.nft.NftObject.Element;
import dev.palisade.kernel.nft.NftObject.NftSet;
import dev.palisade.kernel.nft.NftObject.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link Nftables#watch} must do, on the fake and on the kernel: report what other tools
 * commit to the watched table, and nothing else. "Nothing else" is checked without sleeping:
 * after the commit that must not be reported, another tool commits a marker, and the marker must
 * be the first thing the listener hears (the kernel reports batches in commit order).
 */
abstract class NftablesWatchContract {
  static final String FAMILY = NftablesContract.FAMILY;
  static final String TABLE = NftablesContract.TABLE;
  /** How long a foreign commit may take to reach the listener. */
  static final long WITHIN_MILLIS = 1000;

  private final List<TableWatch> open = new ArrayList<>();

  abstract Nftables nft();

  /** Applies the transaction as another tool (another process) would. */
  abstract void runAsOther(Transaction tx);

  @AfterEach
  void closeWatchesAndDropTables() {
    open.forEach(TableWatch::close);
    nft().run(tx().destroy(Table.of()));
    nft().run(new Transaction("ip", TABLE).destroy(Table.of()));
    nft().run(new Transaction(FAMILY, "palother").destroy(Table.of()));
  }

  static Transaction tx() {
    return new Transaction(FAMILY, TABLE);
  }

  static Transaction base() {
    return NftablesContract.base().add(Element.of("pods", "10.0.0.7")).add(Element.of("pods", "10.0.0.8"));
  }

  /** Closes the watch after the test. */
  void open(TableWatch w) {
    open.add(w);
  }

  /** A watch whose changes land in the returned queue. */
  BlockingQueue<TableChange> watch(String family, String table) {
    BlockingQueue<TableChange> heard = new LinkedBlockingQueue<>();
    open.add(nft().watch(family, table, heard::add));
    return heard;
  }

  static TableChange next(BlockingQueue<TableChange> heard) throws InterruptedException {
    TableChange c = heard.poll(WITHIN_MILLIS, TimeUnit.MILLISECONDS);
    assertNotNull(c, "no change reported within " + WITHIN_MILLIS + " ms");
    return c;
  }

  /** Another tool adds an element; the next thing heard must be exactly that. */
  void assertNextIsTheMarker(BlockingQueue<TableChange> heard) throws InterruptedException {
    runAsOther(tx().add(Element.of("pods", "10.0.0.99")));
    TableChange c = next(heard);
    assertEquals(List.of("add element to set pods"), c.what(), "the marker should be the first change heard: " + c);
  }

  static boolean mentions(TableChange c, String text) {
    return c.what().stream().anyMatch(w -> w.contains(text));
  }

  @Test
  void ownCommitsAreNotReported() throws InterruptedException {
    BlockingQueue<TableChange> heard = watch(FAMILY, TABLE);
    nft().run(base());
    nft().run(tx().delete(Element.of("pods", "10.0.0.7")).flush(Chain.regular("check")));
    assertNextIsTheMarker(heard);
  }

  @Test
  void anotherToolDeletingAnElementIsReported() throws InterruptedException {
    nft().run(base());
    BlockingQueue<TableChange> heard = watch(FAMILY, TABLE);
    runAsOther(tx().delete(Element.of("pods", "10.0.0.7")));
    TableChange c = next(heard);
    assertEquals(FAMILY, c.family());
    assertEquals(TABLE, c.table());
    assertEquals(List.of("delete element from set pods"), c.what());
    assertTrue(c.generation() > 0, c.toString());
    assertEquals(java.util.Set.of("10.0.0.8"), nft().table(FAMILY, TABLE).orElseThrow().set("pods").orElseThrow()
        .elements(), "the change is reported after it is committed");
  }

  @Test
  void anotherToolFlushingAChainIsReported() throws InterruptedException {
    nft().run(base());
    BlockingQueue<TableChange> heard = watch(FAMILY, TABLE);
    runAsOther(tx().flush(Chain.regular("check")));
    TableChange c = next(heard);
    assertTrue(mentions(c, "chain check"), c.toString());
  }

  @Test
  void anotherToolDeletingTheTableIsReportedOnce() throws InterruptedException {
    nft().run(base());
    BlockingQueue<TableChange> heard = watch(FAMILY, TABLE);
    runAsOther(tx().delete(Table.of()));
    TableChange c = next(heard);
    assertTrue(c.what().contains("delete table inet paltest"), c.toString());
    nft().run(base()); // the watcher restores it: its own commit, not heard
    assertNextIsTheMarker(heard);
  }

  @Test
  void otherTablesAreNotReportedEvenWithTheSameName() throws InterruptedException {
    nft().run(base());
    BlockingQueue<TableChange> heard = watch(FAMILY, TABLE);
    runAsOther(new Transaction("ip", TABLE).add(Table.of()).add(NftSet.of("pods", "ipv4_addr")));
    runAsOther(new Transaction(FAMILY, "palother").add(Table.of()).add(Chain.regular("check")));
    runAsOther(new Transaction("ip", TABLE).delete(Table.of()));
    assertNextIsTheMarker(heard);
  }

  @Test
  void aClosedWatchHearsNothingMore() throws InterruptedException {
    nft().run(base());
    BlockingQueue<TableChange> closed = new LinkedBlockingQueue<>();
    TableWatch w = nft().watch(FAMILY, TABLE, closed::add);
    BlockingQueue<TableChange> stillOpen = watch(FAMILY, TABLE);
    w.close();
    w.close(); // twice is harmless
    runAsOther(tx().delete(Element.of("pods", "10.0.0.7")));
    assertEquals(List.of("delete element from set pods"), next(stillOpen).what());
    assertNull(closed.poll(), "the closed watch heard " + closed);
  }

  @Test
  void aBadTableNameIsRefusedWhenWatching() {
    NftException e = assertThrows(NftException.class, () -> nft().watch("inet", "no such", c -> {}));
    assertTrue(e.getMessage().contains("no such"), e.getMessage());
    assertThrows(NftException.class, () -> nft().watch("ipx", TABLE, c -> {}));
  }
}
