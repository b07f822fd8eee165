package dev.palisade.controller.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.events.EventCorrelator.Key;
import dev.palisade.controller.events.EventCorrelator.Write;
import dev.palisade.model.DropEvent;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Drop Events with a fake clock and a fake sink: aggregation, the token bucket, messages, no leaks. */
class DropEventsTest {
  private static final String WEB = "shop/Deployment/web";
  private static final String DB = "shop/StatefulSet/db";

  /** Records writes; can be told to fail. */
  static final class FakeSink implements DropEvents.EventSink {
    final List<Write> writes = new ArrayList<>();
    final Map<Key, String> messages = new HashMap<>();
    boolean failing;
    final Map<String, List<String>> policies = new HashMap<>();

    @Override
    public List<String> isolatingPolicies(String pod, boolean ingress) {
      return policies.getOrDefault(pod + (ingress ? " in" : " out"), List.of());
    }

    @Override
    public void create(Write w, String message) {
      if (failing) {
        throw new IllegalStateException("API server down");
      }
      writes.add(w);
      messages.put(w.key(), message);
    }

    @Override
    public void patch(Write w) {
      if (failing) {
        throw new IllegalStateException("API server down");
      }
      writes.add(w);
    }
  }

  private final FakeSink sink = new FakeSink();
  private long now = 1_000_000;
  private final DropEvents events = new DropEvents(sink, () -> now, false);

  private static DropEvent drop(String kind, int port) {
    return new DropEvent(kind, "in", 300, 301, Protocol.TCP, port, 0, "shop/web-1", "shop/db-0");
  }

  @Test
  void tenThousandDropsInTenSecondsCostAtMostFiftyWritesAndTheCountsEndExact() {
    for (int i = 0; i < 10_000; i++) {
      now += 1; // 10,000 drops in 10 s
      events.observe(drop("enforce", 5432), WEB, DB, false);
      if (i % 1000 == 999) {
        events.flush(); // the writer's 1 s timer
      }
    }
    assertTrue(sink.writes.size() <= 50, "writes in 10 s: " + sink.writes.size());
    assertEquals(2, sink.writes.stream().filter(Write::create).count(), "one Event per end, then patches");
    now += 20_000;
    events.flush();
    Map<Key, Long> last = new HashMap<>();
    sink.writes.forEach(w -> last.put(w.key(), w.count()));
    assertEquals(2, last.size());
    last.values().forEach(c -> assertEquals(10_000L, c, "the last write carries every drop"));
    Write any = sink.writes.get(sink.writes.size() - 1);
    assertTrue(any.lastMillis() > any.firstMillis(), "first and last seen both kept");
  }

  @Test
  void aNewEdgeIsWrittenAtOnceWhileAnotherFloods() {
    for (int i = 0; i < 5_000; i++) {
      now += 1;
      events.observe(drop("enforce", 5432), WEB, DB, false);
      if (i % 1000 == 999) {
        events.flush();
      }
    }
    int before = sink.writes.size();
    now += 1;
    events.observe(drop("enforce", 5433), WEB, DB, false);
    List<Write> after = sink.writes.subList(before, sink.writes.size());
    assertEquals(2, after.size(), "both ends of the new edge written at once: " + after);
    assertTrue(after.stream().allMatch(w -> w.create() && w.key().edge().contains("5433/TCP")), after.toString());
    now += 2_000;
    sink.writes.clear();
    events.observe(drop("enforce", 5432), WEB, DB, false);
    events.observe(drop("enforce", 5433), WEB, DB, false);
    events.flush();
    assertTrue(sink.writes.stream().noneMatch(Write::create), "then count updates: " + sink.writes);
  }

  @Test
  void aDropIsAWarningOnBothEndsNamingEdgeModeLayerAndRequest() {
    events.observe(drop("enforce", 5432), WEB, DB, false);
    assertEquals(2, sink.writes.size());
    assertEquals(List.of(WEB, DB), sink.writes.stream().map(w -> w.key().involved()).toList());
    for (Write w : sink.writes) {
      assertEquals("Warning", w.key().type());
      assertEquals(DropEvents.DROPPED, w.key().reason());
      assertEquals("shop", w.key().namespace());
      String m = sink.messages.get(w.key());
      assertTrue(m.startsWith("shop/Deployment/web -> shop/StatefulSet/db 5432/TCP dropped (mode enforce), "
          + "decided by: not approved."), m);
      assertTrue(m.contains("To allow it: request it: palisade request shop/Deployment/web shop/StatefulSet/db "
          + "5432/TCP --reason \"WHY\""), m);
    }
  }

