package dev.palisade.controller.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.controller.publish.Backoff;
import dev.palisade.model.DropEvent;
import dev.palisade.model.Protocol;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The writer with a fake clock and a fake store: coalescing, the per-namespace interval, retries. */
class PolicyReportWriterTest {
  private static final String WEB = "shop/Deployment/web";
  private static final String DB = "shop/StatefulSet/db";

  private final List<GenericKubernetesResource> written = new ArrayList<>();
  private boolean failing;
  private long now = 100_000;
  private final PolicyReportWriter writer = new PolicyReportWriter(new PolicyReports(), r -> {
    if (failing) {
      throw new IllegalStateException("API server down");
    }
    written.add(r);
  }, () -> now, Duration.ofSeconds(5), new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(4)), false);

  private void drop(int port) {
    writer.observe(new DropEvent("enforce", "in", 1, 2, Protocol.TCP, port, 0, null, null), WEB, DB, false);
  }

  private static long count(GenericKubernetesResource r) {
    return ((List<?>) r.getAdditionalProperties().get("results")).size();
  }

  @Test
  void dropsAreCoalescedIntoOneWritePerNamespacePerInterval() {
    assertEquals(List.of(), writer.tick(), "nothing dropped, nothing written");
    for (int i = 0; i < 1000; i++) {
      drop(5432);
    }
    assertEquals(List.of("shop"), writer.tick());
    assertEquals(1, written.size());
    drop(5433);
    now += 4_999;
    assertEquals(List.of(), writer.tick(), "within the interval");
    now += 1;
    assertEquals(List.of("shop"), writer.tick());
    assertEquals(4, count(written.get(1)), "the second write holds both edges, on both ends");
    assertEquals(List.of(), writer.tick(), "nothing new");
    assertEquals(2, writer.writes());
  }

  @Test
  void aFailedWriteIsRetriedAfterTheBackoff() {
    failing = true;
    drop(5432);
    assertEquals(List.of(), writer.tick());
    failing = false;
    now += 999;
    assertEquals(List.of(), writer.tick(), "waits out the back-off");
    now += 1;
    assertEquals(List.of("shop"), writer.tick());
    assertEquals(2, count(written.get(0)));
  }

  @Test
  void aNonPositiveIntervalIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PolicyReportWriter(
        new PolicyReports(), r -> { }, () -> 0, Duration.ZERO, Backoff.DEFAULT, false));
    assertTrue(e.getMessage().contains("interval"), e.getMessage());
  }
}
