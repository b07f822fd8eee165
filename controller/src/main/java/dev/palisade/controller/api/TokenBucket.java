package dev.palisade.controller.api;

/**
 * {@code perSecond} permits a second, at most {@code burst} saved up; time is given (nanoTime),
 * so tests need no sleeping. Thread-safe.
 */
final class TokenBucket {
  private final double perNano;
  private final double burst;
  private double tokens;
  private long last;

  TokenBucket(int perSecond, int burst, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Takes one permit if there is one. */
  synchronized boolean take(long nowNanos) {
    tokens = Math.min(burst, tokens + Math.max(0, nowNanos - last) * perNano);
    last = Math.max(last, nowNanos);
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
