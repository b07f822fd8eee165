package dev.palisade.bench.jmh;

import dev.palisade.controller.graph.EdgeStatus;
import dev.palisade.controller.graph.FlowEdge.EdgeKey;
import dev.palisade.controller.graph.FlowGraph;
import dev.palisade.controller.graph.FlowGraph.EdgeView;
import dev.palisade.controller.identity.IdentityAllocator;
import dev.palisade.model.FlowKey;
import dev.palisade.model.FlowRecord;
import dev.palisade.model.FlowReport;
import dev.palisade.model.Identities;
import dev.palisade.model.Protocol;
import dev.palisade.model.WorkloadRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * A synthetic cluster for the compile and ingest benchmarks: workloads spread over namespaces,
 * a few pods each, and random edges between them on common service ports, a share of them
 * approved. The seed is fixed, so every run measures the same graph.
 *
 * <p>Identities come from a real {@link IdentityAllocator}, so the "controller" lookups cost what
 * they cost in {@code PalisadeController} (split, parse, synchronized find); the "map" lookups are
 * a plain hash map, to show how much of the time is the compiler itself.
 */
public final class CompileScenario {
  public static final int PAPER_WORKLOADS = 1_000;
  public static final int PAPER_PODS = 10_000;
  public static final int PAPER_EDGES = 100_000;
  static final int NAMESPACES = 50;
  static final int RECORDS_PER_REPORT = 1_000;
  private static final int[] PORTS = {53, 80, 443, 3306, 5432, 6379, 8080, 8443, 9090, 9102, 11211, 27017};
  private static final long T0 = 1_790_000_000_000L;
  /** The order FlowGraph.edges() gives (by key), compared field by field instead of by text. */
  public static final Comparator<EdgeView> FIELD_ORDER = Comparator
      .comparing((EdgeView e) -> e.key().source())
      .thenComparing(e -> e.key().destination())
      .thenComparing(e -> e.key().protocol())
      .thenComparingInt(e -> e.key().port());

  public final List<String> workloads;
  public final IdentityAllocator ids = new IdentityAllocator();
  public final Map<String, Optional<Long>> identityByVertex = new HashMap<>();
  public final Set<Long> allIdentities = new HashSet<>();
  public final FlowGraph graph = new FlowGraph();
  public final List<EdgeView> edges;
  public final List<FlowRecord> records = new ArrayList<>();
  /** One learned workload-to-workload edge: approving it recompiles just its two ends. */
  public final EdgeView approval;
  public final int pods;

