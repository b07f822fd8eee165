package dev.palisade.lab.kube;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys to reconcile, worked off one at a time by a single thread, so that no two controllers ever
 * race on the same objects. A key queued while already waiting is queued once. A key whose
 * reconcile failed is retried with a backoff (100 ms doubling to 2 s).
 */
final class WorkQueue<K> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkQueue.class);

  private final Consumer<K> reconcile;
  private final LinkedHashSet<K> pending = new LinkedHashSet<>();
  private final Map<K, Integer> attempts = new HashMap<>();
  private final AtomicLong failures = new AtomicLong();
  private final ScheduledExecutorService retries;
  private final Thread worker;
  private boolean busy;
  private boolean closed;
  private volatile String lastFailure = "";

  WorkQueue(String name, Consumer<K> reconcile) {
    this.reconcile = reconcile;
    this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name + "-retry");
      t.setDaemon(true);
      return t;
    });
    this.worker = new Thread(this::work, name);
    this.worker.setDaemon(true);
  }

  void start() {
    worker.start();
  }

  synchronized void add(K key) {
    if (!closed && pending.add(key)) {
      notifyAll();
    }
  }

  synchronized void addAll(Collection<K> keys) {
    keys.forEach(this::add);
  }

  /** Queues the key once the delay has passed (a CronJob's next scheduled time). */
  void addAfter(K key, Duration delay) {
    retries.schedule(() -> add(key), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
  }

  long failures() {
    return failures.get();
  }

  String lastFailure() {
    return lastFailure;
  }

  /** Waits until no key is queued and none is being reconciled (retries scheduled later do not count). */
  synchronized void awaitDrained(long deadlineNanos) throws TimeoutException, InterruptedException {
    while (!pending.isEmpty() || busy) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException(pending.size() + " keys queued" + (busy ? ", one reconciling" : ""));
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  private void work() {
    while (true) {
      K key;
      synchronized (this) {
        while (pending.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (closed) {
          return;
        }
        Iterator<K> it = pending.iterator();
        key = it.next();
        it.remove();
        busy = true;
      }
      try {
        reconcile.accept(key);
        synchronized (this) {
          attempts.remove(key);
        }
      } catch (RuntimeException e) {
        failed(key, e);
      } finally {
        synchronized (this) {
          busy = false;
          notifyAll();
        }
      }
    }
  }

  private void failed(K key, RuntimeException e) {
    failures.incrementAndGet();
    lastFailure = key + ": " + e;
    int attempt;
    synchronized (this) {
      if (closed) {
        return;
      }
      attempt = attempts.merge(key, 1, Integer::sum);
    }
    long delay = Math.min(2000, 100L << Math.min(attempt - 1, 5));
    log.debug("reconcile {} failed (attempt {}), retrying in {} ms", key, attempt, delay, e);
    if (attempt == 5) {
      log.warn("reconcile {} keeps failing: {}", key, e.toString());
    }
    retries.schedule(() -> add(key), delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      pending.clear();
      notifyAll();
    }
    retries.shutdownNow();
    if (Thread.currentThread() != worker) {
      try {
        worker.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
