package dev.palisade.bench;

import java.util.List;
import java.util.Locale;

/** The few statistics the harnesses report: nearest-rank percentiles of latencies, medians of rounds. */
final class Stats {
  private Stats() {}

  /** Nearest-rank percentile of sorted nanoseconds, in milliseconds. */
  static double pct(long[] sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }

  /** A RESULTS.md table row: what | p50 | p90 | p99 | max, in milliseconds. */
  static String row(String what, long[] sorted) {
    return String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f |%n", what, pct(sorted, 50), pct(sorted, 90),
        pct(sorted, 99), sorted[sorted.length - 1] / 1e6);
  }

  static double median(List<Double> v) {
    List<Double> s = v.stream().sorted().toList();
    return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }
}