  private CompileScenario(int workloadCount, int pods, int edgeCount, double approvedShare, long seed) {
    if (edgeCount > (long) workloadCount * (workloadCount - 1) * PORTS.length / 2) {
      throw new IllegalArgumentException(edgeCount + " edges do not fit between " + workloadCount + " workloads");
    }
    this.pods = pods;
    int podsPerWorkload = Math.max(1, pods / workloadCount);
    List<String> names = new ArrayList<>(workloadCount);
    for (int i = 0; i < workloadCount; i++) {
      WorkloadRef w = new WorkloadRef(String.format("ns-%02d", i % NAMESPACES), i % 7 == 0 ? "StatefulSet"
          : "Deployment", String.format("wl-%04d", i));
      long id = ids.idFor(w).id();
      names.add(w.toString());
      identityByVertex.put(w.toString(), Optional.of(id));
      allIdentities.add(id);
    }
    workloads = List.copyOf(names);
    SplittableRandom rnd = new SplittableRandom(seed);
    Set<EdgeKey> seen = new HashSet<>();
    while (seen.size() < edgeCount) {
      int s = rnd.nextInt(workloadCount);
      int d = rnd.nextInt(workloadCount);
      int port = PORTS[rnd.nextInt(PORTS.length)];
      Protocol proto = port == 53 ? Protocol.UDP : Protocol.TCP;
      EdgeKey key = new EdgeKey(names.get(s), names.get(d), proto, port);
      if (s == d || !seen.add(key)) {
        continue;
      }
      long count = 1 + rnd.nextInt(1000);
      String srcPod = pod(names.get(s), rnd.nextInt(podsPerWorkload));
      String dstPod = pod(names.get(d), rnd.nextInt(podsPerWorkload));
      EdgeStatus status = rnd.nextDouble() < approvedShare ? EdgeStatus.APPROVED : EdgeStatus.LEARNED;
      graph.restore(key, status, count, T0, T0 + count, 0, List.of(srcPod), List.of(dstPod));
      long srcId = identityByVertex.get(key.source()).orElseThrow();
      long dstId = identityByVertex.get(key.destination()).orElseThrow();
      records.add(new FlowRecord(new FlowKey(srcId, dstId, proto, port), 1 + rnd.nextInt(20), T0 + 60_000,
          T0 + 61_000, List.of(srcPod), List.of(dstPod)));
    }
    // Reports arrive in no particular order; shuffle so ingest does not walk the map in insertion order.
    java.util.Collections.shuffle(records, new Random(seed));
    // Not graph.edges(): its sort is slow enough at this size (see CompileBench.snapshot) to dominate setup.
    List<EdgeView> all = new ArrayList<>(graph.copy().edgeSet());
    all.sort(FIELD_ORDER);
    edges = List.copyOf(all);
    approval = edges.stream().filter(e -> e.status() == EdgeStatus.LEARNED).findFirst()
        .orElseThrow(() -> new IllegalStateException("no learned edge to approve; lower approvedShare"));
  }

  public static CompileScenario paperSized() {
    return new CompileScenario(PAPER_WORKLOADS, PAPER_PODS, PAPER_EDGES, 0.7, 42);
  }

  public static CompileScenario of(int workloads, int pods, int edges, double approvedShare, long seed) {
    return new CompileScenario(workloads, pods, edges, approvedShare, seed);
  }

  private static String pod(String workload, int i) {
    String[] p = workload.split("/");
    return p[0] + "/" + p[2] + "-" + i;
  }

  /** The two identities an approval of {@link #approval} recompiles. */
  public Set<Long> approvalIdentities() {
    return Set.of(identityByVertex.get(approval.key().source()).orElseThrow(),
        identityByVertex.get(approval.key().destination()).orElseThrow());
  }

  /** Vertex -> identity by a hash map (the compiler's own cost). */
  public Function<String, Optional<Long>> mapLookup() {
    return v -> identityByVertex.getOrDefault(v, Optional.empty());
  }

  /** Vertex -> identity as {@code PalisadeController.identityOf} does it. */
  public Function<String, Optional<Long>> controllerLookup() {
    return ids::findVertex;
  }

  /** Identity -> vertex by an array (the graph's own cost). */
  public LongFunction<String> arrayVertexOf() {
    String[] byId = new String[(int) (Identities.FIRST_WORKLOAD + workloads.size())];
    identityByVertex.forEach((v, id) -> byId[(int) (long) id.orElseThrow()] = v);
    return id -> id >= 0 && id < byId.length && byId[(int) id] != null ? byId[(int) id] : "unknown";
  }

  /** Identity -> vertex as {@code PalisadeController.vertexOf} does it. */
  public LongFunction<String> controllerVertexOf() {
    return ids::vertexOf;
  }

  /** The records cut into agent reports; the caller numbers them, since a repeated sequence is ignored. */
  public List<List<FlowRecord>> reportBatches() {
    List<List<FlowRecord>> out = new ArrayList<>();
    for (int i = 0; i + RECORDS_PER_REPORT <= records.size(); i += RECORDS_PER_REPORT) {
      out.add(List.copyOf(records.subList(i, i + RECORDS_PER_REPORT)));
    }
    return out;
  }

  static FlowReport report(String node, long sequence, List<FlowRecord> batch) {
    return new FlowReport(node, sequence, batch);
  }
}
