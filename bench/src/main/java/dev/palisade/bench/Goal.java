package dev.palisade.bench;

import java.util.Locale;

/**
 * One line of RESULTS.md judging a figure against its goal (issue 8): met, or missed by how much,
 * and, when missed, why (the harness knows what limits its figure on this machine).
 */
final class Goal {
  private Goal() {}

  /**
   * @param what the goal in words, e.g. "new connections/s at 100k tuples >= 0.98 of ct-only"
   * @param value the figure measured in this run
   * @param target the goal's bound
   * @param atLeast true when the figure must be at least the bound, false when at most
   * @param why what limits the figure, said only when it misses
   */
  static String line(String what, double value, double target, boolean atLeast, String why) {
    boolean met = atLeast ? value >= target : value <= target;
    double by = Math.abs(value - target) / target * 100;
    return String.format(Locale.ROOT, "- Goal: %s. Measured %s: %s.%s%n", what, number(value),
        met ? "met" : String.format(Locale.ROOT, "missed by %.1f%%", by), met || why == null ? "" : " Why: " + why);
  }

  private static String number(double v) {
    return Math.abs(v) >= 1000 || v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v)
        : Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.3f", v);
  }
}
