package dev.palisade.controller.graph;

import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.model.FlowKey;
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
 *
 * <p>Inside, vertices are ints ({@link VertexTable}) and edges are keyed by them, so a record of
 * a known edge is placed by numbers (identity to vertex to edge) without naming its ends; names
 * are what the methods take and give, as the rest of the controller and its stores speak them.
 */
public final class FlowGraph {
  // pseudograph: a workload talking to itself (replicas of a cluster) is a loop, and loops are legal edges
  private final DirectedPseudograph<Integer, FlowEdge> graph = new DirectedPseudograph<>(null, null, false);
  /**
   * Vertex names as ints. An identity is bound to its vertex only once its name can no longer
   * change: a workload's identity is never given to another, but an id the controller does not
   * know yet ("unknown") may be given later, so such an id is named again at each record.
   */
  private final VertexTable vertices = new VertexTable();
  private final Map<Key, FlowEdge> edges = new HashMap<>();
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
  private final Map<Pair, Integer> portsOfPair = new HashMap<>();

  /** An edge's ends (vertices) and service. */
  private record Key(int source, int destination, Protocol protocol, int port) {}

  /** An edge's ends and protocol, whatever the port: what a scan is counted by. */
  private record Pair(int source, int destination, Protocol protocol) {}

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
      FlowKey k = r.key();
      // by numbers when both ends are bound (the steady state of most records); a world end never is:
      // it is named by what the agent knew of it
      int src = vertices.ofIdentity(k.source());
      int dst = k.destination() == Identities.WORLD ? VertexTable.NONE : vertices.ofIdentity(k.destination());
      FlowEdge e = src != VertexTable.NONE && dst != VertexTable.NONE ? placed(src, dst, k.protocol(), k.port(), fresh)
          : named(k, vertexOf, fresh);
      e.record(r.count(), r.firstSeenMillis(), r.lastSeenMillis(), r.sourcePods(), r.destinationPods());
      if (e.status() == EdgeStatus.REJECTED) {
        e.violation(r.count());
      }
    }
    version++;
    return fresh;
  }

  /** A record's edge found or made by its ends' names (the world's end named by what the agent knew of it). */
  private FlowEdge named(FlowKey k, LongFunction<String> vertexOf, List<EdgeKey> fresh) {
    int src = endOf(k.source(), vertexOf);
    int dst = k.destination() == Identities.WORLD ? vertices.intern(outside.vertexOf(vertices.name(src), k.outside()))
        : endOf(k.destination(), vertexOf);
    return placed(src, dst, k.protocol(), k.port(), fresh);
  }

  /** An identity's vertex: the one it is bound to, or named by {@code vertexOf} now (and bound if that is for good). */
  private int endOf(long id, LongFunction<String> vertexOf) {
    int v = vertices.ofIdentity(id);
    if (v == VertexTable.NONE) {
      String name = vertexOf.apply(id);
      v = vertices.intern(name);
      if (settled(id, name)) {
        vertices.bind(id, v);
      }
    }
    return v;
  }

  /** A record's edge: its own, or the scan edge once the source reached {@value #SCAN_PORTS} ports of the peer. */
  private FlowEdge placed(int src, int dst, Protocol protocol, int port, List<EdgeKey> fresh) {
    FlowEdge e = edges.get(new Key(src, dst, protocol, port));
    if (e != null) {
      return e;
    }
    if (portsOfPair.getOrDefault(new Pair(src, dst, protocol), 0) >= SCAN_PORTS) {
      port = SCAN_PORT; // one more port of a peer this source already reached on many: a scan
    }
    return edge(src, dst, protocol, port, fresh);
  }

  /** Whether an id's name is for good: any but "unknown" for an id that is not the unknown entity's own. */
  private static boolean settled(long id, String name) {
    return id == Identities.UNKNOWN || !UNKNOWN_NAME.equals(name);
  }

  private static final String UNKNOWN_NAME = Identities.reservedName(Identities.UNKNOWN);

  private FlowEdge edge(int src, int dst, Protocol protocol, int port, List<EdgeKey> fresh) {
    Key key = new Key(src, dst, protocol, port);
    FlowEdge e = edges.get(key);
    if (e == null) {
      graph.addVertex(src);
      graph.addVertex(dst);
      e = new FlowEdge(vertices.name(src), vertices.name(dst), protocol, port);
      graph.addEdge(src, dst, e);
      edges.put(key, e);
      fresh.add(e.key());
      if (port != SCAN_PORT) {
        portsOfPair.merge(new Pair(src, dst, protocol), 1, Integer::sum);
      }
    }
    return e;
  }

  /** The edge a name key stands for, made if new (a restored or declared edge). */
  private FlowEdge edge(EdgeKey key) {
    return edge(vertices.intern(key.source()), vertices.intern(key.destination()), key.protocol(), key.port(),
        new ArrayList<>());
  }

  /** The edge a name key stands for, or null: a lookup never makes a vertex. */
  private FlowEdge find(EdgeKey key) {
    int src = vertices.find(key.source());
    int dst = vertices.find(key.destination());
    return src == VertexTable.NONE || dst == VertexTable.NONE ? null
        : edges.get(new Key(src, dst, key.protocol(), key.port()));
  }

  /** Whether an edge stands for a scan ({@link #SCAN_PORT}): never approvable. */
  public static boolean isScan(EdgeKey key) {
    return key.port() == SCAN_PORT;
  }

  /**
   * Re-adds a persisted edge as it was (status and evidence), e.g. after a controller restart; a
   * second copy of a known edge is merged, its newest evidence kept ({@link FlowEdge#restore}).
   */
  public synchronized void restore(EdgeKey key, EdgeStatus status, long count, long first, long last, long violations,
      List<String> srcPods, List<String> dstPods) {
    FlowEdge e = edge(key);
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
    FlowEdge e = find(key);
    if (e == null) {
      e = edge(key);
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
    FlowEdge e = find(key);
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
    List<FlowEdge> matching = matching(which, status);
    List<Reviewed> changed = reviewed(matching);
    matching.forEach(e -> e.status(status));
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
    return reviewed(matching(which, status));
  }

  /** The edges the filter picks that do not have the status yet. */
  private List<FlowEdge> matching(Predicate<FlowEdge> which, EdgeStatus status) {
    List<FlowEdge> out = new ArrayList<>();
    for (FlowEdge e : edges.values()) {
      if (which.test(e) && e.status() != status) {
        out.add(e);
      }
    }
    return out;
  }

  private static List<Reviewed> reviewed(List<FlowEdge> changing) {
    List<Reviewed> out = new ArrayList<>(changing.size());
    changing.forEach(e -> out.add(new Reviewed(e.key(), e.status())));
    return out;
  }

  /**
   * Gives one known edge the status a recorded decision gave it (replaying the audit log after a
   * restart); false when the edge is unknown or already has it.
   */
  public synchronized boolean replay(EdgeKey key, EdgeStatus status) {
    FlowEdge e = find(key);
    if (e == null || e.status() == status) {
      return false;
    }
    e.status(status);
    version++;
    return true;
  }

  /**
   * The order edges are listed in: source, destination, protocol, port. Field by field: a record's
   * toString goes through String.format on JDK 17, and sorting 100k edges by it cost ~1.2 s per
   * publish (bench/RESULTS.md, compile section).
   */
  public static final Comparator<EdgeView> KEY_ORDER = Comparator.<EdgeView, String>comparing(v -> v.key().source())
      .thenComparing(v -> v.key().destination()).thenComparing(v -> v.key().protocol())
      .thenComparingInt(v -> v.key().port());

  /** A copy of every edge's state, sorted by key ({@link #KEY_ORDER}). */
  public synchronized List<EdgeView> edges() {
    List<EdgeView> out = edgeViews();
    out.sort(KEY_ORDER);
    return out;
  }

  /**
   * A copy of every edge's state in no order: what a viewer's read takes on the controller's loop,
   * to sort by {@link #KEY_ORDER} on its own thread (sorting 10k edges is ~6 ms the agents' flow
   * reports would wait for, issue 17).
   */
  public synchronized List<EdgeView> edgeViews() {
    List<EdgeView> out = new ArrayList<>(edges.size());
    for (FlowEdge e : edges.values()) {
      out.add(EdgeView.of(e));
    }
    return out;
  }

  /** One edge's status, if the graph has it: a lookup, no copy. */
  public synchronized java.util.Optional<EdgeStatus> statusOf(EdgeKey key) {
    return java.util.Optional.ofNullable(find(key)).map(FlowEdge::status);
  }

  /** How many edges the graph has (no copy). */
  public synchronized int edgeCount() {
    return edges.size();
  }

  public synchronized List<EdgeView> edgesFrom(String source) {
    int v = vertices.find(source);
    if (v == VertexTable.NONE || !graph.containsVertex(v)) {
      return List.of();
    }
    return graph.outgoingEdgesOf(v).stream().map(EdgeView::of)
        .sorted(KEY_ORDER).toList();
  }

  /**
   * The edges with one of these vertices at either end, each once: all an incremental compile of
   * those workloads reads, so one approval costs the degree of its two ends, not the graph's size.
   */
  public synchronized List<EdgeView> edgesTouching(Set<String> names) {
    java.util.LinkedHashSet<FlowEdge> touched = new java.util.LinkedHashSet<>();
    for (String name : names) {
      int v = vertices.find(name);
      if (v != VertexTable.NONE && graph.containsVertex(v)) {
        touched.addAll(graph.edgesOf(v));
      }
    }
    List<EdgeView> out = new ArrayList<>(touched.size());
    for (FlowEdge e : touched) {
      out.add(EdgeView.of(e));
    }
    out.sort(KEY_ORDER);
    return out;
  }

  public synchronized Set<String> vertices() {
    Set<String> out = new HashSet<>();
    graph.vertexSet().forEach(v -> out.add(vertices.name(v)));
    return out;
  }

  public synchronized long version() {
    return version;
  }

  /** A read-only copy of the graph for exporters (DOT, GraphML, NetworkPolicy). */
  public DirectedPseudograph<String, EdgeView> copy() {
    return picture().graph();
  }

  /**
   * The vertices and edges as they are now, as values: what a viewer's export takes on the
   * controller's loop, to make a graph of on its own thread ({@link Picture#graph}).
   */
  public synchronized Picture picture() {
    return new Picture(vertices(), edgeViews());
  }

  /** Every vertex (some may have no edge left) and every edge of the graph at one moment. */
  public record Picture(Set<String> vertices, List<EdgeView> edges) {
    /** A graph of this picture, for exporters; pure, on any thread. */
    public DirectedPseudograph<String, EdgeView> graph() {
      DirectedPseudograph<String, EdgeView> g = new DirectedPseudograph<>(null, null, false);
      vertices.forEach(g::addVertex);
      for (EdgeView e : edges) {
        g.addEdge(e.key().source(), e.key().destination(), e);
      }
      return g;
    }
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
