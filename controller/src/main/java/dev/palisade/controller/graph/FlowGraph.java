package dev.palisade.controller.graph;

import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Identities;
import dev.palisade.model.Protocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import org.jgrapht.graph.DirectedPseudograph;

/**
 * How workloads talk: vertices are workloads ({@code NS/KIND/NAME}), entities ({@code host},
 * {@code unknown}) and the outside ({@link OutsideVertex}: {@code world}, {@code dns:NAME},
 * addresses and ranges); an edge per (source, destination, protocol, port) carries the
 * evidence and the review status. Thread-safe: every method holds the graph's lock, and readers
 * get copies.
 */
public final class FlowGraph {
  // pseudograph: a workload talking to itself (replicas of a cluster) is a loop, and loops are legal edges
  private final DirectedPseudograph<String, FlowEdge> graph = new DirectedPseudograph<>(null, null, false);
  private final Map<EdgeKey, FlowEdge> edges = new HashMap<>();
  /**
   * The same edges keyed by the numbers agents report (source and destination identity, protocol,
   * port): a record of a known edge between workloads is found without naming its ends. Only ends
   * whose name can no longer change are keyed: a workload's identity is never given to another,
   * but an id the controller does not know yet ("unknown") may be given later.
   */
  private final Map<IdsKey, FlowEdge> byIds = new HashMap<>();
  /** Per node, the sequences of its newest reports: a retried report (same sequence) is not counted twice. */
  private final Map<String, java.util.LinkedHashSet<Long>> recentSequences = new HashMap<>();
  /** How many sequences per node are remembered: far more than an agent retries one report. */
  static final int RECENT_SEQUENCES = 256;
  private final OutsideVertices outside = new OutsideVertices();
  /**
   * The port of the edge that stands for a scan: once a source has reached {@value #SCAN_PORTS}
   * ports of one destination (one protocol), its connections to further ports are counted on this
   * one edge instead of one edge each, so a scan of 65,535 ports adds one edge, not 65,535. It is
   * never approved (review refuses, guardrails skip it, compile ignores it).
   */
  public static final int SCAN_PORT = 0;
  public static final int SCAN_PORTS = 32;
  /** Distinct ports (not the scan edge) per source, destination and protocol. */
  private final Map<String, Integer> portsOfPair = new HashMap<>();
  private long version;

  /**
   * Merges an agent's report. Identities are named by {@code vertexOf} (a workload key, or an
   * entity name for reserved or unknown ids), except a flow's end in the world, which is named
   * by what the agent knew of it ({@link OutsideVertices}: dns:NAME, an address, a range). A report
   * whose sequence this node sent among its last {@value #RECENT_SEQUENCES} is ignored, so a retried
   * batch (the agent resends it with its sequence until it is answered) is not counted twice; any
   * other sequence is taken, so an agent restarted with a lower one (its clock set back), or a
   * controller restarted with nothing remembered, never blinds a node.
   *
   * @return the edges that are new (so a caller can tell who needs recompiling)
   */
  public synchronized List<EdgeKey> ingest(FlowReport report, LongFunction<String> vertexOf) {
    java.util.LinkedHashSet<Long> recent = recentSequences.computeIfAbsent(report.node(),
        n -> new java.util.LinkedHashSet<>());
    if (!recent.add(report.sequence())) {
      return List.of();
    }
    if (recent.size() > RECENT_SEQUENCES) {
      recent.remove(recent.iterator().next());
    }
    List<EdgeKey> fresh = new ArrayList<>();
    for (FlowRecord r : report.flows()) {
      long srcId = r.key().source();
      long dstId = r.key().destination();
      // one lookup, by numbers, for a known edge between workloads: the steady state of most records
      IdsKey ids = dstId == Identities.WORLD ? null : new IdsKey(srcId, dstId, r.key().protocol(), r.key().port());
      FlowEdge e = ids == null ? null : byIds.get(ids);
      if (e == null) {
        e = named(r, vertexOf, fresh);
        if (ids != null && settled(srcId, e.source()) && settled(dstId, e.destination())) {
          byIds.put(ids, e);
        }
      }
      e.record(r.count(), r.firstSeenMillis(), r.lastSeenMillis(), r.sourcePods(), r.destinationPods());
      if (e.status() == EdgeStatus.REJECTED) {
        e.violation(r.count());
      }
    }
    version++;
    return fresh;
  }

