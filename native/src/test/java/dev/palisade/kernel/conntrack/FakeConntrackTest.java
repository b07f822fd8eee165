package dev.palisade.kernel.conntrack;

import static dev.palisade.kernel.conntrack.ConntrackContract.assertListedThenDeletedByDstPort;
import static dev.palisade.kernel.conntrack.ConntrackContract.assertTuple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.kernel.conntrack.ConntrackEvent.Type;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FakeConntrackTest {
  private static final ConntrackEvent WEB = ConntrackEvent.tcp(Type.NEW, "10.0.0.1", 40000, "10.0.0.2", 443);
  private static final ConntrackEvent SSH = ConntrackEvent.tcp(Type.NEW, "10.0.0.1", 40001, "10.0.0.3", 22);

  @Test
  void addEmitsNewAndRemoveEmitsDestroy() throws Exception {
    FakeConntrack ct = new FakeConntrack();
    List<ConntrackEvent> events = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = ct.subscribe(events::add, () -> {})) {
      ct.addEntry(WEB);
      assertEquals(1, events.size());
      assertTuple(Type.NEW, WEB, events.get(0));
      assertTrue(ct.remove(WEB));
      assertEquals(2, events.size());
      assertTuple(Type.DESTROY, WEB, events.get(1));
      assertFalse(ct.remove(WEB), "already gone");
    }
    ct.addEntry(SSH);
    assertEquals(2, events.size(), "a closed subscription receives nothing");
  }

  @Test
  void dumpListsEntriesAndDeleteByDstPortRemovesThem() throws Exception {
    FakeConntrack ct = new FakeConntrack();
    ct.addEntry(WEB);
    ct.addEntry(SSH);
    List<ConntrackEvent> events = new CopyOnWriteArrayList<>();
    try (AutoCloseable sub = ct.subscribe(events::add, () -> {})) {
      assertEquals(2, ct.dump().size());
      assertTrue(ct.dump().stream().allMatch(e -> e.type() == Type.DUMP));
      assertListedThenDeletedByDstPort(ct, WEB);
      assertEquals(1, ct.deleted().size());
      assertTrue(ct.deleted().get(0).sameTuple(WEB));
      assertEquals(1, events.size(), "delete emits DESTROY, like the kernel");
      assertTuple(Type.DESTROY, WEB, events.get(0));
      assertEquals(List.of(SSH.withType(Type.DUMP)), ct.dump());
    }
  }

  @Test
  void deleteByOtherFields() {
    FakeConntrack ct = new FakeConntrack();
    ct.addEntry(WEB);
    ct.addEntry(SSH);
    ct.addEntry(new ConntrackEvent(Type.NEW, "10.0.0.9", "10.0.0.2", 17, 5000, 53, 0xffff_fff0L, Instant.now()));
    assertEquals(0, ct.delete(ConntrackFilter.byMark(7)));
    assertEquals(1, ct.delete(ConntrackFilter.byMark(0xffff_fff0L)));
    assertEquals(1, ct.delete(ConntrackFilter.any().withDst("10.0.0.3").withProtocol(6)));
    assertEquals(1, ct.delete(ConntrackFilter.any().withSrc("10.0.0.1")));
    assertEquals(3, ct.deleted().size());
    assertTrue(ct.dump().isEmpty());
  }

  @Test
  void simulatedLossCountsThenCallsOnLoss() throws Exception {
    FakeConntrack ct = new FakeConntrack();
    AtomicInteger calls = new AtomicInteger();
    long[] seenCount = new long[1];
    try (AutoCloseable sub = ct.subscribe(e -> {}, () -> {
      calls.incrementAndGet();
      seenCount[0] = ct.lostEventBursts();
    })) {
      assertEquals(0, ct.lostEventBursts());
      ct.simulateLoss();
      assertEquals(1, calls.get());
      assertEquals(1, seenCount[0], "counter is incremented before onLoss runs");
      ct.simulateLoss();
      assertEquals(2, ct.lostEventBursts());
    }
  }

  @Test
  void filterMatchesOnlySetFields() {
    ConntrackEvent e = new ConntrackEvent(Type.DUMP, "1.2.3.4", "5.6.7.8", 6, 1000, 80, 42, Instant.now());
    assertTrue(ConntrackFilter.any().matches(e));
    assertTrue(new ConntrackFilter("1.2.3.4", "5.6.7.8", 42L, 80, 6).matches(e));
    assertFalse(ConntrackFilter.byDstPort(81).matches(e));
    assertFalse(ConntrackFilter.byMark(43).matches(e));
    assertFalse(ConntrackFilter.any().withProtocol(17).matches(e));
    assertFalse(ConntrackFilter.any().withSrc("1.2.3.5").matches(e));
    assertFalse(ConntrackFilter.any().withDst("5.6.7.9").matches(e));
    assertThrows(IllegalArgumentException.class,
        () -> new ConntrackEvent(Type.NEW, "a", "b", 6, 1, 2, 1L << 32, Instant.now()));
  }
}
