package dev.palisade.dataplane.agent;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the agent's sync on one thread of its own, at bounded frequency, like kube-proxy's
 * BoundedFrequencyRunner: a request coalesces with any pending one; two runs are at least
 * {@code minInterval} apart; a failed run is retried after a back-off that doubles up to
 * {@code maxBackoff}; and a run happens at least every {@code fullEvery} (the periodic full
 * resync that catches whatever an event missed).
 *
 * <p>Requests are numbered: {@link #completed()} is the number of the newest request a successful
 * run started after, so a caller can wait until "everything I asked for so far" is in the kernel.
 */
final class SyncRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SyncRunner.class);

  private final String name;
  private final BooleanSupplier sync;
  private final long minIntervalNanos;
  private final long maxBackoffNanos;
  private final long fullEveryNanos;
  private final ScheduledExecutorService thread;
  private final AtomicLong requested = new AtomicLong();
  private volatile long completed;
  private boolean scheduled;
  private long lastRunEnd = Long.MIN_VALUE / 2;
  private long lastSuccess = System.nanoTime();
  private long backoffNanos;
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean started;

  /** @param sync one run: true if it succeeded (it must not throw; a throw counts as a failure) */
  SyncRunner(String name, BooleanSupplier sync, Duration minInterval, Duration maxBackoff, Duration fullEvery) {
    this.name = name;
    this.sync = sync;
    this.minIntervalNanos = minInterval.toNanos();
    this.maxBackoffNanos = maxBackoff.toNanos();
    this.fullEveryNanos = fullEvery.toNanos();
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sync-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts running: requests made before are served now, and the periodic resync begins. */
  void start() {
    started = true;
    thread.scheduleWithFixedDelay(this::periodic, fullEveryNanos, fullEveryNanos, TimeUnit.NANOSECONDS);
    request();
  }

  /** Asks for a run; returns the request's number. */
  long request() {
    long n = requested.incrementAndGet();
    if (started) {
      thread.execute(this::scheduleRun);
    }
    return n;
  }

  /** The newest request number whose run has completed successfully. */
  long completed() {
    return completed;
  }

  /** True when every request made so far has been served by a successful run. */
  boolean idle() {
    return completed == requested.get();
  }

  long failures() {
    return failures.get();
  }

  private void periodic() {
    if (System.nanoTime() - lastSuccess >= fullEveryNanos) {
      request();
    }
  }

  /** On the runner's thread: run now, or once the minimum interval (or back-off) has passed. */
  private void scheduleRun() {
    if (scheduled) {
      return;
    }
    scheduled = true;
    long wait = lastRunEnd + Math.max(minIntervalNanos, backoffNanos) - System.nanoTime();
    if (wait <= 0) {
      run();
    } else {
      thread.schedule(this::run, wait, TimeUnit.NANOSECONDS);
    }
  }

  private void run() {
    scheduled = false;
    long serving = requested.get();
    if (serving == completed) {
      return;
    }
    boolean ok;
    try {
      ok = sync.getAsBoolean();
    } catch (RuntimeException e) {
      LOG.error("{}: sync threw", name, e);
      ok = false;
    }
    lastRunEnd = System.nanoTime();
    if (ok) {
      completed = serving;
      lastSuccess = lastRunEnd;
      backoffNanos = 0;
      if (requested.get() != serving) {
        scheduleRun();
      }
    } else {
      failures.incrementAndGet();
      backoffNanos = backoffNanos == 0 ? Math.max(minIntervalNanos, 50_000_000L) : Math.min(2 * backoffNanos,
          maxBackoffNanos);
      scheduleRun();
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
