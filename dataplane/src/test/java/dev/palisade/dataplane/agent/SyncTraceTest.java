package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SyncTraceTest {
  @Test
  void aWaitIsToldTheSyncsThatRanDuringItEvenInPart() {
    SyncTrace t = new SyncTrace();
    SyncTrace.Sync before = sync(0, 5_000_000, "informer", 1, 2);
    SyncTrace.Sync underWay = sync(8_000_000, 20_000_000, "informer", 11_000_000, 1_000_000);
    SyncTrace.Sync own = sync(21_000_000, 24_000_000, "pod-start", 2_000_000, 1_000_000);
    SyncTrace.Sync after = sync(30_000_000, 31_000_000, "informer", 1, 1);
    List.of(before, underWay, own, after).forEach(t::add);
    assertEquals(List.of(underWay, own), t.between(10_000_000, 24_500_000));
    assertEquals("2 sync(s) [-2.0..+10.0 ms informer: guard 0.0, calculate 11.0, apply 1.0 (render 0.0, commit 0.0, "
        + "tighten 0.0), gc 0.0] [+11.0..+14.0 ms pod-start: guard 0.0, calculate 2.0, apply 1.0 (render 0.0, commit 0.0, "
        + "tighten 0.0), gc 0.0]", t.describe(10_000_000, 24_500_000));
  }

  private static SyncTrace.Sync sync(long start, long end, String causes, long calculate, long apply) {
    return new SyncTrace.Sync(start, end, causes, new SyncTrace.Steps(0, calculate, apply, KernelSync.Steps.NONE, 0));
  }

  @Test
  void onlyTheMostRecentAreKept() {
    SyncTrace t = new SyncTrace();
    for (int i = 0; i < 100; i++) {
      t.add(sync(i, i, "informer", 0, 0));
    }
    assertEquals(64, t.between(0, 1000).size());
    assertEquals(36, t.between(0, 1000).get(0).start());
  }
}
