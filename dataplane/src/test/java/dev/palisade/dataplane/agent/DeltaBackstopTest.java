package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.dataplane.render.NodeRules;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeltaBackstopTest {
  private final AtomicLong now = new AtomicLong();

  private static NodeRulesCalculator.Result result(Set<String> podIps) {
    return new NodeRulesCalculator.Result(new NodeRules(List.of()), Map.of(), podIps, null, 0, List.of(), Set.of(),
        Map.of(), null);
  }

  @Test
  void dueOncePerPeriodAndCountsOnlyDifferences() {
    DeltaBackstop backstop = new DeltaBackstop("node-1", Duration.ofMinutes(5), now::get);
    assertFalse(backstop.due());
    now.addAndGet(Duration.ofMinutes(5).toNanos());
    assertTrue(backstop.due());
    assertTrue(backstop.agrees(result(Set.of("10.0.0.1")), result(Set.of("10.0.0.1"))));
    assertFalse(backstop.due(), "a comparison starts the next period");
    now.addAndGet(Duration.ofMinutes(5).toNanos());
    assertFalse(backstop.agrees(result(Set.of("10.0.0.1", "10.0.0.2")), result(Set.of("10.0.0.1"))),
        "a stale address the deltas kept is a difference");
    assertEquals(2, backstop.checks());
    assertEquals(1, backstop.mismatches());
  }

  @Test
  void aPeriodThatIsNotPositiveIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new DeltaBackstop("node-1", Duration.ZERO, now::get));
  }
}
