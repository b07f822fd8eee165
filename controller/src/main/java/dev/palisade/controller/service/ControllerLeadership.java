package dev.palisade.controller.service;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One controller writes at a time: replicas compete for the Lease {@value #LEASE} in their namespace
 * (fabric8's {@link LeaderElector}, identity = pod name). The winner creates and starts a
 * {@link PalisadeController}; the others create nothing, so they write nothing. A leader that
 * cannot renew within the renew deadline closes its controller before the lease can expire, so
 * the next leader never overlaps with it.
 *
 * <p>fabric8's elector does not compete again after losing the lease: {@link #lost()} completes
 * then, and {@code palisade controller} exits so that Kubernetes restarts it as a fresh candidate.
 */
public final class ControllerLeadership implements AutoCloseable {
  public static final String LEASE = "palisade-controller";
  private static final Logger LOG = LoggerFactory.getLogger(ControllerLeadership.class);

  /** Lease timing; client-go's defaults are 15s / 10s / 2s. renewDeadline must be below lease. */
  public record Timing(Duration lease, Duration renewDeadline, Duration retry) {
    public static final Timing DEFAULT = new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10),
        Duration.ofSeconds(2));

    public Timing {
      if (renewDeadline.compareTo(lease) >= 0 || retry.compareTo(renewDeadline) >= 0) {
        throw new IllegalArgumentException("need retry < renewDeadline < lease, not " + retry + ", " + renewDeadline
            + ", " + lease);
      }
    }
  }

  private final String identity;
  private final Supplier<PalisadeController> create;
  private final Consumer<PalisadeController> start;
  private final LeaderElector elector;
  /** Starts controllers off the elector's thread: a sync can outlast the lease it must renew. */
  private final ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "palisade-leadership");
    t.setDaemon(true);
    return t;
  });
  private final CompletableFuture<Void> lost = new CompletableFuture<>();
  private volatile CompletableFuture<?> running;
  /** The controller of the current term, from creation (before its sync) until leadership ends. */
  private PalisadeController current;
  private volatile boolean serving;
  private volatile String leader;

  /**
   * @param create builds a controller, not yet started
   * @param start starts it (e.g. {@code c -> c.start(host, port, syncTimeout)}); runs on its own thread
   */
  public ControllerLeadership(KubernetesClient client, String namespace, String identity, Timing timing,
      Supplier<PalisadeController> create, Consumer<PalisadeController> start) {
    if (identity == null || identity.isBlank()) {
      throw new IllegalArgumentException("leader election needs an identity (POD_NAME)");
    }
    this.identity = identity;
    this.create = create;
    this.start = start;
    this.elector = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
        .withName(LEASE)
        .withLock(new LeaseLock(namespace, LEASE, identity))
        .withLeaseDuration(timing.lease())
        .withRenewDeadline(timing.renewDeadline())
        .withRetryPeriod(timing.retry())
        // release on close() only: a crash must not look like a graceful hand-over
        .withReleaseOnCancel(false)
        .withLeaderCallbacks(new LeaderCallbacks(this::startLeading, this::stopLeading, this::newLeader))
        .build()).build();
  }

  /** Starts competing for the lease. */
  public synchronized ControllerLeadership start() {
    if (running != null) {
      throw new IllegalStateException("already started");
    }
    LOG.info("{} competing for Lease {}", identity, LEASE);
    running = elector.start();
    running.whenComplete((v, t) -> {
      stopLeading();
      lost.complete(null);
    });
    return this;
  }

  /**
   * Runs on the elector's thread inside its own lock: takes this object's lock only briefly and
   * never calls into the elector while holding it.
   */
  private void startLeading() {
    PalisadeController c;
    synchronized (this) {
      if (current != null) {
        return;
      }
      LOG.info("{} leads: starting the controller", identity);
      c = create.get();
      current = c;
    }
    starter.execute(() -> {
      try {
        start.accept(c);
      } catch (RuntimeException e) {
        // closed by stopLeading while syncing, or the sync failed: either way this term writes no more
        LOG.warn("controller of {} did not start: {}", identity, e.toString());
        abandonTerm(c);
        return;
      }
      synchronized (this) {
        if (current == c) {
          serving = true;
          return;
        }
      }
      c.close(); // leadership ended while it was starting: close what start() opened since
    });
  }

  /** Idempotent: fabric8 may report the end of a term more than once. */
  private void stopLeading() {
    PalisadeController c;
    synchronized (this) {
      c = current;
      current = null;
      serving = false;
    }
    if (c != null) {
      LOG.warn("{} no longer leads: stopping the controller", identity);
      c.close();
    }
  }

  private void abandonTerm(PalisadeController c) {
    synchronized (this) {
      if (current != c) {
        return;
      }
    }
    stopLeading();
    close(); // give the lease back so a healthy replica can lead; lost() completes
  }

  private void newLeader(String who) {
    leader = who;
    LOG.info("Lease {} held by {}", LEASE, who);
  }

  /** Leading, with a controller that has synced and serves: what /healthz/ready reports. */
  public boolean ready() {
    return serving;
  }

  /** The holder last seen on the lease, or null. */
  public String leader() {
    return leader;
  }

  /** Completes when this replica stops competing: lease lost, abandoned, or closed. */
  public CompletableFuture<Void> lost() {
    return lost;
  }

  /**
   * What a crash leaves: the elector and controller stop, the lease still names this replica until
   * it expires. Tests use it; a real crash needs no method.
   */
  public void abandon() {
    // not synchronized: cancelling runs the elector's stopLeading, which takes the elector's lock
    CompletableFuture<?> running = this.running;
    if (running != null) {
      running.cancel(true);
    }
    stopLeading();
    starter.shutdownNow();
  }

  /** Stops writing first, then gives the lease back so the next replica need not wait for it to expire. */
  @Override
  public void close() {
    abandon();
    try {
      if (elector.release()) {
        LOG.info("{} released Lease {}", identity, LEASE);
      }
    } catch (RuntimeException e) {
      LOG.warn("could not release Lease {}: {}", LEASE, e.getMessage());
    }
    lost.complete(null);
  }
}
