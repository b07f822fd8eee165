package dev.palisade.dataplane.agent;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The wall and CPU time of the most recent successful syncs (up to 10,000), for benchmarks and
 * tests that ask the agent how long its syncs took. Written by the sync thread, read by any.
 */
final class SyncTimes {
  private static final int KEPT = 10_000;
  private final ArrayDeque<Long> wall = new ArrayDeque<>();
  private final ArrayDeque<Long> cpu = new ArrayDeque<>();

  synchronized void add(long wallNanos, long cpuNanos) {
    if (wall.size() == KEPT) {
      wall.removeFirst();
      cpu.removeFirst();
    }
    wall.addLast(wallNanos);
    cpu.addLast(cpuNanos);
  }

  synchronized List<Long> wall() {
    return List.copyOf(wall);
  }

  /** In the order of {@link #wall}. */
  synchronized List<Long> cpu() {
    return List.copyOf(cpu);
  }
}
