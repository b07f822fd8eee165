package dev.palisade.controller.persist;

import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.graph.OutsideVertex;
import dev.palisade.controller.publish.Backoff;
import dev.palisade.model.WorkloadRef;
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
 * {@code in-SOURCE-KIND-NAME} ({@link #inboundObjectsOf}), with the outside vertex as the object's
 * source, so the restore path reads them as it reads any other object.
 *
 * <p>Either holder's edges ({@link LearnedFlowsHolder}: a workload's own, or an outside source's
 * into one) are cut into parts by their bytes ({@link LearnedFlowsParts}: a workload that very many
 * outside peers reach on many ports grows its inbound object as a busy source grows its own), the
 * parts written last first, then the holder's objects under names it no longer uses deleted. No
 * object that is not the holder's is written over or deleted: not one the restore listed
 * ({@link #adopt}, {@link LearnedFlowsNames}), nor one anyone made since, which the store finds
 * ({@link Store#write}): the part takes another name.
 *
 * <p>Not thread-safe: {@link #dirty}, {@link #flushSoon} and {@link #flushNow} run on the
 * controller's loop thread; the timer only hands the flush back to that thread.
 */
public final class LearnedFlowsWriter {
  private static final Logger LOG = LoggerFactory.getLogger(LearnedFlowsWriter.class);

  /**
   * Where objects go (the API server; {@link FakeLearnedFlowsStore}). It, not the writer's memory,
   * has the last word on whose an object is: one made by anyone after the restore listed the
   * objects is there too. An object's holder is what it holds ({@link LearnedFlowsHolder#of}).
   */
  public interface Store {
    /**
     * Writes {@code object} under its name unless an object there is not of its holder (another
     * source's, or one that names none): that one is left as it is.
     *
     * @return whether it was written (false: an object not of its holder is there)
     */
    boolean write(LearnedFlows object);

    /**
     * Deletes the object, if it is there and of {@code holder} ({@link LearnedFlowsHolder#text});
     * another's is left.
     */
    void delete(String namespace, String name, String holder);

    /** An object the restore listed (a store may write it next at the version listed). */
    default void listed(LearnedFlows stored) {}

    /**
     * The API server's: each write one PUT at the version of an object of the holder's it knows,
     * never one over another's ({@link ApiLearnedFlowsStore}).
     */
    static Store of(KubernetesClient client) {
      return new ApiLearnedFlowsStore(client);
    }
  }

  private final FlowGraph graph;
  private final Store store;
  private final Consumer<Runnable> onLoop;
  private final ScheduledExecutorService timer;
  private final Duration batch;
  private final Backoff backoff;
  private final int perBatch;
  /** The holders whose edges changed ({@link LearnedFlowsHolder#text}): workload sources, and outside sources with the workload they enter. */
  private final Set<String> dirty = new LinkedHashSet<>();
  private final LearnedFlowsOwners owners = new LearnedFlowsOwners();
  private boolean scheduled;
  private int failures;
  private long writes;

  /** Names found holding others' objects, one after another, before a part's write gives up (retried later). */
  private static final int MAX_REFUSED = 16;

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
    if (LearnedFlowsHolder.isWorkload(source)) {
      dirty.add(source);
    } else if (OutsideVertex.isOutside(source)) {
      graph.edgesFrom(source).forEach(e -> dirty(source, e.key().destination()));
    }
  }

  /** The edge from {@code source} to {@code destination} changed (a flow report): its object is written at the next flush. */
  public void dirty(String source, String destination) {
    if (LearnedFlowsHolder.isWorkload(source)) {
      dirty.add(source);
    } else if (LearnedFlowsHolder.isWorkload(destination) && OutsideVertex.isOutside(source)) {
      dirty.add(LearnedFlowsHolder.inbound(source, destination).text());
    }
  }

  /**
   * An object the restore read: its name holds its holder's edges, not to be written over by
   * another holder. One under a name parts no longer get (KIND-NAME-pN, before) marks its holder
   * dirty: the next flush writes the holder's parts under their names and deletes it, and frees
   * the name for the workload whose part 1 it is now.
   */
  public void adopt(LearnedFlows stored) {
    owners.stored(stored);
    store.listed(stored);
    LearnedFlowsHolder h = LearnedFlowsHolder.of(stored);
    if (h != null && !LearnedFlowsNames.current(stored.getMetadata().getName(), h)) {
      dirty.add(h.text());
    }
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
      writeParts(LearnedFlowsHolder.parse(entry));
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

  /** Writes a holder's parts, then deletes its objects under names its parts no longer have. */
  private void writeParts(LearnedFlowsHolder h) {
    List<EdgeView> edges = graph.edgesFrom(h.source());
    if (h.isInbound()) {
      String into = h.workload().toString();
      edges = edges.stream().filter(e -> e.key().destination().equals(into)).toList();
      if (edges.isEmpty()) {
        return; // not one edge in: nothing to keep, and an object without one would name no holder
      }
    }
    List<LearnedFlows> parts = LearnedFlowsParts.of(h, objectOf(h, edges));
    for (int k = 0; k < parts.size(); k++) {
      nameFree(parts.get(k), h, k + 1);
    }
    // Last part first. An edge that grows, or one added before others, pushes later edges into
    // later parts, never earlier ones (LearnedFlowsParts); so when a write of part k is cut
    // short (a kill, a failed request), every edge the new parts k+1.. do not hold yet is still
    // in its old part k or an earlier one, not written over yet. First part first would
    // write part k without an edge it hands on to part k+1 before part k+1 holds it. An edge in
    // two parts meanwhile is merged by the restore.
    for (int k = parts.size() - 1; k >= 0; k--) {
      LearnedFlows part = parts.get(k);
      for (int refused = 0; !store.write(part); refused++) {
        // an object not of h's is there that this process did not know (made since the restore)
        if (refused == MAX_REFUSED) {
          throw new IllegalStateException("part " + (k + 1) + " of " + h + ": " + MAX_REFUSED
              + " names in a row hold others' objects");
        }
        owners.foreign(h.namespace(), part.getMetadata().getName());
        nameFree(part, h, k + 1);
      }
      owners.stored(part);
      writes++;
    }
    // Only now: every edge such an object holds was restored into the graph, so is in a part
    // just written. Left, it would be merged at each start with content older than the parts'.
    Set<String> names = new HashSet<>();
    parts.forEach(p -> names.add(p.getMetadata().getName()));
    for (String stale : owners.namesOf(h)) {
      if (!names.contains(stale)) {
        store.delete(h.namespace(), stale, h.text());
        owners.deleted(h.namespace(), stale);
      }
    }
  }

  /**
   * Gives part {@code n} of {@code h} a name no object of another holder holds. Names are
   * unambiguous ({@link LearnedFlowsNames}), but an object stored before (a part named as parts
   * were, or one made by hand) may hold another's edges under it, and writing over it would lose
   * them.
   */
  private void nameFree(LearnedFlows part, LearnedFlowsHolder h, int n) {
    String ns = h.namespace();
    String name = part.getMetadata().getName();
    for (int i = 1; !owners.mayWrite(ns, name, h); i++) {
      String other = LearnedFlowsNames.alternative(h, n, i);
      LOG.warn("LearnedFlows {}/{} holds the edges of {}: not written over; part {} of {} goes to {}", ns, name,
          owners.holderOf(ns, name), n, h, other);
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
    LearnedFlowsHolder h = LearnedFlowsHolder.workload(source);
    return LearnedFlowsParts.of(h, objectOf(h, edges));
  }

  /**
   * The objects holding the edges from an outside vertex into one workload, cut as a workload's own
   * are: in the workload's namespace, part 1 named {@code in-SOURCE-KIND-NAME} (the source's dots
   * and slash as dashes: one object per pair, found again after a restart), part n > 1
   * {@code in-SOURCE-KIND--pN-NAME} ({@link LearnedFlowsNames}), {@code source} the outside vertex
   * in each. Pure.
   */
  public static List<LearnedFlows> inboundObjectsOf(String source, String destination, List<EdgeView> edges) {
    LearnedFlowsHolder h = LearnedFlowsHolder.inbound(source, destination);
    return LearnedFlowsParts.of(h, objectOf(h, edges));
  }

  /** One object holding these edges of {@code source}. Pure. */
  static LearnedFlows objectOf(String source, List<EdgeView> edges) {
    return objectOf(LearnedFlowsHolder.workload(source), edges);
  }

  /** One object holding these edges of {@code h}, named as its part 1 and kept with its workload. */
  private static LearnedFlows objectOf(LearnedFlowsHolder h, List<EdgeView> edges) {
    WorkloadRef w = h.workload();
    LearnedFlowsSpec spec = new LearnedFlowsSpec();
    spec.source = h.source();
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
    lf.setMetadata(new ObjectMetaBuilder().withNamespace(w.namespace()).withName(LearnedFlowsNames.part(h, 1))
        .build());
    lf.setSpec(spec);
    return lf;
  }
}
