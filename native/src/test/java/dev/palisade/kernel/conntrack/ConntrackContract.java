package dev.palisade.kernel.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** Assertions both {@link LibConntrack} and {@link FakeConntrack} must pass. */
final class ConntrackContract {
  private ConntrackContract() {}

  /** Same type, protocol, addresses and ports. */
  static void assertTuple(ConntrackEvent.Type type, ConntrackEvent expected, ConntrackEvent actual) {
    assertEquals(type, actual.type(), "type of " + actual);
    assertEquals(expected.src(), actual.src(), "src of " + actual);
    assertEquals(expected.dst(), actual.dst(), "dst of " + actual);
    assertEquals(expected.protocol(), actual.protocol(), "protocol of " + actual);
    assertEquals(expected.srcPort(), actual.srcPort(), "srcPort of " + actual);
    assertEquals(expected.dstPort(), actual.dstPort(), "dstPort of " + actual);
    assertTrue(actual.timestamp() != null, "timestamp of " + actual);
  }

  /** Waits for an event the predicate accepts; fails after the timeout. */
  static ConntrackEvent await(List<ConntrackEvent> events, Predicate<ConntrackEvent> p, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (ConntrackEvent e : events) {
        if (p.test(e)) {
          return e;
        }
      }
      if (System.nanoTime() > deadline) {
        fail("no " + what + " within " + timeout + "; got " + events);
      }
      Thread.sleep(20);
    }
  }

  static Predicate<ConntrackEvent> is(ConntrackEvent.Type type, ConntrackEvent conn) {
    return e -> e.type() == type && e.sameTuple(conn);
  }

  /**
   * The connection is listed by dump() (as DUMP); delete by its destination port removes it
   * (counted) and it is no longer listed; a second delete finds nothing.
   */
  static void assertListedThenDeletedByDstPort(Conntrack ct, ConntrackEvent conn) {
    ConntrackEvent listed = ct.dump().stream().filter(e -> e.sameTuple(conn)).findFirst()
        .orElseThrow(() -> new AssertionError("dump() does not list " + conn + ": " + ct.dump()));
    assertTuple(ConntrackEvent.Type.DUMP, conn, listed);
    assertEquals(conn.mark(), listed.mark(), "mark");
    int n = ct.delete(ConntrackFilter.byDstPort(conn.dstPort()));
    assertEquals(1, n, "entries deleted by dst port " + conn.dstPort());
    assertFalse(ct.dump().stream().anyMatch(e -> e.sameTuple(conn)), "still listed after delete: " + conn);
    assertEquals(0, ct.delete(ConntrackFilter.byDstPort(conn.dstPort())), "second delete");
  }
}
