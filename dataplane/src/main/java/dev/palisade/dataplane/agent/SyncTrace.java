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

  /** One sync: nanoTime at its start and end, its causes, and its steps' wall times in nanoseconds. */
  record Sync(long start, long end, String causes, long guard, long calculate, long apply, long render, long commit,
      long tighten) {
    Sync(long start, long end, String causes, long guard, long calculate, long apply) {
      this(start, end, causes, guard, calculate, apply, 0, 0, 0);
    }

    String describe(long since) {
      return String.format(Locale.ROOT, "[%+.1f..%+.1f ms %s: guard %.1f, calculate %.1f, apply %.1f (render %.1f, "
          + "commit %.1f, tighten %.1f)]", (start - since) / 1e6, (end - since) / 1e6, causes, guard / 1e6,
          calculate / 1e6, apply / 1e6, render / 1e6, commit / 1e6, tighten / 1e6);
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
