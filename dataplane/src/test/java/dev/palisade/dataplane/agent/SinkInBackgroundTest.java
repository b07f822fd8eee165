package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SinkInBackgroundTest {
  @Test
  void aSyncNeverWaitsForTheApiServerToTakeAnEvent() throws Exception {
    CountDownLatch apiServerAnswers = new CountDownLatch(1);
    List<String> told = new CopyOnWriteArrayList<>();
    try (SinkInBackground sink = new SinkInBackground("node-1", p -> {
      await(apiServerAnswers);
      told.add(p.name());
    })) {
      ObjectProblems problems = new ObjectProblems("node-1", sink);
      // the API server hangs: the sync's call returns at once all the same, every problem logged
      problems.latest(List.of(new ObjectProblems.Problem("Pod", "shop", "a", "bad"),
          new ObjectProblems.Problem("Pod", "shop", "b", "bad")));
      assertEquals(2, problems.reported());
      assertEquals(List.of(), told);
      apiServerAnswers.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (told.size() < 2) {
        assertTrue(System.nanoTime() < deadline, "told " + told);
        Thread.sleep(5);
      }
      assertEquals(List.of("a", "b"), told);
    }
  }

  @Test
  void pastItsQueueTheNewestAreDroppedAndCountedNeverWaitedFor() {
    CountDownLatch never = new CountDownLatch(1);
    try (SinkInBackground sink = new SinkInBackground("node-1", p -> await(never))) {
      int n = SinkInBackground.QUEUED + 10;
      for (int i = 0; i < n; i++) {
        sink.warn(new ObjectProblems.Problem("Pod", "shop", "p" + i, "bad"));
      }
      // one being told (hung), QUEUED waiting, the rest dropped
      assertEquals(n - 1 - SinkInBackground.QUEUED, sink.dropped());
    } finally {
      never.countDown();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
