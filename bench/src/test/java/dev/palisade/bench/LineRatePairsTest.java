package dev.palisade.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palisade.bench.LineRateBench.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineRatePairsTest {
  @Test
  void aBlockRunsTheConfigurationsThenTheSameReversed() {
    assertEquals(List.of("a", "b", "b", "a"), LineRatePairs.blockOrder(List.of("a", "b")));
    assertEquals(List.of("none", "ct-only", "palisade-100000", "palisade-100000", "ct-only", "none"),
        LineRatePairs.blockOrder(LineRatePairs.CONFIGS));
  }

  @Test
  void aLinearDriftOverABlockCancelsFromTheRatio() {
    // the machine slows by 10% per measurement; the firewall costs exactly nothing
    List<Map<String, List<Sample>>> blocks = new ArrayList<>();
    for (int b = 0; b < 3; b++) {
      Map<String, List<Sample>> block = new LinkedHashMap<>();
      List<String> order = LineRatePairs.blockOrder(LineRatePairs.CONFIGS);
      for (int i = 0; i < order.size(); i++) {
        double rate = 1000 - 100 * i;
        block.computeIfAbsent(order.get(i), k -> new ArrayList<>()).add(new Sample(rate, 50, rate, rate));
      }
      blocks.add(block);
    }
    for (double r : LineRatePairs.ratios(blocks, "ct-only", Sample::connPerSec)) {
      assertEquals(1.0, r, 1e-12);
    }
  }

  @Test
  void theIntervalOfRatiosIsTakenOverTheirLogarithms() {
    Stats.Ci ci = LineRatePairs.ratioCi95(List.of(0.5, 2.0));
    assertEquals(1.0, ci.mean(), 1e-12, "the geometric mean of 0.5 and 2");
    assertEquals(1.0, ci.lo() * ci.hi(), 1e-9, "symmetric in log space");
    assertThrows(IllegalArgumentException.class, () -> LineRatePairs.ratioCi95(List.of(1.0, 0.0)));
  }

  @Test
  void theVerdictIsReadFromTheWholeInterval() {
    assertEquals("met", LineRatePairs.verdict(new Stats.Ci(0.99, 0.985, 0.995, 5), 0.98, true));
    assertEquals("missed", LineRatePairs.verdict(new Stats.Ci(0.95, 0.94, 0.97, 5), 0.98, true));
    assertEquals("inconclusive", LineRatePairs.verdict(new Stats.Ci(0.99, 0.90, 1.08, 5), 0.98, true));
    assertEquals("met", LineRatePairs.verdict(new Stats.Ci(1.0, 0.99, 1.01, 5), 1.02, false));
    assertEquals("missed", LineRatePairs.verdict(new Stats.Ci(1.1, 1.05, 1.2, 5), 1.02, false));
  }

  @Test
  void theSectionNamesEachGoalWithItsIntervalAndVerdict() {
    List<Map<String, List<Sample>>> blocks = new ArrayList<>();
    double[] firewall = {990, 1010, 1000, 995};
    for (double f : firewall) {
      Map<String, List<Sample>> block = new LinkedHashMap<>();
      block.put("none", List.of(new Sample(1000, 50, 1000, 10), new Sample(1000, 50, 1000, 10)));
      block.put("ct-only", List.of(new Sample(1000, 50, 1000, 10), new Sample(1000, 50, 1000, 10)));
      block.put(LineRatePairs.FIREWALL, List.of(new Sample(f, 50, f, f / 100), new Sample(f, 50, f, f / 100)));
      blocks.add(block);
    }
    String md = LineRatePairs.section(blocks);
    assertTrue(md.contains("- Goal: new connections/s at 100k tuples >= 0.98 of conntrack-only. Ratio 0.999"), md);
    assertTrue(md.contains("(4 blocks): met."), md);
    assertTrue(md.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| block")).count() == 4, md);
  }

  @Test
  void theSplitTellsConntracksShareFromTheRulesets() {
    // conntrack alone costs 4% of TCP throughput, the ruleset 1% more on top of it
    List<Map<String, List<Sample>>> blocks = new ArrayList<>();
    for (double jitter : new double[] {1.0, 1.01, 0.99}) {
      Map<String, List<Sample>> block = new LinkedHashMap<>();
      block.put("none", List.of(new Sample(1000, 10, 1000, 50 * jitter)));
      block.put("ct-only", List.of(new Sample(1000, 10, 1000, 48 * jitter)));
      block.put(LineRatePairs.FIREWALL, List.of(new Sample(1000, 10, 1000, 48 * 0.99 * jitter)));
      blocks.add(block);
    }
    String md = LineRatePairs.section(blocks);
    assertTrue(md.contains("- Split: TCP throughput, ct-only / none: 0.960"), md);
    assertTrue(md.contains("- Split: TCP throughput, palisade-100000 / ct-only: 0.990"), md);
    assertTrue(md.contains("- Goal: TCP throughput at 100k tuples >= 0.97 of no firewall. Ratio 0.950"), md);
  }
}
