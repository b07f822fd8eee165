package dev.palisade.dataplane.netpol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.palisade.dataplane.render.Disjoint;
import dev.palisade.dataplane.render.Interval;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeerRangesTest {
  /** What a whole build gives: blocks and points merged. */
  private static List<Interval> whole(List<Interval> blocks, long[] points) {
    List<Interval> all = new ArrayList<>(blocks);
    all.addAll(Disjoint.mergePoints(points));
    return Disjoint.merge(all);
  }

  /**
   * Random pods join and leave (shared addresses, neighbours, the ends of the address space,
   * inside and beside blocks): every step equals the whole merge, and its gone/come equal a walk
   * over both whole lists.
   */
  @Test
  void aSteppedRangeListEqualsTheWholeMergeAndSaysWhatMoved() {
    Random random = new Random(16);
    for (int run = 0; run < 300; run++) {
      long base = random.nextInt(4) == 0 ? 0 : (random.nextBoolean() ? Interval.MAX_IP - 60 : 1000);
      List<Interval> blocks = new ArrayList<>();
      for (int b = random.nextInt(3); b > 0; b--) {
        long from = base + random.nextInt(60);
        blocks.add(new Interval(from, Math.min(Interval.MAX_IP, from + random.nextInt(6))));
      }
      blocks = Disjoint.merge(blocks);
      long[] points = new long[0];
      List<Interval> ranges = whole(blocks, points);
      for (int step = 0; step < 40; step++) {
        long[] added = new long[random.nextInt(4)];
        for (int i = 0; i < added.length; i++) {
          added[i] = Math.min(Interval.MAX_IP, base + random.nextInt(61));
        }
        long[] removed = new long[points.length == 0 ? 0 : random.nextInt(Math.min(3, points.length) + 1)];
        List<Long> pool = new ArrayList<>();
        for (long p : points) {
          pool.add(p);
        }
        java.util.Collections.shuffle(pool, random);
        for (int i = 0; i < removed.length; i++) {
          removed[i] = pool.get(i);
        }
        long[] now = PeerRanges.moved(points, added, removed);
        long[] expect = expectedPoints(points, added, removed);
        assertArrayEquals(expect, now, "points after +" + Arrays.toString(added) + " -" + Arrays.toString(removed));
        long[] candidates = new long[added.length + removed.length];
        System.arraycopy(added, 0, candidates, 0, added.length);
        System.arraycopy(removed, 0, candidates, added.length, removed.length);
        PeerRanges.Step s = PeerRanges.step(ranges, blocks, now, PeerRanges.flipped(points, now, candidates));
        List<Interval> fresh = whole(blocks, now);
        assertEquals(fresh, s.ranges(), "run " + run + " step " + step + " blocks " + blocks);
        List<Interval> gone = new ArrayList<>();
        List<Interval> come = new ArrayList<>();
        PeerSteps.diff(ranges, fresh, gone, come);
        assertEquals(gone, s.gone(), "gone, run " + run + " step " + step);
        assertEquals(come, s.come(), "come, run " + run + " step " + step);
        points = now;
        ranges = s.ranges();
      }
    }
  }

  private static long[] expectedPoints(long[] points, long[] added, long[] removed) {
    List<Long> out = new ArrayList<>();
    for (long p : points) {
      out.add(p);
    }
    for (long a : added) {
      out.add(a);
    }
    for (long r : removed) {
      out.remove(Long.valueOf(r));
    }
    return out.stream().mapToLong(Long::longValue).sorted().toArray();
  }

  @Test
  void removingAnAddressThatIsNotThereAsksForAWholeBuild() {
    assertNull(PeerRanges.moved(new long[] {1, 3}, new long[0], new long[] {2}));
    assertNull(PeerRanges.moved(new long[] {1, 3}, new long[0], new long[] {4}));
    assertNull(PeerRanges.moved(new long[] {3}, new long[0], new long[] {3, 3}));
    assertArrayEquals(new long[] {1, 2, 3}, PeerRanges.moved(new long[] {1, 3, 3}, new long[] {2}, new long[] {3}));
  }
}
