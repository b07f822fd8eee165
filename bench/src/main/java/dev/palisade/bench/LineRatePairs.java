package dev.palisade.bench;

import dev.palisade.bench.LineRateBench.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Pure: issue 16's line-rate goals judged from paired, interleaved rounds. A block runs the
 * configurations in palindrome order (A B C C B A: ABBA for more than two), so within a block each
 * configuration's two measurements sit symmetrically around its middle and a drift of the machine
 * that is linear over the block cancels out of their mean. Each block gives one ratio per goal
 * (the firewall's mean over the baseline's mean, in the same block); the ratios' 95% interval is
 * the Student t interval of their logarithms taken back (ratios multiply, so their logarithms are
 * what is averaged), and a goal's verdict is read from the interval, never from a median:
 * "met" when the whole interval is on the goal's side, "missed" when it is all on the other,
 * "inconclusive" when it straddles the bound.
 */
final class LineRatePairs {
  static final String FIREWALL = "palisade-100000";
  static final List<String> CONFIGS = List.of("none", "ct-only", FIREWALL);

  private LineRatePairs() {}

  /** The order of one block: the configurations, then the same reversed. */
  static List<String> blockOrder(List<String> configs) {
    List<String> out = new ArrayList<>(configs);
    List<String> back = new ArrayList<>(configs);
    java.util.Collections.reverse(back);
    out.addAll(back);
    return out;
  }

  /** One goal: a figure of the firewall over the same figure of a baseline, at least or at most a bound. */
  record PairGoal(String what, String baseline, ToDoubleFunction<Sample> figure, double target, boolean atLeast) {}

  static final List<PairGoal> GOALS = List.of(
      new PairGoal("new connections/s at 100k tuples >= 0.98 of conntrack-only", "ct-only", Sample::connPerSec, 0.98,
          true),
      new PairGoal("TCP throughput at 100k tuples >= 0.97 of no firewall", "none", Sample::tcpGbps, 0.97, true),
      new PairGoal("64-byte UDP packets/s at 100k tuples >= 0.90 of no firewall", "none", Sample::udpPps, 0.90, true),
      new PairGoal("CPU time per new connection at 100k tuples <= 1.02 of conntrack-only (the inverse of the conn/s "
          + "goal on a CPU-bound node)", "ct-only", Sample::cpuUsPerConn, 1 / 0.98, false));

  /**
   * Where a goal against no firewall loses its share: conntrack alone against nothing, and the
   * firewall against conntrack alone (both ratios per block, as the goals'). Their product is the
   * goal's ratio; the split tells a cost of the ruleset from the cost of keeping state at all.
   */
  record Split(String what, String over, String under, ToDoubleFunction<Sample> figure) {}

  static final List<Split> SPLITS = List.of(
      new Split("TCP throughput", "ct-only", "none", Sample::tcpGbps),
      new Split("TCP throughput", FIREWALL, "ct-only", Sample::tcpGbps),
      new Split("64-byte UDP packets/s", "ct-only", "none", Sample::udpPps),
      new Split("64-byte UDP packets/s", FIREWALL, "ct-only", Sample::udpPps));

  /** Per block, the firewall's mean over the baseline's mean of {@code figure}. */
  static List<Double> ratios(List<Map<String, List<Sample>>> blocks, String baseline, ToDoubleFunction<Sample> figure) {
    return ratios(blocks, FIREWALL, baseline, figure);
  }

  /** Per block, {@code over}'s mean over {@code under}'s mean of {@code figure}. */
  static List<Double> ratios(List<Map<String, List<Sample>>> blocks, String over, String under,
      ToDoubleFunction<Sample> figure) {
    List<Double> out = new ArrayList<>();
    for (Map<String, List<Sample>> b : blocks) {
      out.add(mean(b.get(over), figure) / mean(b.get(under), figure));
    }
    return out;
  }

  /** The geometric mean of ratios and its 95% interval (a t-interval of the logarithms). */
  static Stats.Ci ratioCi95(List<Double> ratios) {
    for (double r : ratios) {
      if (!(r > 0) || Double.isInfinite(r)) {
        throw new IllegalArgumentException("a ratio must be positive and finite, got " + r);
      }
    }
    Stats.Ci logs = Stats.meanCi95(ratios.stream().map(Math::log).toList());
    return new Stats.Ci(Math.exp(logs.mean()), Math.exp(logs.lo()), Math.exp(logs.hi()), logs.n());
  }

  /** "met", "missed" or "inconclusive", as the interval lies against the bound. */
  static String verdict(Stats.Ci ci, double target, boolean atLeast) {
    boolean allMeet = atLeast ? ci.lo() >= target : ci.hi() <= target;
    boolean allMiss = atLeast ? ci.hi() < target : ci.lo() > target;
    return allMeet ? "met" : allMiss ? "missed" : "inconclusive";
  }

  /** The RESULTS.md part: one row per block, then each goal's interval and verdict. */
  static String section(List<Map<String, List<Sample>>> blocks) {
    StringBuilder md = new StringBuilder();
    md.append("| block |");
    GOALS.forEach(g -> md.append(' ').append(label(g)).append(" |"));
    md.append("\n|---|").append("---|".repeat(GOALS.size())).append('\n');
    List<List<Double>> perGoal = new ArrayList<>();
    GOALS.forEach(g -> perGoal.add(ratios(blocks, g.baseline(), g.figure())));
    for (int b = 0; b < blocks.size(); b++) {
      md.append("| ").append(b + 1).append(" |");
      for (List<Double> r : perGoal) {
        md.append(String.format(Locale.ROOT, " %.3f |", r.get(b)));
      }
      md.append('\n');
    }
    md.append('\n');
    if (blocks.size() < 2) {
      return md.append("No interval: a run of one block has no spread to judge.\n\n").toString();
    }
    for (int i = 0; i < GOALS.size(); i++) {
      PairGoal g = GOALS.get(i);
      Stats.Ci ci = ratioCi95(perGoal.get(i));
      String v = verdict(ci, g.target(), g.atLeast());
      md.append(String.format(Locale.ROOT, "- Goal: %s. Ratio %.3f, 95%% interval %.3f..%.3f (%d blocks): %s.%s%n",
          g.what(), ci.mean(), ci.lo(), ci.hi(), ci.n(), v, v.equals("inconclusive")
              ? " The interval straddles " + String.format(Locale.ROOT, "%.3f", g.target())
                  + ": this run cannot tell; more blocks or a quieter machine narrow it" : ""));
    }
    md.append('\n');
    for (Split sp : SPLITS) {
      Stats.Ci ci = ratioCi95(ratios(blocks, sp.over(), sp.under(), sp.figure()));
      md.append(String.format(Locale.ROOT, "- Split: %s, %s / %s: %.3f, 95%% interval %.3f..%.3f.%n", sp.what(),
          sp.over(), sp.under(), ci.mean(), ci.lo(), ci.hi()));
    }
    return md.append('\n').toString();
  }

  private static String label(PairGoal g) {
    String fig = g.what().substring(0, g.what().indexOf(" at "));
    return fig + " / " + g.baseline();
  }

  private static double mean(List<Sample> s, ToDoubleFunction<Sample> f) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException("a block lacks a configuration's samples");
    }
    return s.stream().mapToDouble(f).average().orElseThrow();
  }
}
