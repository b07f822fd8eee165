package dev.palisade.controller.persist;

import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.graph.OutsideVertex;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.controller.publish.LastVersionWriter;
import dev.palisade.model.WorkloadRef;
import dev.palisade.model.crd.CrdNames;
import dev.palisade.model.crd.LearnedFlows;
import dev.palisade.model.crd.LearnedFlowsSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the graph's edges, one {@link LearnedFlows} object per source workload, in batches:
 * flow reports only mark a source dirty, and its object is written at most about once per
 * {@code batch} however many reports arrive (a busy source would otherwise cost one API write per
 * report), and the flushes that flow reports cause write at most {@code perBatch} objects each
 * (the oldest dirty first; the rest wait for the next batch): however many sources a hundred
 * agents keep busy, the API server sees at most about {@code perBatch} writes per {@code batch}.
 * A write that fails leaves its source dirty and is retried with back-off; nothing is lost while
 * the process lives. Review decisions do not depend on these writes: the audit log is
 * their record and is replayed at start.
 *
 * <p>Edges into a workload from outside the cluster ({@code world}, an address or a CIDR: ingress
 * through a NodePort or LoadBalancer) have no workload source to be kept under; they are kept per
 * (outside source, destination workload), in the destination's namespace under
 * {@code in-SOURCE-KIND-NAME} ({@link #inboundObjectOf}), with the outside vertex as the object's
 * source, so the restore path reads them as it reads any other object.
 *
 * <p>A source's parts ({@link LearnedFlowsParts}) are written last first, then its objects under
 * names it no longer uses are deleted; no object that holds another source's edges is written over
 * ({@link #adopt}, {@link LearnedFlowsNames}).
 *
 * <p>Not thread-safe: {@link #dirty}, {@link #flushSoon} and {@link #flushNow} run on the
 * controller's loop thread; the timer only hands the flush back to that thread.
 */
public final class LearnedFlowsWriter {
  private static final Logger LOG = LoggerFactory.getLogger(LearnedFlowsWriter.class);

  /** Where objects go (the API server; {@link FakeLearnedFlowsStore}). */
  public interface Store {
    void write(LearnedFlows object);

    /** Deletes the object, if it is there. */
    void delete(String namespace, String name);

    /** The API server's: each write one PUT at the version written last ({@link LastVersionWriter}). */
    static Store of(KubernetesClient client) {
      LastVersionWriter writer = new LastVersionWriter(client);
      return new Store() {
        @Override
        public void write(LearnedFlows object) {
          writer.write(object);
        }

        @Override
        public void delete(String namespace, String name) {
          client.resources(LearnedFlows.class).inNamespace(namespace).withName(name).delete();
        }
      };
    }
  }

  private final FlowGraph graph;
  private final Store store;
  private final Consumer<Runnable> onLoop;
  private final ScheduledExecutorService timer;
  private final Duration batch;
  private final Backoff backoff;
  private final int perBatch;
  /** Workload sources, and outside sources with the workload they enter ({@link #inbound}). */
  private final Set<String> dirty = new LinkedHashSet<>();
  private final LearnedFlowsOwners owners = new LearnedFlowsOwners();
  private boolean scheduled;
  private int failures;
  private long writes;

  /** Objects written per batch from flow reports: with a 1 s batch, at most about 10 API writes/s. */
  public static final int WRITES_PER_BATCH = 10;

  public LearnedFlowsWriter(FlowGraph graph, Store store, Consumer<Runnable> onLoop, ScheduledExecutorService timer,
      Duration batch, Backoff backoff) {
    this(graph, store, onLoop, timer, batch, backoff, WRITES_PER_BATCH);
  }

  /** @param perBatch objects written per batch from flow reports (oldest dirty sources first) */
  public LearnedFlowsWriter(FlowGraph graph, Store store, Consumer<Runnable> onLoop, ScheduledExecutorService timer,
      Duration batch, Backoff backoff, int perBatch) {
    if (perBatch < 1) {
      throw new IllegalArgumentException("perBatch must be positive, not " + perBatch);
    }
    this.perBatch = perBatch;
    this.graph = graph;
    this.store = store;
    this.onLoop = onLoop;
    this.timer = timer;
    this.batch = batch;
    this.backoff = backoff;
  }

  /**
   * The source's edges changed; written at the next flush. An outside source (a review decision
   * on world ingress) marks each of its edges into a workload; {@code host} and {@code unknown}
   * are not kept.
   */
  public void dirty(String source) {
    if (isWorkload(source)) {
      dirty.add(source);
    } else if (OutsideVertex.isOutside(source)) {
      graph.edgesFrom(source).forEach(e -> dirty(source, e.key().destination()));
    }
  }

  /** The edge from {@code source} to {@code destination} changed (a flow report): its object is written at the next flush. */
  public void dirty(String source, String destination) {
    if (isWorkload(source)) {
      dirty.add(source);
    } else if (isWorkload(destination) && OutsideVertex.isOutside(source)) {
      dirty.add(inbound(source, destination));
    }
  }

  /**
   * An object the restore read: its name holds its source's edges, not to be written over by
   * another source. One under a name parts no longer get (KIND-NAME-pN, before) marks its source
   * dirty: the next flush writes the source's parts under their names and deletes it, and frees
   * the name for the workload whose part 1 it is now.
   */
  public void adopt(LearnedFlows stored) {
    owners.stored(stored);
    String source = stored.getSpec() == null ? null : stored.getSpec().source;
    if (source != null && isWorkload(source)) {
      try {
        if (!LearnedFlowsNames.current(stored.getMetadata().getName(), WorkloadRef.parse(source))) {
          dirty(source);
        }
      } catch (IllegalArgumentException e) {
        LOG.warn("LearnedFlows {}/{}: {}", stored.getMetadata().getNamespace(), stored.getMetadata().getName(),
            e.getMessage());
      }
    }
  }

  private static boolean isWorkload(String vertex) {
    return vertex.split("/").length == 3;
  }

  /** The dirty entry of the edges from an outside source into one workload; no vertex name holds " -> ". */
  private static String inbound(String source, String destination) {
    return source + " -> " + destination;
  }

  /** Writes what is dirty within one batch interval (flow reports). */
  public void flushSoon() {
    schedule(batch);
  }

  /**
   * Writes every dirty source now (start, shutdown); a failed one stays dirty and is retried with
   * back-off. True when nothing is left to write.
   */
  public boolean flushNow() {
    return flush(Integer.MAX_VALUE);
  }

  /**
   * Writes these sources now (a review decision's), leaving other dirty sources to the batches;
   * true if they were all written (a failed one stays dirty and is retried).
   */
  public boolean flushNow(java.util.Collection<String> sources) {
    sources.forEach(this::dirty);
    List<String> mine = dirty.stream().filter(d -> sources.contains(d)
        || sources.stream().anyMatch(src -> d.startsWith(src + " -> "))).toList();
    for (String entry : mine) {
      if (!writeOrRetry(entry)) {
        return false;
      }
      dirty.remove(entry);
    }
    if (!dirty.isEmpty()) {
      schedule(batch);
    }
    return true;
  }

  /** Writes dirty sources, oldest first, until {@code limit} objects are written; true when none is left. */
  private boolean flush(int limit) {
    int budget = limit;
    Iterator<String> it = dirty.iterator();
    while (it.hasNext() && budget > 0) {
      String entry = it.next();
      long before = writes;
      if (!writeOrRetry(entry)) {
        return false;
      }
      budget -= (int) (writes - before);
      it.remove();
    }
    failures = 0;
    return dirty.isEmpty();
  }

  /** Writes one dirty entry's object(s); on failure schedules a retry with back-off and says false. */
  private boolean writeOrRetry(String entry) {
    try {
      int arrow = entry.indexOf(" -> ");
      if (arrow > 0) {
        String from = entry.substring(0, arrow);
        String to = entry.substring(arrow + 4);
        LearnedFlows in = inboundObjectOf(from, to, graph.edgesFrom(from).stream()
            .filter(e -> e.key().destination().equals(to)).toList());
        store.write(in);
        owners.stored(in);
        writes++;
      } else {
        writeParts(entry);
      }
      return true;
    } catch (RuntimeException e) {
      failures++;
      Duration wait = backoff.delay(failures);
      LOG.warn("could not save the learned flows of {} ({}); {} source(s) left, retried in {} ms", entry,
          e.getMessage(), dirty.size(), wait.toMillis());
      schedule(wait);
      return false;
    }
  }

  /** Writes a workload's parts, then deletes its objects under names its parts no longer have. */
  private void writeParts(String source) {
    WorkloadRef w = WorkloadRef.parse(source);
    List<LearnedFlows> parts = objectsOf(source, graph.edgesFrom(source));
    for (int k = 0; k < parts.size(); k++) {
      nameFree(parts.get(k), w, k + 1);
    }
    // Last part first. An edge that grows, or one added before others, pushes later edges into
    // later parts, never earlier ones (LearnedFlowsParts); so when a write of part k is cut
    // short (a kill, a failed request), every edge the new parts k+1.. do not hold yet is still
    // in its old part k or an earlier one, not written over yet. First part first would
    // write part k without an edge it hands on to part k+1 before part k+1 holds it. An edge in
    // two parts meanwhile is merged by the restore.
    for (int k = parts.size() - 1; k >= 0; k--) {
      store.write(parts.get(k));
      owners.stored(parts.get(k));
      writes++;
    }
    // Only now: every edge such an object holds was restored into the graph, so is in a part
    // just written. Left, it would be merged at each start with content older than the parts'.
    Set<String> names = new HashSet<>();
    parts.forEach(p -> names.add(p.getMetadata().getName()));
    for (String stale : owners.namesOf(w.namespace(), source)) {
      if (!names.contains(stale)) {
        store.delete(w.namespace(), stale);
        owners.deleted(w.namespace(), stale);
      }
    }
  }

  /**
   * Gives part {@code n} a name no object of another source holds. Names are unambiguous
   * ({@link LearnedFlowsNames}), but an object stored before (a part named as parts were, or one
   * made by hand) may hold another source's edges under it, and writing over it would lose them.
   */
  private void nameFree(LearnedFlows part, WorkloadRef w, int n) {
    String ns = w.namespace();
    String name = part.getMetadata().getName();
    for (int i = 1; !owners.mayWrite(ns, name, part.getSpec().source); i++) {
      String other = LearnedFlowsNames.alternative(w, n, i);
      LOG.warn("LearnedFlows {}/{} holds the edges of {}: not written over; part {} of {} goes to {}", ns, name,
          owners.sourceOf(ns, name), n, w, other);
      name = other;
    }
    part.getMetadata().setName(name);
  }

  /** Sources waiting to be written. */
  public int pending() {
    return dirty.size();
  }

  /** Objects written since start. */
  public long writes() {
    return writes;
  }

  private void schedule(Duration after) {
    if (scheduled) {
      return;
    }
    scheduled = true;
    timer.schedule(() -> onLoop.accept(() -> {
      scheduled = false;
      if (!flush(perBatch) && failures == 0) {
        schedule(batch); // more than one batch's budget was dirty: the rest in the next batches
      }
    }), after.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The objects that hold {@code source}'s edges, each under {@link LearnedFlowsParts#BUDGET_BYTES}
   * of JSON, named by {@link LearnedFlowsNames#part} (the writer takes another name where an
   * object of another source is stored). Every part names its
   * source; the controller merges them at start. Pure.
   */
  public static List<LearnedFlows> objectsOf(String source, List<EdgeView> edges) {
    return LearnedFlowsParts.of(objectOf(source, edges));
  }

  /**
   * The object holding the edges from an outside vertex into one workload: in the workload's
   * namespace, named {@code in-SOURCE-KIND-NAME} (the source's dots and slash as dashes: one
   * object per pair, found again after a restart), {@code source} the outside vertex. Pure.
   */
  public static LearnedFlows inboundObjectOf(String source, String destination, List<EdgeView> edges) {
    WorkloadRef w = WorkloadRef.parse(destination);
    LearnedFlows lf = objectOf(source, w, edges);
    String name = "in-" + source.replaceAll("[./]", "-") + "-" + CrdNames.objectName(w);
    if (name.length() > 253) {
      String hash = Integer.toHexString((source + " " + destination).hashCode());
      name = name.substring(0, 253 - hash.length() - 1) + "-" + hash;
    }
    lf.getMetadata().setName(name);
    return lf;
  }

  /** One object holding these edges of {@code source}. Pure. */
  static LearnedFlows objectOf(String source, List<EdgeView> edges) {
    return objectOf(source, WorkloadRef.parse(source), edges);
  }

  /** One object holding these edges of {@code source}, named for and kept with {@code w}. */
  private static LearnedFlows objectOf(String source, WorkloadRef w, List<EdgeView> edges) {
    LearnedFlowsSpec spec = new LearnedFlowsSpec();
    spec.source = source;
    spec.edges = new ArrayList<>();
    for (EdgeView v : edges) {
      LearnedFlowsSpec.Edge e = new LearnedFlowsSpec.Edge();
      e.destination = v.key().destination();
      e.port = v.key().port();
      e.protocol = v.key().protocol().name();
      e.status = v.status().name().toLowerCase(Locale.ROOT);
      e.count = v.count();
      e.firstSeen = v.firstSeen();
      e.lastSeen = v.lastSeen();
      e.violations = v.violations();
      e.sourcePods = v.sourcePods();
      e.destinationPods = v.destinationPods();
      spec.edges.add(e);
    }
    LearnedFlows lf = new LearnedFlows();
    lf.setMetadata(new ObjectMetaBuilder().withNamespace(w.namespace()).withName(CrdNames.objectName(w)).build());
    lf.setSpec(spec);
    return lf;
  }
}
