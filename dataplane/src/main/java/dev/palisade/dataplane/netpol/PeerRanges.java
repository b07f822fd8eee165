package dev.palisade.dataplane.netpol;

import dev.palisade.dataplane.render.Disjoint;
import dev.palisade.dataplane.render.Interval;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pure: a rule's peer ranges (its ipBlocks and its selected pods' addresses, merged) moved by the
 * pods that joined and left, instead of sorted and merged whole. At 10k pods a rule holds ~700
 * peer addresses, and sorting them, merging them and then walking the old and new lists side by
 * side to find the one range that moved was a fifth of a sync for every pod event. Here only the
 * ranges around the addresses whose presence flipped are made again, and what moved is said.
 *
 * <p>The answer is exactly {@code merge(blocks + points)} ({@code PeerRangesTest} holds it to that
 * on random steps): an address's coverage changes only if its point came or went and no block
 * holds it, and outside a window around such addresses nothing changes (see {@link #step}).
 */
final class PeerRanges {
  private PeerRanges() {}

  /** The ranges after a step, and the ranges only the old list had ({@code gone}) and only the new one has ({@code come}). */
  record Step(List<Interval> ranges, List<Interval> gone, List<Interval> come) {}

  /**
   * {@code points} (sorted, an address once per pod holding it) with {@code added} put in and
   * {@code removed} taken out, one occurrence each; null if a removed address is not there (then
   * the caller builds whole: its peers were not what it thought).
   */
  static long[] moved(long[] points, long[] added, long[] removed) {
    long[] add = added.clone();
    long[] rem = removed.clone();
    Arrays.sort(add);
    Arrays.sort(rem);
    if (rem.length > points.length) {
      return null;
    }
    long[] out = new long[points.length + add.length - rem.length];
    int i = 0;
    int a = 0;
    int r = 0;
    int o = 0;
    while (i < points.length || a < add.length) {
      if (a < add.length && (i >= points.length || add[a] <= points[i])) {
        if (o >= out.length) {
          return null;
        }
        out[o++] = add[a++];
      } else {
        long p = points[i++];
        if (r < rem.length && rem[r] == p) {
          r++; // one occurrence taken out
        } else if (r < rem.length && rem[r] < p) {
          return null; // removed, but not there
        } else {
          if (o >= out.length) {
            return null;
          }
          out[o++] = p;
        }
      }
    }
    return r == rem.length && o == out.length ? out : null;
  }

  /**
   * The addresses among {@code candidates} present in one of the sorted arrays and not in the other.
   */
  static long[] flipped(long[] before, long[] after, long[] candidates) {
    long[] c = candidates.clone();
    Arrays.sort(c);
    long[] out = new long[c.length];
    int n = 0;
    for (int k = 0; k < c.length; k++) {
      if (k > 0 && c[k] == c[k - 1]) {
        continue;
      }
      if ((Arrays.binarySearch(before, c[k]) >= 0) != (Arrays.binarySearch(after, c[k]) >= 0)) {
        out[n++] = c[k];
      }
    }
    return Arrays.copyOf(out, n);
  }

  /**
   * {@code was} (= merge(blocks + the points before), sorted, disjoint, never two adjacent) moved
   * to merge(blocks + {@code points}), where {@code flipped} (sorted, distinct) are the only
   * addresses whose point presence differs.
   *
   * <p>Why a window is enough: around each flipped address c take [c-1, c+1] and every old range
   * touching it. Just outside such a window lies an address that was not covered (old ranges never
   * touch) and whose coverage did not change (it did not flip, or its own window joins this one), so
   * no new range crosses the window's edge: the new ranges inside are made from the blocks and
   * points inside alone, and the old ranges inside are replaced by them.
   */
  static Step step(List<Interval> was, List<Interval> blocks, long[] points, long[] flipped) {
    List<long[]> windows = new ArrayList<>();
    for (long c : flipped) {
      long lo = Math.max(0, c - 1);
      long hi = Math.min(Interval.MAX_IP, c + 1);
      for (int k = firstReaching(was, lo); k < was.size() && was.get(k).from() <= hi; k++) {
        lo = Math.min(lo, was.get(k).from());
        hi = Math.max(hi, was.get(k).to());
      }
      long[] last = windows.isEmpty() ? null : windows.get(windows.size() - 1);
      if (last != null && lo <= last[1] + 1) {
        last[1] = Math.max(last[1], hi);
      } else {
        windows.add(new long[] {lo, hi});
      }
    }
    List<Interval> ranges = new ArrayList<>(was.size() + flipped.length);
    List<Interval> gone = new ArrayList<>();
    List<Interval> come = new ArrayList<>();
    int pos = 0;
    for (long[] w : windows) {
      int first = firstReaching(was, w[0]);
      int end = first;
      while (end < was.size() && was.get(end).from() <= w[1]) {
        end++;
      }
      ranges.addAll(was.subList(pos, first));
      List<Interval> inside = covered(w[0], w[1], blocks, points);
      ranges.addAll(inside);
      PeerSteps.diff(was.subList(first, end), inside, gone, come);
      pos = end;
    }
    ranges.addAll(was.subList(pos, was.size()));
    return new Step(ranges, gone, come);
  }

  /** The index of the first range of the sorted list that ends at or after {@code at}. */
  private static int firstReaching(List<Interval> ranges, long at) {
    int lo = 0;
    int hi = ranges.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (ranges.get(mid).to() < at) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** merge(blocks + points) within [lo, hi]. */
  private static List<Interval> covered(long lo, long hi, List<Interval> blocks, long[] points) {
    List<Interval> parts = new ArrayList<>();
    for (Interval b : blocks) {
      if (b.to() >= lo && b.from() <= hi) {
        parts.add(new Interval(Math.max(lo, b.from()), Math.min(hi, b.to())));
      }
    }
    int at = Arrays.binarySearch(points, lo);
    if (at < 0) {
      at = -at - 1;
    }
    while (at > 0 && points[at - 1] == lo) {
      at--;
    }
    for (; at < points.length && points[at] <= hi; at++) {
      if (at == 0 || points[at] != points[at - 1]) {
        parts.add(new Interval(points[at], points[at]));
      }
    }
    return Disjoint.merge(parts);
  }
}
