package dev.palisade.controller.publish;

import java.time.Duration;

/**
 * How long to wait before the next try of a write that failed {@code failures} times in a row:
 * {@code first}, doubling, never more than {@code max}. Pure.
 */
public record Backoff(Duration first, Duration max) {
  /** 100 ms doubling to 5 s: a refused write is retried quickly, an API server that is down is not hammered. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  public Backoff {
    if (first == null || max == null || first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
      throw new IllegalArgumentException("back-off needs 0 < first <= max, not first " + first + ", max " + max);
    }
  }

  /** The wait after the {@code failures}-th failure in a row (1 for the first). */
  public Duration delay(int failures) {
    if (failures < 1) {
      throw new IllegalArgumentException("failures counts from 1, not " + failures);
    }
    Duration d = first;
    for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(max) > 0 ? max : d;
  }
}
