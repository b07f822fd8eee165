package dev.palisade.controller.publish;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps the objects of one kind the controller publishes as it last wrote them, so that a deleted
 * or edited allow-list never opens a pod for long: the agents enforce what the objects say.
 *
 * <pre>
 *  put(object) -----> wanted[key] -> write now, on the caller's thread (putAll: several writes in flight)
 *                                      '-> failed: again after the back-off (100 ms .. 5 s), until it holds
 *  informer event --> judge: a version we wrote / the wanted content / someone else's change
 *                                      '-> deleted or edited: WARN, count, report, write wanted again
 * </pre>
 *
 * <p>Judged by content, not by event: the controller's own writes come back as events too, and are
 * known by the resourceVersions its writes returned (older ones included: an event for a version
 * it has since replaced is late, not tampering); an object with the wanted content is fine
 * whoever wrote it. The first repair of an object is immediate; repairs that follow each other
 * closely wait by the back-off, so two writers that disagree (say a second controller) do not spin.
 *
 * <p>Thread contract: every method may be called from any thread. Writes and judgements take one
 * lock, so an event is never judged between a write and the recording of the version it made.
 * Retries and repairs run on the reconciler's own thread. {@code onTamper} is called under that
 * lock and must only hand the report on (the controller queues its audit entry).
 */
