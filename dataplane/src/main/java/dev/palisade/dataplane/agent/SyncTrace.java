package dev.palisade.dataplane.agent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The most recent syncs' timelines (when each began and ended, why it ran, what its steps cost),
 * to say what a slow pod start waited for: a sync already under way when it asked, a queue of
 * them, or its own being slow in one step. Written by the sync thread, read by any.
 */
final class SyncTrace {
  private static final int KEPT = 64;

  /**
   * What one sync's steps cost, in nanoseconds of wall time: the table guard, the calculation, the
   * kernel's apply (its render, commit and tighten), and the JVM's GC pauses while it ran (a pause
   * shows in whichever step it fell into: this says which slow step was the collector).
   */
  record Steps(long guard, long calculate, long apply, KernelSync.Steps kernel, long gc) {
    static final Steps NONE = new Steps(0, 0, 0, KernelSync.Steps.NONE, 0);

    Steps withGc(long gcNanos) {
      return new Steps(guard, calculate, apply, kernel, gcNanos);
    }
  }

  /** One sync: nanoTime at its start and end, its causes, and its steps. */
  record Sync(long start, long end, String causes, Steps steps) {
    String describe(long since) {
      return String.format(Locale.ROOT, "[%+.1f..%+.1f ms %s: guard %.1f, calculate %.1f, apply %.1f (render %.1f, "
          + "commit %.1f, tighten %.1f), gc %.1f]", (start - since) / 1e6, (end - since) / 1e6, causes,
          steps.guard() / 1e6, steps.calculate() / 1e6, steps.apply() / 1e6, steps.kernel().render() / 1e6,
          steps.kernel().commit() / 1e6, steps.kernel().tighten() / 1e6, steps.gc() / 1e6);
    }
  }

  private final ArrayDeque<Sync> syncs = new ArrayDeque<>();

  synchronized void add(Sync s) {
    if (syncs.size() == KEPT) {
      syncs.removeFirst();
    }
    syncs.addLast(s);
  }

  /** The syncs that ran (even in part) between {@code from} and {@code to}, oldest first. */
  synchronized List<Sync> between(long from, long to) {
    List<Sync> out = new ArrayList<>();
    for (Sync s : syncs) {
      if (s.end() >= from && s.start() <= to) {
        out.add(s);
      }
    }
    return out;
  }

  /** "3 syncs [+..]": what ran while something waited from {@code from} to {@code to}. */
  String describe(long from, long to) {
    List<Sync> during = between(from, to);
    StringBuilder sb = new StringBuilder().append(during.size()).append(" sync(s)");
    for (Sync s : during) {
      sb.append(' ').append(s.describe(from));
    }
    return sb.toString();
  }
}
