package dev.palisade.dataplane.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SyncRunnerTest {
  private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!c.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "condition not reached");
      Thread.sleep(5);
    }
  }

  @Test
  void nothingRunsBeforeStartAndEarlierRequestsAreServedThen() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    try (SyncRunner r = new SyncRunner("t", () -> runs.incrementAndGet() > 0, Duration.ofMillis(1),
        Duration.ofSeconds(1), Duration.ofHours(1))) {
      long ticket = r.request();
      r.request();
      Thread.sleep(50);
      assertEquals(0, runs.get(), "informers not synced yet: no sync may run");
      r.start();
      await(() -> r.completed() >= ticket + 1);
      assertTrue(r.idle());
    }
  }

  @Test
  void requestsDuringARunCoalesceIntoOneMore() throws Exception {
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    try (SyncRunner r = new SyncRunner("t", () -> {
      if (runs.incrementAndGet() == 1) {
        inFirst.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return true;
    }, Duration.ofMillis(1), Duration.ofSeconds(1), Duration.ofHours(1))) {
      r.start();
      inFirst.await();
      long last = 0;
      for (int i = 0; i < 100; i++) {
        last = r.request();
      }
      release.countDown();
      long wanted = last;
      await(() -> r.completed() == wanted);
      assertEquals(2, runs.get(), "100 requests made during one run are served by one more run");
    }
  }

  @Test
  void aFailedRunIsRetriedUntilItSucceedsAndOnlyThenCountsAsDone() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    try (SyncRunner r = new SyncRunner("t", () -> runs.incrementAndGet() >= 4, Duration.ofMillis(1),
        Duration.ofMillis(20), Duration.ofHours(1))) {
      r.start();
      long ticket = r.request();
      Thread.sleep(1);
      await(() -> r.completed() >= ticket);
      assertEquals(4, runs.get());
      assertEquals(3, r.failures());
    }
  }

  @Test
  void aThrowingSyncIsAFailureNotADeadThread() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    try (SyncRunner r = new SyncRunner("t", () -> {
      if (runs.incrementAndGet() == 1) {
        throw new IllegalStateException("boom");
      }
      return true;
    }, Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofHours(1))) {
      r.start();
      await(r::idle);
      assertEquals(2, runs.get());
      assertFalse(r.failures() == 0);
    }
  }
}
