package dev.palisade.dataplane.render;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Makes set contents disjoint. The kernel's interval sets refuse overlapping elements, while
 * policy naturally overlaps (an ipBlock covering a selected pod's IP, two rules on one port), so
 * every set is handed to nft as a union of non-overlapping pieces. Pure and deterministic.
 */
public final class Disjoint {
  private Disjoint() {}

  /** Merges overlapping or adjacent intervals; the result is sorted. */
  public static List<Interval> merge(Collection<Interval> intervals) {
    // an array sort, not a TreeSet: merged on every agent sync, with one interval per peer pod
    Interval[] sorted = intervals.toArray(new Interval[0]);
    java.util.Arrays.sort(sorted);
    List<Interval> out = new ArrayList<>();
    for (Interval i : sorted) {
      int last = out.size() - 1;
      if (last >= 0 && i.from() <= out.get(last).to() + 1) {
        if (i.to() > out.get(last).to()) {
          out.set(last, new Interval(out.get(last).from(), i.to()));
        }
      } else {
        out.add(i);
      }
    }
    return out;
  }

  /** Single addresses merged into sorted, disjoint ranges (adjacent addresses join one range). */
  public static List<Interval> mergePoints(long[] addresses) {
    long[] sorted = addresses.clone();
    java.util.Arrays.sort(sorted);
    List<Interval> out = new ArrayList<>();
    int i = 0;
    while (i < sorted.length) {
      long from = sorted[i];
      long to = from;
      while (i + 1 < sorted.length && sorted[i + 1] <= to + 1) {
        to = Math.max(to, sorted[++i]);
      }
      out.add(new Interval(from, to));
      i++;
    }
    return out;
  }

  /** Subtracts the holes from the interval (ipBlock except); the result is sorted and disjoint. */
  public static List<Interval> subtract(Interval base, Collection<Interval> holes) {
    List<Interval> out = new ArrayList<>();
    long cursor = base.from();
    for (Interval h : merge(holes)) {
      if (h.to() < cursor || h.from() > base.to()) {
        continue;
      }
      if (h.from() > cursor) {
        out.add(new Interval(cursor, h.from() - 1));
      }
      cursor = h.to() + 1;
      if (cursor > base.to()) {
        return out;
      }
    }
    out.add(new Interval(cursor, base.to()));
    return out;
  }

  /**
   * Turns overlapping rectangles into disjoint ones covering the same points: per protocol, the
   * address axis is cut at every rectangle edge and each slice gets the merged port intervals of
   * the rectangles covering it; equal neighbouring slices are joined again.
   */
  public static List<AllowRect> rects(Collection<AllowRect> rects) {
    List<AllowRect> out = new ArrayList<>();
    Map<AllowRect.Proto, List<AllowRect>> byProto = new TreeMap<>();
    for (AllowRect r : rects) {
      byProto.computeIfAbsent(r.protocol(), k -> new ArrayList<>()).add(r);
    }
    for (var e : byProto.entrySet()) {
      List<AllowRect> rs = e.getValue();
      TreeSet<Long> cuts = new TreeSet<>();
      for (AllowRect r : rs) {
        cuts.add(r.peers().from());
        cuts.add(r.peers().to() + 1);
      }
      Long[] edges = cuts.toArray(new Long[0]);
      Interval prevSlice = null;
      List<Interval> prevPorts = null;
      for (int i = 0; i + 1 < edges.length; i++) {
        Interval slice = new Interval(edges[i], edges[i + 1] - 1);
        List<Interval> ports = new ArrayList<>();
        for (AllowRect r : rs) {
          if (r.peers().from() <= slice.from() && r.peers().to() >= slice.to()) {
            ports.add(r.ports());
          }
        }
        List<Interval> merged = merge(ports);
        if (prevSlice != null && prevSlice.to() + 1 == slice.from() && merged.equals(prevPorts)) {
          prevSlice = new Interval(prevSlice.from(), slice.to());
          continue;
        }
        flush(out, e.getKey(), prevSlice, prevPorts);
        prevSlice = merged.isEmpty() ? null : slice;
        prevPorts = merged;
      }
      flush(out, e.getKey(), prevSlice, prevPorts);
    }
    return out;
  }

  private static void flush(List<AllowRect> out, AllowRect.Proto proto, Interval slice, List<Interval> ports) {
    if (slice == null || ports == null) {
      return;
    }
    for (Interval p : ports) {
      // An address slice that is not one CIDR is still one nft range element; no splitting needed.
      out.add(new AllowRect(slice, proto, p));
    }
  }
}
