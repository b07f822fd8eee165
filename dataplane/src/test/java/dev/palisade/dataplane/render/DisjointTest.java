package dev.palisade.dataplane.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class DisjointTest {
  /** Every address the intervals cover. */
  private static TreeSet<Long> covered(List<Interval> intervals) {
    TreeSet<Long> out = new TreeSet<>();
    for (Interval i : intervals) {
      for (long v = i.from(); v <= i.to(); v++) {
        out.add(v);
      }
    }
    return out;
  }

  private static void assertSortedDisjointAndNotAdjacent(List<Interval> merged) {
    for (int k = 1; k < merged.size(); k++) {
      assertTrue(merged.get(k).from() > merged.get(k - 1).to() + 1, "overlapping or adjacent: " + merged);
    }
  }

  @Test
  void mergeCoversExactlyWhatItsInputsCoverInSortedDisjointRanges() {
    Random random = new Random(7);
    for (int round = 0; round < 200; round++) {
      List<Interval> in = new ArrayList<>();
      for (int n = random.nextInt(30); n > 0; n--) {
        long from = random.nextInt(200);
        in.add(new Interval(from, from + random.nextInt(6)));
      }
      List<Interval> merged = Disjoint.merge(in);
      assertEquals(covered(in), covered(merged), in.toString());
      assertSortedDisjointAndNotAdjacent(merged);
    }
  }

  @Test
  void mergePointsJoinsAdjacentAndRepeatedAddresses() {
    assertEquals(List.of(new Interval(1, 3), new Interval(7, 7), new Interval(9, 10)),
        Disjoint.mergePoints(new long[] {10, 3, 1, 2, 7, 2, 9}));
    assertEquals(List.of(), Disjoint.mergePoints(new long[0]));
    Random random = new Random(11);
    for (int round = 0; round < 200; round++) {
      long[] points = random.longs(random.nextInt(40), 0, 100).toArray();
      List<Interval> asIntervals = new ArrayList<>();
      for (long p : points) {
        asIntervals.add(new Interval(p, p));
      }
      assertEquals(Disjoint.merge(asIntervals), Disjoint.mergePoints(points));
    }
  }
}
