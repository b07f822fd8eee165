package dev.palisade.bench;

import java.util.List;
import java.util.Locale;

/**
 * The few statistics the harnesses report: nearest-rank percentiles of latencies, medians of
 * rounds, and 95% confidence intervals of the mean of rounds.
 */
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

  /** Two-sided 95% Student t quantiles (0.975) for 1..30 degrees of freedom. */
  private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
      2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
      2.048, 2.045, 2.042};

  /** A 95% confidence interval of a mean from {@code n} values. */
  record Ci(double mean, double lo, double hi, int n) {
    boolean contains(double v) {
      return lo <= v && v <= hi;
    }

    double halfWidth() {
      return (hi - lo) / 2;
    }
  }

  /**
   * The 95% t-interval of the mean: mean +- t(0.975, n-1) * s / sqrt(n). Why the mean's t-interval
   * and not a bootstrap of the median: with the 5 to 9 rounds a run has, a bootstrap's resamples
   * take only a handful of distinct medians and its interval jumps between round values; the
   * t-interval is exact for normal noise and deterministic (no random seed in RESULTS.md).
   */
  static Ci meanCi95(List<Double> v) {
    if (v.size() < 2) {
      throw new IllegalArgumentException("a confidence interval needs at least 2 values, got " + v.size());
    }
    int n = v.size();
    double mean = v.stream().mapToDouble(Double::doubleValue).sum() / n;
    double ss = 0;
    for (double x : v) {
      ss += (x - mean) * (x - mean);
    }
    double half = t975(n - 1) * Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
    return new Ci(mean, mean - half, mean + half, n);
  }

  /** Student's t 0.975 quantile; past the table, the Cornish-Fisher expansion (within 0.001 at 31). */
  static double t975(int df) {
    if (df < 1) {
      throw new IllegalArgumentException("degrees of freedom must be >= 1, not " + df);
    }
    if (df <= T975.length) {
      return T975[df - 1];
    }
    double z = 1.959964;
    return z + (z * z * z + z) / (4.0 * df) + (5 * Math.pow(z, 5) + 16 * z * z * z + 3 * z) / (96.0 * df * df);
  }
}
