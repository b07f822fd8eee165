package dev.palisade.lab.net;

import java.time.Duration;

/**
 * How long the lab waits before restarting a process that exited, as kubelet's CrashLoopBackOff
 * does with shorter steps (the lab is for testing): 1 s, doubling to at most 30 s, and back to 1 s
 * once a run lasted a minute. One instance per supervised process; used by its watcher thread only.
 */
public final class RestartBackoff {
  static final Duration FIRST = Duration.ofSeconds(1);
  static final Duration MAX = Duration.ofSeconds(30);
  static final Duration STABLE_RUN = Duration.ofMinutes(1);

  private Duration next = FIRST;

  /** The wait before the restart that follows a run of {@code ran}; the one after it doubles. */
  public Duration after(Duration ran) {
    if (ran.compareTo(STABLE_RUN) > 0) {
      next = FIRST;
    }
    Duration wait = next;
    Duration doubled = next.multipliedBy(2);
    next = doubled.compareTo(MAX) > 0 ? MAX : doubled;
    return wait;
  }
}