public final class ObjectReconciler<T extends HasMetadata> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ObjectReconciler.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** Versions per object recognised as the controller's own: more than can be in flight at once. */
  private static final int OWN_VERSIONS = 16;
  /** Writes of one {@link #putAll} in flight at once. */
  private static final int WRITERS = 4;

  private final KubernetesClient client;
  private final OwnedKind<T> kind;
  private final Backoff backoff;
  private final Consumer<Tamper> onTamper;
  private final Object lock = new Object();
  // all guarded by lock; keys are NAMESPACE/NAME
  private final Map<String, T> wanted = new HashMap<>();
  private final Map<String, Deque<String>> ownVersions = new HashMap<>();
  private final Map<String, Retry> retries = new HashMap<>();
  private final Map<String, Streak> streaks = new HashMap<>();
  private final ScheduledExecutorService worker;
  /** The HTTP calls of {@link #putAll}, several in flight (their caller holds the lock). */
  private final ExecutorService writers;
  private final AtomicLong repairs = new AtomicLong();
  private final AtomicLong failedWrites = new AtomicLong();

  /** A write that failed {@code failures} times in a row and its next try. */
  private record Retry(int failures, ScheduledFuture<?> next) {}

  /** Repairs of one object in a row, each within the back-off's maximum of the one before. */
  private record Streak(int count, long lastNanos) {}

  public ObjectReconciler(KubernetesClient client, OwnedKind<T> kind, Backoff backoff, Consumer<Tamper> onTamper) {
    this.client = client;
    this.kind = kind;
    this.backoff = backoff;
    this.onTamper = onTamper;
    this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "palisade-reconcile-" + kind.name());
      t.setDaemon(true);
      return t;
    });
    this.writers = Executors.newFixedThreadPool(WRITERS, r -> {
      Thread t = new Thread(r, "palisade-publish-" + kind.name());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Takes {@code existing}, read back at start, as what an earlier run of the controller wrote:
   * its version is the controller's own and, until {@link #put} says otherwise, it is wanted.
   */
  public void adopt(T existing) {
    synchronized (lock) {
      String key = Tamper.keyOf(existing);
      remember(key, existing.getMetadata().getResourceVersion());
      wanted.putIfAbsent(key, forWriting(existing));
    }
  }

  /**
   * Wants {@code object} to exist as given from now on, and writes it (create, or update when it
   * exists). A write that fails is logged and tried again with back-off on the reconciler's
   * thread until it holds or another {@code put} replaces it.
   *
   * @return whether this first write landed
   */
  public boolean put(T object) {
    synchronized (lock) {
      String key = Tamper.keyOf(object);
      wanted.put(key, forWriting(object));
      return write(key);
    }
  }

  /**
   * {@link #put} of several objects, their first writes in flight together: agents enforce a
   * revision once all its lists have landed, so one round trip for them all, not one each. The lock
   * is held throughout; the writers only make the HTTP calls.
   *
   * @return how many of the first writes landed (the others are retried as after {@link #put})
   */
  public int putAll(List<T> objects) {
    synchronized (lock) {
      List<Attempt<T>> attempts = new ArrayList<>(objects.size());
      for (T o : objects) {
        String key = Tamper.keyOf(o);
        wanted.put(key, forWriting(o));
        Attempt<T> a = prepare(key);
        if (a != null) {
          attempts.add(a);
        }
      }
      if (attempts.size() == 1) {
        return finish(call(attempts.get(0))) ? 1 : 0;
      }
      List<Future<Attempt<T>>> calls = new ArrayList<>(attempts.size());
      attempts.forEach(a -> calls.add(writers.submit(() -> call(a))));
      int landed = 0;
      for (Future<Attempt<T>> f : calls) {
        try {
          landed += finish(f.get()) ? 1 : 0;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while publishing " + kind.name(), e);
        } catch (ExecutionException e) {
          throw new IllegalStateException(e.getCause()); // call() catches what a write throws
        }
      }
      return landed;
    }
  }

  /** The informer events of the kind's objects: what {@link ObjectReconciler} judges. */
  public ResourceEventHandler<T> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T o) {
        observed(o);
      }

      @Override
      public void onUpdate(T old, T o) {
        observed(o);
      }

      @Override
      public void onDelete(T o, boolean finalStateUnknown) {
        removed(o);
      }
    };
  }

  private void observed(T o) {
    synchronized (lock) {
      String key = Tamper.keyOf(o);
      T want = wanted.get(key);
      if (want == null || ownVersions.getOrDefault(key, new ArrayDeque<>()).contains(
          o.getMetadata().getResourceVersion()) || sameContent(want, o)) {
        return;
      }
      repair(key, Tamper.edited(kind.name(), kind.part(), o));
    }
  }

  private void removed(T o) {
    synchronized (lock) {
      String key = Tamper.keyOf(o);
      // the controller never deletes what it publishes: any deletion of a wanted object is someone else's
      if (wanted.containsKey(key)) {
        repair(key, Tamper.deleted(kind.name(), o));
      }
    }
  }

  private void repair(String key, Tamper t) {
    long n = repairs.incrementAndGet();
    LOG.warn("{} {} was {}: writing back what the controller published (repair #{})", t.kind(), t.object(),
        t.what(), n);
    onTamper.accept(t);
    if (retries.containsKey(key) || worker.isShutdown()) {
      return; // a write is already due and writes what is wanted now (or the controller is stopping)
    }
    long now = System.nanoTime();
    Streak s = streaks.get(key);
    int inARow = s != null && now - s.lastNanos() < backoff.max().toNanos() ? s.count() + 1 : 0;
    streaks.put(key, new Streak(inARow, now));
    Duration wait = inARow == 0 ? Duration.ZERO : backoff.delay(inARow);
    retries.put(key, new Retry(0, worker.schedule(() -> retry(key), wait.toNanos(), TimeUnit.NANOSECONDS)));
  }

  private void retry(String key) {
    try {
      synchronized (lock) {
        write(key);
      }
    } catch (RuntimeException e) {
      LOG.error("{} {}: retry failed unexpectedly", kind.name(), key, e);
    }
  }

  /** One try at writing what is wanted for {@code key}; on failure the next try is scheduled. Lock held. */
  private boolean write(String key) {
    Attempt<T> a = prepare(key);
    return a != null && finish(call(a));
  }

  /** A try at one object: what it writes at which version of ours, then what came of it. */
  private static final class Attempt<T> {
    final String key;
    final T want;
    final String ownVersion;
    final Retry pending;
    T written;
    RuntimeException failure;

    Attempt(String key, T want, String ownVersion, Retry pending) {
      this.key = key;
      this.want = want;
      this.ownVersion = ownVersion;
      this.pending = pending;
    }
  }

  /** Lock held: the wanted object and our last version; a scheduled retry is replaced by this try. */
  private Attempt<T> prepare(String key) {
    T want = wanted.get(key);
    Retry pending = retries.remove(key);
    if (pending != null) {
      pending.next().cancel(false); // this try replaces it (it may be the one running now)
    }
    if (want == null) {
      return null;
    }
    Deque<String> own = ownVersions.get(key);
    return new Attempt<>(key, want, own == null ? null : own.peekLast(), pending);
  }

  /** The HTTP call alone (any thread): one PUT at the version written last, else create-or-update. */
  private Attempt<T> call(Attempt<T> a) {
    try {
      a.written = LastVersionWriter.write(client, kind.type(), a.want, a.ownVersion);
    } catch (RuntimeException e) {
      a.failure = e;
    }
    return a;
  }

  /** Lock held: the version a landed write made is ours; a failed one is tried again after the back-off. */
  private boolean finish(Attempt<T> a) {
    String key = a.key;
    Retry pending = a.pending;
    if (a.failure == null) {
      remember(key, a.written.getMetadata().getResourceVersion());
      if (pending != null && pending.failures() > 0) {
        LOG.info("{} {} written after {} failed tr{}", kind.name(), key, pending.failures(),
            pending.failures() == 1 ? "y" : "ies");
      }
      return true;
    }
    failedWrites.incrementAndGet();
    int failures = pending == null ? 1 : pending.failures() + 1;
    Duration wait = backoff.delay(failures);
    LOG.warn("writing {} {} failed (try {}), trying again in {} ms: {}", kind.name(), key, failures,
        wait.toMillis(), a.failure.getMessage());
    if (!worker.isShutdown()) {
      retries.put(key, new Retry(failures, worker.schedule(() -> retry(key), wait.toNanos(),
          TimeUnit.NANOSECONDS)));
    }
    return false;
  }

  private void remember(String key, String resourceVersion) {
    if (resourceVersion == null) {
      return;
    }
    Deque<String> versions = ownVersions.computeIfAbsent(key, k -> new ArrayDeque<>());
    versions.addLast(resourceVersion);
    while (versions.size() > OWN_VERSIONS) {
      versions.removeFirst();
    }
  }

  private boolean sameContent(T a, T b) {
    return JSON.valueToTree(kind.content().apply(a)).equals(JSON.valueToTree(kind.content().apply(b)));
  }

  /**
   * A copy with only the metadata the controller decides: a read-back object's resourceVersion or
   * uid would make the update conflict with a newer or recreated object.
   */
  private T forWriting(T o) {
    T c = client.getKubernetesSerialization().clone(o);
    c.setMetadata(new ObjectMetaBuilder().withNamespace(o.getMetadata().getNamespace())
        .withName(o.getMetadata().getName()).withLabels(o.getMetadata().getLabels())
        .withAnnotations(o.getMetadata().getAnnotations()).build());
    return c;
  }

  /** Deletions and edits by others that were written back, since start (a counter for metrics). */
  public long repairs() {
    return repairs.get();
  }

  /** Writes that failed (API errors) and were scheduled again, since start. */
  public long failedWrites() {
    return failedWrites.get();
  }

  /** Objects whose wanted state is not yet written: a failed write or a repair is due. */
  public int pending() {
    synchronized (lock) {
      return retries.size();
    }
  }

  @Override
  public void close() {
    writers.shutdownNow();
    worker.shutdownNow();
  }
}