  /** A record's edge found or made by its ends' names (the world's end named by what the agent knew of it). */
  private FlowEdge named(FlowRecord r, LongFunction<String> vertexOf, List<EdgeKey> fresh) {
    String src = vertexOf.apply(r.key().source());
    String dst = r.key().destination() == Identities.WORLD ? outside.vertexOf(src, r.key().outside())
        : vertexOf.apply(r.key().destination());
    FlowEdge e = edges.get(new EdgeKey(src, dst, r.key().protocol(), r.key().port()));
    if (e != null) {
      return e;
    }
    int port = r.key().port();
    if (portsOfPair.getOrDefault(pair(src, dst, r.key().protocol()), 0) >= SCAN_PORTS) {
      port = SCAN_PORT; // one more port of a peer this source already reached on many: a scan
    }
    return edge(src, dst, r.key().protocol(), port, fresh);
  }

  /** Whether an id's name is for good: any but "unknown" for an id that is not the unknown entity's own. */
  private static boolean settled(long id, String name) {
    return id == Identities.UNKNOWN || !UNKNOWN_NAME.equals(name);
  }

  private static final String UNKNOWN_NAME = Identities.reservedName(Identities.UNKNOWN);

  /** A record's ends and service as agents report them. */
  private record IdsKey(long source, long destination, Protocol protocol, int port) {}

  private FlowEdge edge(String src, String dst, Protocol protocol, int port, List<EdgeKey> fresh) {
    EdgeKey key = new EdgeKey(src, dst, protocol, port);
    FlowEdge e = edges.get(key);
    if (e == null) {
      graph.addVertex(src);
      graph.addVertex(dst);
      e = new FlowEdge(src, dst, protocol, port);
      graph.addEdge(src, dst, e);
      edges.put(key, e);
      fresh.add(key);
      if (port != SCAN_PORT) {
        portsOfPair.merge(pair(src, dst, protocol), 1, Integer::sum);
      }
    }
    return e;
  }

  private static String pair(String src, String dst, Protocol protocol) {
    return src + " " + dst + " " + protocol;
  }

  /** Whether an edge stands for a scan ({@link #SCAN_PORT}): never approvable. */
  public static boolean isScan(EdgeKey key) {
    return key.port() == SCAN_PORT;
  }

  /** Re-adds a persisted edge as it was (status and evidence), e.g. after a controller restart. */
  public synchronized void restore(EdgeKey key, EdgeStatus status, long count, long first, long last, long violations,
      List<String> srcPods, List<String> dstPods) {
    FlowEdge e = edge(key.source(), key.destination(), key.protocol(), key.port(), new ArrayList<>());
    e.restore(status, count, first, last, violations, srcPods, dstPods);
    outside.known(key.source(), key.destination());
    version++;
  }

  /**
   * Gives an edge a status, adding it (with no evidence) when traffic never made it: an approver
   * widening a name to a pattern, or narrowing the world to a range, decides an edge of its own.
   * False when the edge had the status already.
   */
  public synchronized boolean declare(EdgeKey key, EdgeStatus status) {
    FlowEdge e = edges.get(key);
    if (e == null) {
      e = edge(key.source(), key.destination(), key.protocol(), key.port(), new ArrayList<>());
      outside.known(key.source(), key.destination());
    } else if (e.status() == status) {
      return false;
    }
    e.status(status);
    version++;
    return true;
  }

  /** Counts refused attempts on an edge, if the graph has it (a drop of an unknown edge is only reported). */
  public synchronized boolean violation(EdgeKey key, long n) {
    FlowEdge e = edges.get(key);
    if (e == null) {
      return false;
    }
    e.violation(n);
    version++;
    return true;
  }

  /** One edge a review changed, with the status it had (for the audit log). */
  public record Reviewed(EdgeKey key, EdgeStatus before) {}