  @Test
  void aWouldDropIsNormalAndNamesMonitor() {
    events.observe(drop("monitor", 5432), WEB, DB, true);
    Write w = sink.writes.get(0);
    assertEquals("Normal", w.key().type());
    assertEquals(DropEvents.WOULD_DROP, w.key().reason());
    String m = sink.messages.get(w.key());
    assertTrue(m.contains("mode monitor") && m.contains("decided by: rejected"), m);
  }

  @Test
  void aNetworkPolicyDropNamesThePolicyAndWhoseOwnersMustAllowIt() {
    sink.policies.put("shop/db-0 in", List.of("shop/db-ingress"));
    events.observe(drop("np", 5432), WEB, DB, false);
    String m = sink.messages.get(sink.writes.get(0).key());
    assertTrue(m.contains("decided by: NetworkPolicy shop/db-ingress.") && m.contains("isolates the server"), m);
  }

  @Test
  void anotherNamespacesPolicyIsNotNamed() {
    sink.policies.put("pay/ledger-0 in", List.of("pay/deny-all"));
    events.observe(new DropEvent("np", "in", 300, 302, Protocol.TCP, 8080, 0, "shop/web-1", "pay/ledger-0"), WEB,
        "pay/Deployment/ledger", false);
    Write inShop = sink.writes.stream().filter(w -> w.key().namespace().equals("shop")).findFirst().orElseThrow();
    Write inPay = sink.writes.stream().filter(w -> w.key().namespace().equals("pay")).findFirst().orElseThrow();
    assertFalse(sink.messages.get(inShop.key()).contains("deny-all"), sink.messages.get(inShop.key()));
    assertTrue(sink.messages.get(inPay.key()).contains("decided by: NetworkPolicy pay/deny-all."),
        sink.messages.get(inPay.key()));
  }

  @Test
  void anotherNamespacesWorkloadIsNamedByItsNamespaceOnly() {
    events.observe(drop("enforce", 8080), WEB, "pay/Deployment/ledger", false);
    Write inShop = sink.writes.stream().filter(w -> w.key().namespace().equals("shop")).findFirst().orElseThrow();
    Write inPay = sink.writes.stream().filter(w -> w.key().namespace().equals("pay")).findFirst().orElseThrow();
    assertEquals("shop/Deployment/web -> pay/* 8080/TCP", inShop.key().edge());
    assertEquals("shop/* -> pay/Deployment/ledger 8080/TCP", inPay.key().edge());
    assertFalse(sink.messages.get(inShop.key()).contains("ledger"), sink.messages.get(inShop.key()));
    assertFalse(sink.messages.get(inPay.key()).contains("web"), sink.messages.get(inPay.key()));
  }

  @Test
  void anEndOutsideTheClusterGetsNoEvent() {
    events.observe(drop("enforce", 443), "world", DB, false);
    assertEquals(List.of(DB), sink.writes.stream().map(w -> w.key().involved()).toList());
  }

  @Test
  void memoryStaysBoundedUnderManyDistinctEdges() {
    for (int port = 1; port <= 10_000; port++) {
      now += 1;
      events.observe(drop("enforce", port), WEB, DB, false);
    }
    assertTrue(events.aggregates() <= DropEvents.MAX_KEYS, "aggregates: " + events.aggregates());
  }

  @Test
  void aFailedWriteIsRetriedByTheNextFlush() {
    sink.failing = true;
    events.observe(drop("enforce", 5432), WEB, DB, false);
    assertEquals(List.of(), sink.writes);
    sink.failing = false;
    now += 1000;
    events.flush();
    assertEquals(2, sink.writes.size());
    assertTrue(sink.writes.stream().allMatch(Write::create), "the failed creates are made again");
  }
}
