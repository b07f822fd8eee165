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
    // a goal of none (no attack passes): missed by the count, not by an infinite percentage
    String missed = target == 0 ? "missed by " + number(Math.abs(value))
        : String.format(Locale.ROOT, "missed by %.1f%%", by);
    return String.format(Locale.ROOT, "- Goal: %s. Measured %s: %s.%s%n", what, number(value),
        met ? "met" : missed, met || why == null ? "" : " Why: " + why);
  }

  /**
   * A goal that a figure lie within a confidence interval (issue 19: the cost with 100 policies
   * within the run's interval of the cost with none); when outside, missed by its distance to
   * the nearer bound, relative to that bound.
   */
  static String within(String what, double value, Stats.Ci ci, String why) {
    boolean met = ci.contains(value);
    double bound = value < ci.lo() ? ci.lo() : ci.hi();
    double by = Math.abs(value - bound) / Math.abs(bound) * 100;
    return String.format(Locale.ROOT, "- Goal: %s. Measured %s, interval %s..%s (mean %s, %d rounds): %s.%s%n", what,
        number(value), number(ci.lo()), number(ci.hi()), number(ci.mean()), ci.n(),
        met ? "met" : String.format(Locale.ROOT, "missed by %.1f%%", by), met || why == null ? "" : " Why: " + why);
  }

  private static String number(double v) {
    return Math.abs(v) >= 1000 || v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v)
        : Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.3f", v);
  }
}