  /** Sets the status of every edge matching the filter; returns the edges that changed. */
  public synchronized List<Reviewed> review(Predicate<FlowEdge> which, EdgeStatus status) {
    List<Reviewed> changed = plan(which, status);
    changed.forEach(c -> edges.get(c.key()).status(status));
    if (!changed.isEmpty()) {
      version++;
    }
    return changed;
  }

  /**
   * What {@link #review} would change, changing nothing: a decision is recorded (audit log) before
   * it takes effect in the graph.
   */
  public synchronized List<Reviewed> plan(Predicate<FlowEdge> which, EdgeStatus status) {
    List<Reviewed> changed = new ArrayList<>();
    for (FlowEdge e : edges.values()) {
      if (which.test(e) && e.status() != status) {
        changed.add(new Reviewed(e.key(), e.status()));
      }
    }
    return changed;
  }

  /**
   * Gives one known edge the status a recorded decision gave it (replaying the audit log after a
   * restart); false when the edge is unknown or already has it.
   */
  public synchronized boolean replay(EdgeKey key, EdgeStatus status) {
    FlowEdge e = edges.get(key);
    if (e == null || e.status() == status) {
      return false;
    }
    e.status(status);
    version++;
    return true;
  }

  /**
   * Field by field: a record's toString goes through String.format on JDK 17, and sorting 100k
   * edges by it cost ~1.2 s per publish (bench/RESULTS.md, compile section).
   */
  private static final Comparator<EdgeView> BY_KEY = Comparator.<EdgeView, String>comparing(v -> v.key().source())
      .thenComparing(v -> v.key().destination()).thenComparing(v -> v.key().protocol())
      .thenComparingInt(v -> v.key().port());

  /** A copy of every edge's state, sorted by key (source, destination, protocol, port). */
  public synchronized List<EdgeView> edges() {
    List<EdgeView> out = new ArrayList<>(edges.size());
    for (FlowEdge e : edges.values()) {
      out.add(EdgeView.of(e));
    }
    out.sort(BY_KEY);
    return out;
  }

  public synchronized List<EdgeView> edgesFrom(String source) {
    if (!graph.containsVertex(source)) {
      return List.of();
    }
    return graph.outgoingEdgesOf(source).stream().map(EdgeView::of)
        .sorted(BY_KEY).toList();
  }

  /**
   * The edges with one of these vertices at either end, each once: all an incremental compile of
   * those workloads reads, so one approval costs the degree of its two ends, not the graph's size.
   */
  public synchronized List<EdgeView> edgesTouching(Set<String> vertices) {
    java.util.LinkedHashSet<FlowEdge> touched = new java.util.LinkedHashSet<>();
    for (String v : vertices) {
      if (graph.containsVertex(v)) {
        touched.addAll(graph.edgesOf(v));
      }
    }
    List<EdgeView> out = new ArrayList<>(touched.size());
    for (FlowEdge e : touched) {
      out.add(EdgeView.of(e));
    }
    out.sort(BY_KEY);
    return out;
  }

  public synchronized Set<String> vertices() {
    return new HashSet<>(graph.vertexSet());
  }

  public synchronized long version() {
    return version;
  }

  /** A read-only copy of the graph for exporters (DOT, GraphML, NetworkPolicy). */
  public synchronized DirectedPseudograph<String, EdgeView> copy() {
    DirectedPseudograph<String, EdgeView> g = new DirectedPseudograph<>(null, null, false);
    graph.vertexSet().forEach(g::addVertex);
    for (FlowEdge e : edges.values()) {
      g.addEdge(e.source(), e.destination(), EdgeView.of(e));
    }
    return g;
  }

  /** An immutable snapshot of an edge. */
  public record EdgeView(EdgeKey key, EdgeStatus status, long count, long firstSeen, long lastSeen, long violations,
      List<String> sourcePods, List<String> destinationPods) {
    static EdgeView of(FlowEdge e) {
      return new EdgeView(e.key(), e.status(), e.count(), e.firstSeen(), e.lastSeen(), e.violations(),
          e.sourcePods(), e.destinationPods());
    }
  }
}
