package dev.palisade.controller.events;

import dev.palisade.controller.publish.Backoff;
import dev.palisade.model.DropEvent;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@link PolicyReports} to the API server, coalesced: a drop only marks its namespaces
 * dirty, and a tick (every {@value #TICK_MILLIS} ms on this class's own thread) writes each dirty
 * namespace's whole report, at most once per {@code interval} per namespace however many drops
 * arrive (10,000 drops in one namespace in 10 s cost 1 + 10 s / interval writes). A write that
 * fails leaves its namespace dirty and is tried again after {@link Backoff}'s delay; nothing is
 * lost while the process lives (a restart starts the reports afresh).
 *
 * <p>{@link #observe} is called on the controller's loop; it and {@link #tick} share one lock, the
 * API write runs outside it, so the loop never waits for the API server.
 */
public final class PolicyReportWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyReportWriter.class);
  static final long TICK_MILLIS = 500;
  /** At most one write per namespace per this. */
  public static final Duration INTERVAL = Duration.ofSeconds(5);
  public static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
      .withGroup("wgpolicyk8s.io").withVersion("v1alpha2").withKind(PolicyReports.KIND)
      .withPlural(PolicyReports.PLURAL).withNamespaced(true).build();

  /** Where reports go: the API server, or a fake in tests. */
  public interface Store {
    /** Create the report, or replace it when it exists. */
    void write(GenericKubernetesResource report);
  }

  private final PolicyReports reports;
  private final Store store;
  private final LongSupplier clock;
  private final long intervalMillis;
  private final Backoff backoff;
  private final ScheduledExecutorService thread;
  private final Set<String> dirty = new LinkedHashSet<>();
  /** namespace -> earliest time of its next write. */
  private final Map<String, Long> notBefore = new HashMap<>();
  private final Map<String, Integer> failures = new HashMap<>();
  private long writes;

  /** Reports written with {@code client} (verbs create, get, update on policyreports), on its own thread. */
  public PolicyReportWriter(KubernetesClient client) {
    this(new PolicyReports(), kubeStore(client), System::currentTimeMillis, INTERVAL, Backoff.DEFAULT, true);
  }

  PolicyReportWriter(PolicyReports reports, Store store, LongSupplier clock, Duration interval, Backoff backoff,
      boolean ownThread) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive: " + interval);
    }
    this.reports = reports;
    this.store = store;
    this.clock = clock;
    this.intervalMillis = interval.toMillis();
    this.backoff = backoff;
    if (ownThread) {
      thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "palisade-policy-reports");
        t.setDaemon(true);
        return t;
      });
      thread.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    } else {
      thread = null;
    }
  }

  /** The store that creates the report, or on a conflict reads the current one and replaces it. */
  static Store kubeStore(KubernetesClient client) {
    return r -> client.genericKubernetesResources(CONTEXT).inNamespace(r.getMetadata().getNamespace()).resource(r)
        .createOr(NonDeletingOperation::update);
  }

  /** One reported drop (see {@link DropEvents#observe}): its namespaces' reports are written at a next tick. */
  public void observe(DropEvent d, String src, String dst, boolean rejected) {
    long now = clock.getAsLong();
    synchronized (this) {
      dirty.addAll(reports.observe(d, src, dst, rejected, now));
    }
  }

  /** Writes every dirty namespace whose interval (or back-off) is over; returns the namespaces written. */
  public List<String> tick() {
    long now = clock.getAsLong();
    Map<String, GenericKubernetesResource> due = new HashMap<>();
    synchronized (this) {
      for (String ns : dirty) {
        if (now >= notBefore.getOrDefault(ns, Long.MIN_VALUE)) {
          due.put(ns, reports.report(ns));
        }
      }
      dirty.removeAll(due.keySet());
    }
    List<String> written = new java.util.ArrayList<>();
    for (Map.Entry<String, GenericKubernetesResource> e : due.entrySet()) {
      String ns = e.getKey();
      try {
        store.write(e.getValue());
        synchronized (this) {
          failures.remove(ns);
          notBefore.put(ns, now + intervalMillis);
          writes++;
        }
        written.add(ns);
      } catch (RuntimeException ex) {
        synchronized (this) {
          int n = failures.merge(ns, 1, Integer::sum);
          Duration wait = backoff.delay(n);
          notBefore.put(ns, now + wait.toMillis());
          dirty.add(ns);
          LOG.warn("could not write PolicyReport {}/{} ({}); retried in {} ms", ns, PolicyReports.NAME,
              ex.getMessage(), wait.toMillis());
        }
      }
    }
    return written;
  }

  /** Reports written since start. */
  public synchronized long writes() {
    return writes;
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.shutdownNow();
    }
  }
}
