package dev.palisade.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.bench.LineRateBench.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The confidence intervals and the issue-19 goal line the line-rate section writes, and its configuration list. */
class LineRateStatsTest {
  @Test
  void tIntervalOfTheMean() {
    Stats.Ci ci = Stats.meanCi95(List.of(1.0, 2.0, 3.0, 4.0, 5.0));
    assertEquals(3.0, ci.mean(), 1e-9);
    // s = sqrt(2.5), t(0.975, 4) = 2.776
    assertEquals(2.776 * Math.sqrt(2.5) / Math.sqrt(5), ci.halfWidth(), 1e-9);
    assertTrue(ci.contains(1.1) && !ci.contains(1.0));
    assertEquals(2.0395, Stats.t975(31), 0.001, "past the table");
    assertEquals(1.96, Stats.t975(100_000), 0.001);
    var e = assertThrows(IllegalArgumentException.class, () -> Stats.meanCi95(List.of(1.0)));
    assertTrue(e.getMessage().contains("got 1"), e.getMessage());
  }

  private static List<Sample> rounds(double... cpu) {
    List<Sample> out = new ArrayList<>();
    for (double c : cpu) {
      out.add(new Sample(1_000_000 / c, c, 1e5, 1.0));
    }
    return out;
  }

  @Test
  void goalMetWhenTheHundredLiesInsideTheNonesInterval() {
    String md = LineRateIntervals.goal(rounds(10, 11, 12, 11, 10), rounds(11, 10, 12, 11, 11));
    assertTrue(md.contains("- Goal: admin-100 CPU us/conn within the 95% CI of admin-0"), md);
    assertTrue(md.lines().findFirst().orElseThrow().endsWith(": met."), md);
    assertTrue(md.contains("holds 0: no growth this run can detect"), md);
  }

  @Test
  void goalMissedWhenOutside() {
    String md = LineRateIntervals.goal(rounds(10, 10.2, 9.8, 10.1, 9.9), rounds(12, 12.2, 11.8, 12.1, 11.9));
    String first = md.lines().findFirst().orElseThrow();
    assertTrue(first.contains("Measured 12, interval 9.804..10.2 (mean 10, 5 rounds)"), first);
    assertTrue(first.contains("missed by 17.7%"), first);
    assertTrue(md.contains("excludes 0: 100 policies cost more"), md);
  }

  @Test
  void oneRoundHasNoInterval() {
    Map<String, List<Sample>> s = new LinkedHashMap<>();
    s.put("admin-0", rounds(10));
    s.put("admin-100", rounds(10));
    String md = LineRateIntervals.section(s);
    assertTrue(md.startsWith("Confidence intervals: not computed"), md);
    assertFalse(md.contains("Goal"), md);
  }

  @Test
  void selectsNamedConfigurationsInTheGivenOrder() {
    var known = LineRateConfigs.configs().keySet();
    assertTrue(known.containsAll(List.of("none", "ct-only", "palisade-100", "admin-0", "admin-100")), known.toString());
    assertEquals(List.of("admin-0", "admin-100", "ct-only"),
        LineRateConfigs.select("admin-0, admin-100,ct-only,admin-0", known));
    var e = assertThrows(IllegalArgumentException.class, () -> LineRateConfigs.select("admin-0,admin-7", known));
    assertTrue(e.getMessage().contains("'admin-7'") && e.getMessage().contains("known: none,"), e.getMessage());
  }
}
